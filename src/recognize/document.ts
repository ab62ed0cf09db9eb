// Document-level facts: the report's title, the reporting unit and the year it evaluates. Each is
// read from the strongest evidence the document has, falling back to weaker evidence in turn:
// a report that is only forms has no title, and a 决算说明 names its unit only in its text.
import type { DocModel, Paragraph } from '../../schemas/model.js';
import type { DocumentInfo, Form } from '../../schemas/record.js';
import { squash } from '../normalize/text.js';
import { evaluatedYear } from './form-context.js';
import { recognizeSections } from './sections.js';

type Facts = Pick<DocumentInfo, 'organization' | 'fiscalYear' | 'title'>;

const PUNCTUATION = /\p{P}/u;
const length = (s: string) => [...s].length;
const trimOuter = (s: string) => s.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
const DATE_ONLY = /^\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?$/;
const YEAR_START = /^\d{4}\s*年/;

/** Units end in one of these; longer forms first so "委员会" wins over "委" at the same place. */
const ORG_SUFFIX = '(?:委员会|办公室|中心|局|厅|医院|学校|院|所|站|馆|处|公司|委|部)';
const DIVISION = '[省市县区州旗盟]';
const ORG_WHOLE = new RegExp(`^[\\u4e00-\\u9fa5]{1,10}${DIVISION}[\\u4e00-\\u9fa5]*${ORG_SUFFIX}$`);
/**
 * Where a unit's name may end inside a title: the last character of a unit word (局, 委员会, 支队…).
 * A title prints several ("中共溪口县委宣传部", "某市公安局交通警察支队", "某县人民政府办公室"), so the
 * name is the longest run that ends in one of them right before what a title says next.
 */
const TITLE_ORG_END = /(?:委员会|办公室|中心|局|厅|医院|学校|院|所|站|馆|处|公司|委|部|队|办|室|府|会|社|团|校|学|场|台|园|厂|庭)$/;
/** What follows the unit in a title: its year, "关于", or the kind of report ("整体支出", "项目支出"…). */
const AFTER_TITLE_ORG = /^(?:$|[^\u4e00-\u9fa5]|关于|年度|部门整体|整体|部门|单位|本级|项目|专项|预算|决算|绩效|财政|支出|资金|重点|政策)/;
const COMMON_ORG_END = new RegExp(`${ORG_SUFFIX}$`);
/**
 * A unit in a title names its place first: a division after its first character, within its first
 * 11 ("乡村振兴局" alone names no place).
 */
const TITLE_ORG_START = /^[\u4e00-\u9fa5]{1,10}[省市县区州旗盟镇乡]/;
/** Characters a unit's name does not start with, though they precede it in running text ("根据…局"). */
const NOT_A_NAME_START = /^[的在和与及为由对向据将经是了年月日至于从按把被给以其该本我各全原并]/;

export function describeDocument(model: DocModel, forms: Form[]): Facts {
  const paragraphs = model.blocks
    .filter((b): b is Paragraph => b.type === 'paragraph')
    .map((b) => trimOuter(b.text))
    .filter((t) => t !== '');
  const title = findTitle(model);
  return {
    title,
    organization: findOrganization(model, forms, title, paragraphs),
    fiscalYear: findFiscalYear(model, forms, title),
  };
}

/**
 * The report's title line: before the first narrative heading (a title further down heads an
 * appended report, not this document), at most 40 characters without punctuation, ending in 报告 —
 * or, for final accounts, in 决算 / 决算说明 / 决算公开 ("青川县水务局2023年度部门决算", "青川县财政局
 * 2023年度部门决算说明", "…部门决算公开说明").
 * A cover often breaks it over lines ("2022年度华容县医疗保障局整体支出" / "绩效自评报告"): up to two
 * short lines above join it, stopping at the one that starts with the year; a unit's whole name on
 * the line above that one is the title's first line ("青川县交通运输局" / "2023年度农村公路养护项目" /
 * "支出绩效自评报告").
 */
function findTitle(model: DocModel): string | null {
  const firstHeading = recognizeSections(model)[0]?.place;
  const run: string[] = []; // consecutive paragraphs, reset at a table
  let title: string | null = null;
  for (const block of model.blocks) {
    if (block.type === 'table') {
      run.length = 0;
      continue;
    }
    if (block.place === firstHeading) break;
    const text = trimOuter(block.text);
    if (text === '') continue;
    const bare = withoutQualifiers(text);
    if (isTitleLine(bare) && TITLE_END.test(bare)) {
      const lines = [text];
      let i = run.length - 1;
      for (; i >= 0 && lines.length < 3 && !YEAR_START.test(lines[0] ?? ''); i--) {
        const above = run[i] ?? '';
        if (!isTitleLine(above) || DATE_ONLY.test(above) || /(?:报告|表)$/.test(above)) break;
        lines.unshift(above);
      }
      const unit = run[i] ?? '';
      if (YEAR_START.test(lines[0] ?? '') && ORG_WHOLE.test(unit)) lines.unshift(unit);
      title = lines.join('');
    }
    run.push(text);
  }
  return title;
}

const TITLE_END = /(?:报告|决算(?:[\u4e00-\u9fa5]{0,4}说明|公开)?)$/;
/**
 * A short bracketed qualifier inside a title is part of it, not a sentence: "青川县教育局（本级）2023年度
 * 部门决算说明", "某县林业局部门整体支出绩效自评报告（2023年度）" — the brackets alone must not disqualify
 * the line, nor keep it from ending in 报告.
 */
const withoutQualifiers = (t: string) => t.replace(/[（(][^（()）]{1,8}[)）]/g, '');
const isTitleLine = (t: string) => length(t) <= 40 && !PUNCTUATION.test(t) && !t.includes('\n');

const SEAL = '(?:[（(](?:盖章|公章|签章)[)）])?';
const COVER_UNIT = new RegExp(
  `^(?:部门|单位|部门（单位）|部门\\(单位\\)|填报单位|申报单位|编制单位|报送单位)(?:名称)?${SEAL}\\s*[:：]\\s*(\\S+?)${SEAL}$`,
);

function findOrganization(model: DocModel, forms: Form[], title: string | null, paragraphs: string[]): string | null {
  const fromTitle = title ? orgIn(title.replace(/^\d{4}\s*年度?/, '')) : null;
  if (fromTitle) return fromTitle;

  // "部门（单位）名称：华容县医疗保障局", "单位名称（盖章）：…", "编制单位：…（公章）" on a cover page
  for (const p of paragraphs) {
    const m = COVER_UNIT.exec(p);
    if (m?.[1] && ORG_WHOLE.test(m[1])) return m[1];
  }

  const fromForms = orgFromForms(forms) ?? orgFromCells(model);
  if (fromForms) return fromForms;

  // a sign-off: the unit's name on the line above the date, maybe with its seal mark "（盖章）"
  for (let i = 1; i < paragraphs.length; i++) {
    const name = (paragraphs[i - 1] ?? '').replace(new RegExp(`${SEAL}$`), '');
    if (DATE_ONLY.test(paragraphs[i] ?? '') && ORG_WHOLE.test(name)) return name;
  }
  return mostMentioned(paragraphs);
}

/**
 * The unit a title names: "中共溪口县委宣传部2023年度…" -> 中共溪口县委宣传部, "关于某县人民政府办公室…" ->
 * 某县人民政府办公室. Of the places a unit word ends, the last one followed by what a title says next
 * wins; with none such (the unit runs into a project name), the first common unit word ends it.
 */
function orgIn(line: string): string | null {
  const text = line.replace(/^关于/, '');
  const run = /^[\u4e00-\u9fa5]+/.exec(text)?.[0] ?? '';
  const division = TITLE_ORG_START.exec(run);
  if (!division) return null;
  let first: string | null = null;
  let best: string | null = null;
  for (let end = division[0].length + 1; end <= run.length; end++) {
    const name = run.slice(0, end);
    if (!TITLE_ORG_END.test(name)) continue;
    if (first === null && COMMON_ORG_END.test(name)) first = name;
    if (AFTER_TITLE_ORG.test(text.slice(end))) best = name;
  }
  return best ?? first;
}

/** The filled-in unit of the forms: a dept-self-eval's 部门名称, else 实施单位, else 主管部门. */
function orgFromForms(forms: Form[]): string | null {
  const dept = forms.find((f) => f.kind === 'dept-self-eval' && f.name)?.name;
  if (dept) return dept;
  return mostCommon(forms.map((f) => f.implementer)) ?? mostCommon(forms.map((f) => f.supervisor));
}

/** The same from the tables themselves, for forms the recogniser did not read: the cell after a label. */
function orgFromCells(model: DocModel): string | null {
  const byLabel = new Map<string, string[]>();
  for (const block of model.blocks) {
    if (block.type !== 'table') continue;
    for (const row of block.rows) {
      row.forEach((cell, i) => {
        const label = squash(cell.text).replace(/\(单位\)/, '');
        const value = trimOuter(row[i + 1]?.text ?? '');
        if (!ORG_WHOLE.test(squash(value))) return;
        const list = byLabel.get(label) ?? [];
        list.push(squash(value));
        byLabel.set(label, list);
      });
    }
  }
  for (const label of ['部门名称', '单位名称', '实施单位', '主管部门']) {
    const found = mostCommon(byLabel.get(label) ?? []);
    if (found) return found;
  }
  return null;
}

/**
 * The unit the text names most often: every "<place><division>…<suffix>" occurrence, with 2 to 4
 * characters before the division (邻水县, 张家港市); the longest form that is as frequent as any wins,
 * so a name always preceded by its province keeps it.
 */
function mostMentioned(paragraphs: string[]): string | null {
  const counts = new Map<string, number>();
  const suffixAt = new RegExp(`^[\\u4e00-\\u9fa5]*?${ORG_SUFFIX}`);
  for (const p of paragraphs) {
    for (const m of p.matchAll(new RegExp(DIVISION, 'g'))) {
      const at = m.index;
      const tail = suffixAt.exec(p.slice(at + 1))?.[0];
      if (!tail || length(tail) > 12) continue;
      for (let k = 2; k <= 4 && at - k >= 0; k++) {
        const head = p.slice(at - k, at);
        if (!/^[\u4e00-\u9fa5]+$/.test(head) || NOT_A_NAME_START.test(head)) continue;
        const name = head + p[at] + tail;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [name, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && name.length > best.length)) {
      best = name;
      bestCount = n;
    }
  }
  return best;
}

/**
 * The year evaluated: the title's "2022年度"; else the forms' year; else the year the text says it
 * evaluates or writes most often as "NNNN年度" (evaluatedYear). A bare "2023年" in a title is the
 * year of writing more often than not ("2023年县级部门整体支出绩效自评报告" evaluates 2022), so it
 * comes last — except in a final-accounts title: "青川县民政局2023年部门决算说明" accounts for 2023.
 */
function findFiscalYear(model: DocModel, forms: Form[], title: string | null): number | null {
  const titled = title ? (/决算/.test(title) ? /(\d{4})\s*年/ : /(\d{4})\s*年度/).exec(title)?.[1] : undefined;
  if (titled) return Number(titled);
  const fromForms = mostCommon(forms.map((f) => f.fiscalYear));
  if (fromForms != null) return fromForms;
  const counted = evaluatedYear(allTexts(model));
  if (counted != null) return counted;
  const bare = title ? /(\d{4})\s*年/.exec(title)?.[1] : undefined;
  return bare ? Number(bare) : null;
}

function* allTexts(model: DocModel): Generator<string> {
  for (const block of model.blocks) {
    if (block.type === 'paragraph') yield block.text;
    else for (const row of block.rows) for (const cell of row) yield cell.text;
  }
}

/** The most frequent non-null value; ties go to the first seen. */
function mostCommon<T>(values: Array<T | null | undefined>): T | null {
  const counts = new Map<T, number>();
  let best: T | null = null;
  let bestCount = 0;
  for (const v of values) {
    if (v == null || (typeof v === 'string' && v.trim() === '')) continue;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}
