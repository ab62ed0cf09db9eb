// What a form says about itself outside its grid: the 附件N label and title above it (as paragraphs,
// or inside the table's first row: "附件2  预算支出绩效自评表" / "（ 2022 年度）"), and the
// 填表人/填报日期/联系电话 line below it.
import type { Block, Place } from '../../schemas/model.js';
import type { Preparer } from '../../schemas/record.js';
import { parseDate, squash } from '../normalize/text.js';
import { ATTACHMENT, FORM_PREAMBLE, isFormTitle, PREPARER, YEAR_LINE } from './labels.js';

export interface Heading {
  attachment: { text: string; place: Place } | null;
  title: { text: string; place: Place } | null;
  year: { value: number; place: Place } | null;
  /** a 填表人 line printed between the title and the table (some templates put it above the grid) */
  preparer: { preparer: Preparer; place: Place } | null;
}
export interface Line {
  text: string;
  place: Place;
}

const emptyHeading = (): Heading => ({ attachment: null, title: null, year: null, preparer: null });

/** "附件6-1：" -> "附件6-1"; "附件２" -> "附件2". */
function attachmentLabel(number: string): string {
  return `附件${squash(number).replace(/[－—]/g, '-')}`;
}

const yearOf = (text: string): number | null => {
  const m = /((?:19|20)\d{2})\s*年/.exec(text);
  return m?.[1] ? Number(m[1]) : null;
};

/**
 * Read a heading from the lines just above a form (in document order), walking up from the last line
 * while lines are 附件 labels, titles or year subtitles; any other line ends the heading.
 */
export function readHeading(lines: readonly Line[]): Heading {
  const heading = emptyHeading();
  let preparer: Heading['preparer'] = null;
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k]!;
    const text = line.text.trim();
    if (text === '') continue;
    // below the title only: a 填表人 line above it closes the form before
    const found = !heading.title && !heading.attachment ? readPreparer(text) : null;
    if (found) {
      preparer ??= { preparer: found, place: line.place };
      continue;
    }
    const year = YEAR_LINE.exec(squash(text));
    const att = ATTACHMENT.exec(text);
    if (att?.[1] !== undefined) {
      heading.attachment ??= { text: attachmentLabel(att[1]), place: line.place };
      const rest = (att[2] ?? '').trim();
      if (rest !== '' && isFormTitle(rest)) heading.title ??= { text: rest, place: line.place };
      continue;
    }
    if (year?.[1] !== undefined && !heading.title) {
      heading.year ??= { value: Number(year[1]), place: line.place };
      continue;
    }
    if (isFormTitle(text) && !heading.title && !heading.attachment) {
      heading.title = { text, place: line.place };
      continue;
    }
    if (FORM_PREAMBLE.test(squash(text))) continue;
    break;
  }
  if (heading.title || heading.attachment) heading.preparer = preparer;
  if (heading.title && !heading.year) {
    const y = yearOf(heading.title.text);
    if (y !== null) heading.year = { value: y, place: heading.title.place };
  }
  return heading;
}

/** Paragraph lines between the previous table and `index` (the form's first table), in order. */
export function linesBefore(blocks: readonly Block[], index: number): Line[] {
  const lines: Line[] = [];
  for (let k = index - 1; k >= 0 && lines.length < 6; k--) {
    const b = blocks[k]!;
    if (b.type !== 'paragraph') break;
    lines.unshift({ text: b.text, place: b.place });
  }
  return lines;
}

/** Merge a heading found inside the table with one found above it: the nearer (inside) wins. */
export function mergeHeadings(inside: Heading, above: Heading): Heading {
  return {
    attachment: inside.attachment ?? above.attachment,
    title: inside.title ?? above.title,
    year: inside.year ?? above.year,
    preparer: inside.preparer ?? above.preparer,
  };
}

const PREPARER_LABELS = '填表人|填报人|填报日期|填表日期|填报时间|填表时间|日期|联系电话|联系方式|电话|单位负责人|负责人|审核人';

/**
 * The 填表人 line: "填表人：吴蓉 填报日期：2023年7月4日 联系电话：13762795777 单位负责人签字：".
 * A line whose fields are all blank (a template left unfilled) gives null.
 */
export function readPreparer(text: string): Preparer | null {
  if (!PREPARER.test(text)) return null;
  const field = (label: RegExp): string | null => {
    // OCR reads a colon as a semicolon now and then: "填表人：  填报日期；  联系电话："
    const m = new RegExp(`(?:${label.source})\\s*[:：;；]\\s*(.*?)\\s*(?=(?:${PREPARER_LABELS})(?:签字|签章|签名)?\\s*[:：;；]|$)`).exec(text);
    const v = m?.[1]?.trim() ?? '';
    return v === '' ? null : v;
  };
  const name = field(/填表人|填报人/);
  const rawDate = field(/填报日期|填表日期|填报时间|填表时间/);
  const rawPhone = field(/联系电话|联系方式|电话/);
  const phone = rawPhone ? (/[\d][\d\-－ ]{5,}\d/.exec(rawPhone)?.[0] ?? rawPhone) : null;
  const date = rawDate ? (parseDate(rawDate) ?? rawDate) : null;
  if (name === null && date === null && phone === null) return null;
  return { name, date, phone };
}

/**
 * The preparer line after a form: the few paragraphs below its last table, up to the next table or
 * 附件 label (a form's notes — 说明, 备注 — may come first).
 */
export function preparerAfter(blocks: readonly Block[], lastTable: number): { preparer: Preparer; place: Place } | null {
  for (let k = lastTable + 1, seen = 0; k < blocks.length && seen < 5; k++, seen++) {
    const b = blocks[k]!;
    // the next form's heading: what follows is no longer this form's
    if (b.type !== 'paragraph' || ATTACHMENT.test(b.text.trim()) || isFormTitle(b.text)) return null;
    const preparer = readPreparer(b.text);
    if (preparer) return { preparer, place: b.place };
    if (PREPARER.test(b.text)) return null;
  }
  return null;
}

/** The year the document evaluates: the fallback year of a form that prints none. */
export function documentYear(blocks: readonly Block[]): number | null {
  return evaluatedYear(blocks.flatMap((b) => (b.type === 'paragraph' ? [b.text] : b.rows.flat().map((c) => c.text))));
}

/**
 * The year a text evaluates, from its "NNNN年度" mentions. A year inside 《》 belongs to a cited
 * document ("按照《某县2024年度预算绩效管理工作方案》要求，对2023年度项目支出开展了绩效自评") and never
 * counts; a year the text says it evaluates ("2023年度…绩效自评", "对2023年度…评价") wins, unless its
 * clause names a plan or notice about the evaluation; else the year written most often, the first of
 * equals on a tie. A year the text compares against ("与2022年度相比", "较2022年度增加", "比2022年度
 * 减少") is the baseline, not the year evaluated, and never counts either.
 */
const BASELINE_BEFORE = /(?:(?<!参)与|较|比|同)$/; // not 参与: "参与2023年度绩效评价" states the year
const CITED_DOCUMENT = /方案|通知|办法|要点|计划|意见|规定|细则|指引|安排/;
export function evaluatedYear(texts: Iterable<string>): number | null {
  const counts = new Map<number, number>();
  let stated: number | null = null;
  for (const text of texts) {
    const plain = squash(text).replace(/《[^》]*》|〈[^〉]*〉/g, '');
    for (const m of plain.matchAll(/((?:19|20)\d{2})年度([^，。；,;：:]*)/g)) {
      const year = Number(m[1]);
      if (BASELINE_BEFORE.test(plain.slice(0, m.index))) continue;
      counts.set(year, (counts.get(year) ?? 0) + 1);
      // the clause names the evaluation, not a document about it ("2024年度绩效评价工作方案")
      const clause = m[2] ?? '';
      if (stated === null && /自评|评价/.test(clause) && !CITED_DOCUMENT.test(clause)) stated = year;
    }
  }
  if (stated !== null) return stated;
  let best: number | null = null;
  for (const [year, n] of counts) if (best === null || n > counts.get(best)!) best = year;
  return best;
}

/** Total score printed under a table: "得分：97分", "总分：99". */
export function totalAfter(blocks: readonly Block[], lastTable: number): { value: number; place: Place } | null {
  for (let k = lastTable + 1, seen = 0; k < blocks.length && seen < 3; k++, seen++) {
    const b = blocks[k]!;
    if (b.type !== 'paragraph') return null;
    const m = /^(?:总分|得分|总得分|合计|自评得分|综合得分)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?$/.exec(squash(b.text));
    if (m?.[1]) return { value: Number(m[1]), place: b.place };
  }
  return null;
}
