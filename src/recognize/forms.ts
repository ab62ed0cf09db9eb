// Form recognition: DocModel -> Form records, format-blind. For every table:
//   1. its heading: 附件N label, title and year, above it or in its first row(s);
//   2. its kind, from the labels it prints (项目支出名称 / 专项资金名称 / 部门名称, 评分表 headers,
//      编制数 / 经费控制情况) and, failing those, its title — never from its position;
//   3. a table without kind or heading right after a form continues that form (a page break split it);
//      one grid holding two forms (a repeated 项目支出名称 row) is read as two;
//   4. the kind's reader turns the rows into values, each with the Place of its cell.
// A table that matches no kind stays a generic table of the model.
import type { Block, DocModel, Message, Place, Table } from '../../schemas/model.js';
import type { Form, FormKind, Sources } from '../../schemas/record.js';
import { type GridRow, gridRows, isBlank, labelText } from '../normalize/table.js';
import { type FormBody } from './form-kinds/common.js';
import { readBasicData } from './form-kinds/basic-data.js';
import {
  hasIdentity,
  identityCells,
  identityField,
  isExpenseHeader,
  isFundHeader,
  isGoalsHeader,
  isIndicatorHeader,
  isRubricHeader,
  isStaffingHeader,
} from './form-kinds/headers.js';
import { readScoringTable } from './form-kinds/scoring-table.js';
import { readSelfEval } from './form-kinds/self-eval.js';
import {
  documentYear,
  type Heading,
  type Line,
  linesBefore,
  mergeHeadings,
  preparerAfter,
  readHeading,
  readPreparer,
  totalAfter,
} from './form-context.js';
import { fundRole, PREPARER, TOTAL_ROW } from './labels.js';

interface FormTables {
  kind: FormKind;
  heading: Heading;
  /** block indexes of the form's tables, first to last */
  blocks: number[];
  rows: GridRow[];
  /** the first table's place (and row, for a form that starts inside a table) */
  place: Place;
  /** false when another form follows inside the same table: what is printed below is not this form's */
  endsTable: boolean;
}

export function recognizeForms(model: DocModel): { forms: Form[]; messages: Message[] } {
  const { blocks } = model;
  const messages: Message[] = [];
  const groups: FormTables[] = [];

  blocks.forEach((block, index) => {
    if (block.type !== 'table') return;
    const parts = formParts(gridRows(block));
    parts.forEach((part, k) => readPart(block, index, part, k === 0, k === parts.length - 1));
  });

  function readPart(block: Table, index: number, part: { rows: GridRow[]; start: number }, first: boolean, last: boolean): void {
    const { heading, rows } = splitHeading(part.rows, first ? linesBefore(blocks, index) : []);
    const kind = classify(rows, heading);
    const previous = groups.at(-1);
    if (previous && !heading.attachment && !heading.title && !rows.some(hasIdentity) && continues(previous, blocks, index, rows, kind)) {
      previous.blocks.push(index);
      previous.rows.push(...rows);
      previous.endsTable = last;
      return;
    }
    const inferred = kind ?? kindAmong(previous, rows);
    if (inferred) {
      if (!kind) {
        messages.push({
          code: 'form-kind-inferred',
          message: `table has the blocks of a ${inferred} form but no name row or title; taken as one like the form before it`,
          severity: 'warning',
          stage: 'recognize',
          place: block.place,
        });
      }
      const place = part.start > 0 ? { ...block.place, row: part.start } : block.place;
      groups.push({ kind: inferred, heading, blocks: [index], rows, place, endsTable: last });
    } else if (heading.title && /绩效|自评|评价|评分|指标/.test(heading.title.text)) {
      messages.push({
        code: 'form-unrecognised',
        message: `table titled "${heading.title.text}" matches no form kind; kept as a generic table`,
        severity: 'warning',
        stage: 'recognize',
        place: block.place,
      });
    }
  }

  const fallbackYear = documentYear(blocks);
  const forms: Form[] = [];
  for (const group of groups) {
    try {
      const form = buildForm(group, blocks, forms.at(-1)?.fiscalYear ?? fallbackYear);
      messages.push(...form.messages.map((m) => ({ ...m, form: forms.length })));
      forms.push(form.form);
    } catch (err) {
      // a layout no reader foresaw costs this form, reported, never the document
      messages.push({
        code: 'form-unreadable',
        message: `${group.kind} form could not be read: ${err instanceof Error ? err.message : String(err)}`,
        severity: 'error',
        stage: 'recognize',
        place: group.place,
      });
    }
  }
  return { forms, messages };
}

function read(kind: FormKind, rows: GridRow[]): FormBody {
  if (kind === 'scoring-table') return readScoringTable(rows);
  if (kind === 'basic-data') return readBasicData(rows);
  return readSelfEval(rows);
}

function buildForm(group: FormTables, blocks: readonly Block[], fallbackYear: number | null): { form: Form; messages: Message[] } {
  const { kind, heading } = group;
  const body = read(kind, group.rows);
  const sources: Sources = { ...body.sources };
  if (heading.attachment) sources.attachment = heading.attachment.place;
  if (heading.title) sources.title = heading.title.place;
  if (heading.year) sources.fiscalYear = heading.year.place;

  const last = group.blocks.at(-1)!;
  // a template that prints the 填表人 line between title and table prints it there for every form:
  // the line below the table is then the next form's
  let preparer = heading.preparer ?? (group.endsTable ? preparerAfter(blocks, last) : null);
  if (!preparer) {
    // some templates print the 填表人 line as the table's last row
    for (const row of group.rows.slice(-3)) {
      const cell = row.find((c) => PREPARER.test(c.text));
      const p = cell ? readPreparer(row.map((c) => c.text).join(' ')) : null;
      if (cell && p) preparer = { preparer: p, place: cell.place };
    }
  }
  if (preparer) sources.preparer = preparer.place;
  let totalScore = body.totalScore;
  if (totalScore === null && group.endsTable) {
    const printed = totalAfter(blocks, last);
    if (printed) {
      totalScore = printed.value;
      sources.totalScore = printed.place;
    }
  }
  const selfEval = kind !== 'basic-data' && kind !== 'scoring-table';
  const form: Form = {
    kind,
    attachment: heading.attachment?.text ?? null,
    title: heading.title?.text ?? null,
    fiscalYear: heading.year?.value ?? fallbackYear,
    name: selfEval ? body.name : null,
    supervisor: body.supervisor,
    implementer: body.implementer,
    funds: body.funds,
    goals: body.goals,
    indicators: body.indicators,
    totalScore,
    staffing: body.staffing,
    expenses: body.expenses,
    rubric: body.rubric,
    preparer: preparer?.preparer ?? null,
    place: group.place,
    sources,
  };
  return { form, messages: body.messages };
}

/**
 * A table's heading and its body rows. The heading is read from the paragraphs above and from title
 * rows at the top of the table (rows with one filled cell: "附件2  预算支出绩效自评表", "（2022年度）"),
 * or from the last lines of the first cell when a converter put the heading there.
 */
function splitHeading(rows: GridRow[], above: Line[]): { heading: Heading; rows: GridRow[] } {
  const inside: Line[] = [];
  let top = 0;
  for (; top < rows.length; top++) {
    const filled = rows[top]!.filter((c) => !isBlank(c.text));
    if (filled.length > 1) break;
    const only = filled[0];
    if (only && (identityField(labelText(only.text)) || isBlockHeader(rows[top]!))) break;
    if (only) inside.push(...only.text.split('\n').map((text) => ({ text, place: only.place })));
  }
  // a converter that wrapped the page into the table leaves the heading as the first cell's last lines
  const first = rows[top]?.[0];
  const firstLines = first && first.text.split('\n').length >= 3 ? first.text.split('\n').map((text) => ({ text, place: first.place })) : [];
  const heading = mergeHeadings(mergeHeadings(readHeading(inside), readHeading(firstLines)), readHeading(above));
  return { heading, rows: rows.slice(top) };
}

/**
 * One grid may hold several forms printed without a gap (a scan's page boundary lost, a converter
 * that joined tables): a second 项目支出名称 / 专项资金名称 / 部门名称 row starts the next form,
 * together with the title rows just above it.
 */
function formParts(rows: GridRow[]): { rows: GridRow[]; start: number }[] {
  const starts = [0];
  let name: string | null = null;
  let blocksSince = false;
  rows.forEach((row, k) => {
    const field = identityCells(row).find(({ field: f }) => f in KIND_BY_IDENTITY)?.field ?? null;
    if (field === null) {
      blocksSince ||= isBlockHeader(row);
      return;
    }
    // the same name label again, after the first form's blocks: a second form
    if (field === name && blocksSince) {
      let start = k;
      while (start > starts.at(-1)! + 1 && rows[start - 1]!.filter((c) => !isBlank(c.text)).length <= 1) start--;
      starts.push(start);
    }
    name = field;
    blocksSince = false;
  });
  return starts.map((start, k) => ({ rows: rows.slice(start, starts[k + 1] ?? rows.length), start }));
}

const isBlockHeader = (row: GridRow) =>
  isIndicatorHeader(row) || isFundHeader(row) || isGoalsHeader(row) || isRubricHeader(row) || isStaffingHeader(row) || isExpenseHeader(row);

const KIND_BY_IDENTITY = { projectName: 'project-self-eval', fundName: 'fund-self-eval', deptName: 'dept-self-eval' } as const;

/** The kind from what the table prints; the title only decides between self-evaluation forms. */
function classify(rows: GridRow[], heading: Heading): FormKind | null {
  let identity: FormKind | null = null;
  let indicators = false;
  let funds = false;
  let rubric = false;
  let basic = false;
  rows.forEach((row, k) => {
    for (const { field } of identityCells(row)) {
      if (field in KIND_BY_IDENTITY) identity ??= KIND_BY_IDENTITY[field as keyof typeof KIND_BY_IDENTITY];
    }
    if (isIndicatorHeader(row)) indicators = true;
    else if (isRubricHeader(row)) rubric = true;
    else if (isFundHeader(row)) funds = true;
    else if (isStaffingHeader(row) || isExpenseHeader(row, rows[k - 1])) basic = true;
  });
  if (rubric && !indicators) return 'scoring-table';
  if (basic && !indicators) return 'basic-data';
  if (identity && (indicators || funds)) return identity;
  if ((indicators || funds) && heading.title) {
    const title = heading.title.text;
    if (/部门整体|整体支出/.test(title)) return 'dept-self-eval';
    if (/专项资金/.test(title)) return 'fund-self-eval';
    if (/项目/.test(title) || /预算支出/.test(title)) return 'project-self-eval';
  }
  // a name row alone, without fund or 绩效指标 block, is no form to read
  return null;
}

/**
 * A table with the fund and 绩效指标 blocks of a self-evaluation form whose name row and title were
 * lost (an OCR slip in "项目支出名称"): one of a series, like the self-evaluation form before it.
 */
function kindAmong(previous: FormTables | undefined, rows: GridRow[]): FormKind | null {
  if (!previous || previous.kind === 'basic-data' || previous.kind === 'scoring-table') return null;
  return rows.some(isFundHeader) && rows.some(isIndicatorHeader) ? previous.kind : null;
}

/**
 * A headless table right after a form, with nothing but page furniture between, that holds rows of
 * the form's blocks (a repeated header, or rows as wide as the form's): the form split by a page break.
 */
function continues(previous: FormTables, blocks: readonly Block[], index: number, rows: GridRow[], kind: FormKind | null): boolean {
  const lastIndex = previous.blocks.at(-1)!;
  for (let k = lastIndex + 1; k < index; k++) {
    const b = blocks[k]!;
    if (b.type !== 'paragraph' || !/^[-—\s\d第页/共]*$/.test(b.text)) return false;
  }
  if (kind !== null && kind !== previous.kind) return false;
  const filled = rows.filter((r) => r.some((c) => !isBlank(c.text)));
  if (filled.length === 0) return false;
  // a second fund or goals block is the next form (its name row unread), not more of this one;
  // only the 绩效指标 header repeats on every page
  const opens = (test: (row: GridRow) => boolean) => filled.some(test) && previous.rows.some(test);
  if (opens(isFundHeader) || opens(isGoalsHeader)) return false;
  if (filled.some(isBlockHeader)) return true;
  // by width alone only while the form is open: after its 总分 row or 填表人 line nothing more of it
  // follows, and a table that opens with a header row of its own (项目名称 | 预算数 | 执行数, 序号…,
  // a 收入支出决算总表) is a table of the narrative however wide it is
  if (isClosed(previous.rows) || opensOwnHeader(filled[0]!)) return false;
  const width = Math.max(...previous.rows.slice(-5).map((r) => r.length));
  return Math.abs(filled[0]!.length - width) <= 1;
}

/** Its last rows hold the 总分 row or the 填表人 line ("合计" may be a fund line: it closes nothing). */
function isClosed(rows: GridRow[]): boolean {
  const last = rows.filter((r) => r.some((c) => !isBlank(c.text))).slice(-3);
  const total = (label: string) => TOTAL_ROW.test(label) && !/^(合计|总计)$/.test(label);
  return last.some((row) => row.some((c) => PREPARER.test(c.text)) || row.slice(0, 2).some((c) => total(labelText(c.text))));
}

/** A header row: no figure, and a column label no form row starts with (名称, 序号, 科目, 预算数…). */
function opensOwnHeader(row: GridRow): boolean {
  const texts = row.map((c) => labelText(c.text)).filter((t) => t !== '');
  if (texts.some((t) => /^[\d.,%-]+$/.test(t))) return false;
  return texts.some((t) => fundRole(t) !== null || /^(序号|编号|科目|项目|收入|支出)$|名称$|^(科目|功能分类|经济分类)/.test(t));
}
