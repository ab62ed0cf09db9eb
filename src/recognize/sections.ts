// Narrative sections (CONTRACT.md, "Narrative sections"): headings found from their numbering
// markers and their neighbours, never from a format's styles, so every format that yields the same
// paragraphs yields the same sections. Paragraph.headingHint is deliberately ignored: Word styles
// and <h2> tags are applied inconsistently by the people who write these reports.
import type { DocModel, Place } from '../../schemas/model.js';
import type { Section } from '../../schemas/record.js';
import { stripBookmarks } from '../normalize/text.js';

/** One piece of narrative as the rules see it: a non-empty paragraph, or a table (a barrier). */
type Item = { kind: 'paragraph'; text: string; place: Place } | { kind: 'table' };

const CN_NUM = '一二三四五六七八九十百零〇';
const DIGIT = '0-9０-９';
const MARKERS: Array<[RegExp, number]> = [
  [new RegExp(`^第\\s*[${CN_NUM}${DIGIT}]+\\s*部分`), 0],
  [new RegExp(`^[${CN_NUM}]+\\s*、`), 1],
  [new RegExp(`^[（(]\\s*[${CN_NUM}]+\\s*[）)]`), 2],
  // "1、" "1." "1．" "3 、" but not a decimal such as "12.00"
  [new RegExp(`^[${DIGIT}]+\\s*(?:、|[.．](?![${DIGIT}]))`), 3],
  [new RegExp(`^[（(]\\s*[${DIGIT}]+\\s*[）)]`), 4],
];

/** The level of the numbering marker a line starts with, or null. */
export function markerLevel(text: string): number | null {
  for (const [re, level] of MARKERS) if (re.test(text)) return level;
  return null;
}

const SENTENCE_BREAK = /[。；;！!？?：:]/;
const PUNCTUATION = /\p{P}/u;
const length = (s: string) => [...s].length;

/** Only a date: the last line of a sign-off ("2023年6月20日", "2023.6.20"). */
const DATE_ONLY = new RegExp(
  `^[${DIGIT}${CN_NUM}]{4}\\s*[年.\\-/．]\\s*[${DIGIT}${CN_NUM}]{1,2}\\s*[月.\\-/．]\\s*[${DIGIT}${CN_NUM}]{1,3}\\s*日?$`,
);
/**
 * "附件2", "附件6-1：", "附件一" on a line of its own; also a bare "附件" / "附件：" — a report with a
 * single attachment often leaves the number off, and the word alone is never running text.
 */
const ATTACHMENT = new RegExp(`^附件\\s*(?:[${DIGIT}${CN_NUM}]+(?:\\s*[-－—–]\\s*[${DIGIT}]+)?)?\\s*[:：]?$`);
const REPORT_TITLE_END = /(?:报告|自评表|数据表|评分表|指标表)$/;

const isDateOnly = (t: string) => DATE_ONLY.test(t);
const isAttachment = (t: string) => ATTACHMENT.test(t);
/**
 * A chart's data series as converters print it: "收入\t支出\t5996.78\t799.38". Formats that lose the
 * TABs (HTML collapses them, a PDF text layer has only gaps) print it with spaces; it still ends in
 * two bare numbers and has no sentence punctuation, which running text never does.
 */
const isChartData = (t: string) =>
  (t.match(/\t/g)?.length ?? 0) >= 2 ||
  (t.split(/\s+/).length >= 3 && /\s\d+(?:\.\d+)?\s+\d+(?:\.\d+)?$/.test(t) && !/[。，；;：:！!？?,]/.test(t));
/** A signer's name or a chart caption: one short line without punctuation. */
const isShortLabel = (t: string) => length(t) <= 30 && !PUNCTUATION.test(t) && !t.includes('\n');
const isReportTitle = (t: string) => length(t) <= 40 && !PUNCTUATION.test(t) && REPORT_TITLE_END.test(t);
const isBracketed = (t: string) => /^[（(].*[）)]$/s.test(t);

function narrativeItems(model: DocModel): Item[] {
  const items: Item[] = [];
  for (const block of model.blocks) {
    if (block.type === 'table') {
      items.push({ kind: 'table' });
      continue;
    }
    const text = trimOuter(stripBookmarks(block.text));
    if (text !== '') items.push({ kind: 'paragraph', text, place: block.place });
  }
  return items;
}

/** Outer white space including TAB and U+3000; inner spaces stay ("1、 收入支出决算总体情况说明"). */
function trimOuter(s: string): string {
  return s.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
}

export function recognizeSections(model: DocModel): Section[] {
  const items = narrativeItems(model);
  const text = (i: number): string | null => {
    const item = items[i];
    return item?.kind === 'paragraph' ? item.text : null;
  };

  /** Things a heading cannot sit directly above: a table, 附件N, a sign-off, chart data. */
  const blocksHeading = (i: number): boolean => {
    const item = items[i];
    if (!item) return true; // the end of the document
    if (item.kind === 'table') return true;
    const t = item.text;
    if (isAttachment(t) || isDateOnly(t) || isChartData(t)) return true;
    const next = text(i + 1);
    return isShortLabel(t) && next !== null && (isDateOnly(next) || isChartData(next));
  };

  /** Where body text stops: the above, plus report titles and the bracketed subtitle under them. */
  const stopsText = (i: number): boolean => {
    const t = text(i);
    if (t === null) return true;
    if (blocksHeading(i) || isReportTitle(t)) return true;
    const prev = text(i - 1);
    return isBracketed(t) && prev !== null && isReportTitle(prev);
  };

  const levels = items.map((item) => (item.kind === 'paragraph' ? markerLevel(item.text) : null));
  // Rules 1-4 and "the next paragraph is not numbered at the same level".
  const candidate = items.map((item, i) => {
    const level = levels[i];
    if (item.kind !== 'paragraph' || level == null) return false;
    const chars = [...item.text];
    if (chars.length > 40) return false;
    if (SENTENCE_BREAK.test(chars.slice(0, -1).join(''))) return false;
    if (blocksHeading(i + 1)) return false;
    return levels[i + 1] !== level;
  });
  // A list's last item ("（十）完成县委、县政府交办的其他任务。") has no body of its own; whether the
  // next line is body depends only on what follows it, so one pass from the end decides everything.
  const heading = new Array<boolean>(items.length).fill(false);
  for (let i = items.length - 1; i >= 0; i--) {
    if (!candidate[i]) continue;
    const closesList = i > 0 && levels[i - 1] === levels[i];
    const hasBody = !heading[i + 1] && !stopsText(i + 1);
    heading[i] = !(closesList && !hasBody);
  }

  const sections: Section[] = [];
  let body: string[] | null = null;
  items.forEach((item, i) => {
    if (item.kind !== 'paragraph') {
      body = null;
      return;
    }
    if (heading[i]) {
      const level = levels[i] ?? 0;
      body = [];
      sections.push({ heading: item.text, level, text: '', place: item.place });
      return;
    }
    if (stopsText(i)) {
      body = null;
      return;
    }
    if (body) {
      body.push(item.text);
      const section = sections[sections.length - 1];
      if (section) section.text = body.join('\n');
    }
  });
  return sections;
}
