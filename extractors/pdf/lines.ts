// Text runs -> lines -> paragraphs. PDF has no paragraphs, only positioned glyph runs: a line is
// the runs sharing a baseline; a paragraph is the lines between two breaks, where a break is what a
// reader sees (indent, a short last line, a numbering marker, extra space, a size change).
import { type Box, type Run, runBottom, runTop, unionBox } from './geometry.js';

export interface Line {
  runs: Run[];
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  base: number;
  size: number;
}

/** CJK ideographs, kana, full-width forms and CJK punctuation: no space between two of them. */
export const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c-\u201d\u2018-\u2019\u2026\u2014]/;

/**
 * Join the runs of one line left to right. A gap becomes a space when it is visibly wider than
 * glyph spacing (0.15 em), except between CJK characters, which Chinese text sets without spaces
 * (justified lines spread them slightly); a CJK gap wider than an em is a deliberate separation
 * ("填表人：吴蓉    填报日期：…") and keeps one space.
 */
export function joinRuns(runs: Run[]): string {
  const sorted = [...runs].sort((a, b) => a.x0 - b.x0);
  let text = '';
  let prev: Run | undefined;
  for (const r of sorted) {
    if (prev) {
      const gap = r.x0 - prev.x1;
      const em = Math.max(prev.size, r.size);
      const cjk = CJK.test(prev.str.slice(-1)) && CJK.test(r.str.charAt(0));
      if (gap > (cjk ? 1.0 : 0.15) * em) text += ' ';
    }
    text += r.str;
    prev = r;
  }
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Group runs into lines by baseline: runs whose baselines lie within 0.4 em of the line's first run
 * share the line (a 9pt "数" set 0.5pt lower than its neighbours still belongs to them).
 */
export function groupLines(runs: Run[]): Line[] {
  const sorted = [...runs].sort((a, b) => a.base - b.base || a.x0 - b.x0);
  const groups: Run[][] = [];
  let cur: Run[] = [];
  for (const r of sorted) {
    const first = cur[0];
    if (first && Math.abs(r.base - first.base) > 0.4 * Math.min(first.size, r.size)) {
      groups.push(cur);
      cur = [];
    }
    cur.push(r);
  }
  if (cur.length) groups.push(cur);
  return groups.map(makeLine);
}

function makeLine(runs: Run[]): Line {
  runs.sort((a, b) => a.x0 - b.x0);
  const size = Math.max(...runs.map((r) => r.size));
  return {
    runs,
    text: joinRuns(runs),
    x0: Math.min(...runs.map((r) => r.x0)),
    x1: Math.max(...runs.map((r) => r.x1)),
    top: Math.min(...runs.map(runTop)),
    bottom: Math.max(...runs.map(runBottom)),
    base: runs[0]!.base,
    size,
  };
}

/**
 * Split one line where it crosses a gap wider than `minGap` em: a line of a borderless table
 * ("编制数      2022 年实际在职人数      控制率") is several cells that happen to share a baseline.
 */
export function splitLine(line: Line, minGap: number): Line[] {
  const parts: Run[][] = [[]];
  let prev: Run | undefined;
  for (const r of line.runs) {
    if (prev && r.x0 - prev.x1 > minGap * Math.max(prev.size, r.size)) parts.push([]);
    parts[parts.length - 1]!.push(r);
    prev = r;
  }
  return parts.map(makeLine);
}

export const lineBox = (l: Line): Box => [l.x0, l.top, l.x1, l.bottom];
export const linesBox = (ls: Line[]): Box => unionBox(ls.map(lineBox));

/** The text of a block of lines (a table cell): lines top to bottom, joined with "\n". */
export const linesText = (ls: Line[]) => ls.map((l) => l.text).join('\n');

/**
 * A numbering marker that starts a new paragraph: 第一部分, 一、, （一）, (1), 1、, 1. (not a
 * decimal "12.00"), 1 、. A wrapped line rarely starts with one of these.
 */
export const NUMBERING = /^(第[一二三四五六七八九十百\d]+部分|[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百\d]+\s*[)）]|\d{1,3}\s*[、．]|\d{1,3}\.(?!\d)|[①-⑳])/;

/** A narrative line with the page it sits on. */
export interface PageLine extends Line {
  page: number;
}

export interface TextFrame {
  /** left edge of body text (where continuation lines start) */
  left: number;
  /** right edge of full lines */
  right: number;
  /** usual distance between consecutive baselines of one paragraph */
  pitch: number;
}

/**
 * The body frame of a document from its narrative lines: the most common left edge, the edge that
 * full lines reach, the usual baseline pitch. Measured over the whole document: one page of a
 * report may hold three lines only.
 */
export function measureFrame(lines: PageLine[], pageWidth: number): TextFrame {
  const byPage = new Map<number, PageLine[]>();
  for (const l of lines) byPage.set(l.page, [...(byPage.get(l.page) ?? []), l]);
  const lefts = new Map<number, number>();
  for (const l of lines) lefts.set(Math.round(l.x0), (lefts.get(Math.round(l.x0)) ?? 0) + 1);
  // the leftmost edge that a fair share of lines start at; stray out-dented lines do not count
  const minShare = Math.max(2, lines.length * 0.1);
  const candidates = [...lefts].filter(([, n]) => n >= minShare).map(([x]) => x);
  const left = candidates.length ? Math.min(...candidates) : Math.min(...lines.map((l) => l.x0), pageWidth * 0.1);
  const rights = lines.map((l) => l.x1).sort((a, b) => b - a);
  const right = rights.length ? rights[Math.floor(rights.length * 0.1)]! : pageWidth * 0.9;
  const pitches: number[] = [];
  for (const ls of byPage.values()) {
    for (let i = 1; i < ls.length; i++) {
      const d = ls[i]!.base - ls[i - 1]!.base;
      // lines of one paragraph sit closer than 2.5 ems; farther pairs are gaps, not the pitch
      if (d > 0 && d < 2.5 * ls[i]!.size && Math.abs(ls[i]!.size - ls[i - 1]!.size) < 0.5) pitches.push(d / ls[i]!.size);
    }
  }
  pitches.sort((a, b) => a - b);
  const pitch = pitches.length ? pitches[Math.floor(pitches.length / 2)]! : 1.5;
  return { left, right, pitch };
}

/**
 * Whether `next` starts a new paragraph after `prev` (consecutive narrative lines, same page or
 * `next` first on the following page). `firstOfPara` is the paragraph's first line, `contX` the x
 * its continuation lines start at, once known.
 */
export function startsParagraph(prev: PageLine, next: PageLine, frame: TextFrame, contX: number | null): boolean {
  const em = Math.max(prev.size, next.size);
  if (Math.abs(prev.size - next.size) > 0.15 * em) return true;
  // a page between them was not read here (damaged, or a scan that OCR reads): nothing joins over it
  if (next.page > prev.page + 1) return true;
  if (next.page === prev.page) {
    const pitch = (next.base - prev.base) / next.size;
    if (pitch > Math.max(frame.pitch * 1.45, frame.pitch + 0.6)) return true; // extra space above
  }
  if (prev.x1 < frame.right - 2 * em) return true; // the previous line stopped short: it ended
  const base = contX ?? frame.left;
  if (next.x0 > base + 0.9 * em) return true; // an indented first line
  if (opensBlock(next, frame)) return true;
  // a marker at the margin starts an item only after a finished sentence: a wrap can put
  // "一、" at a line start ("…标准统" / "一、程序到位…"), and a list run into its lead-in
  // ("主要职责是：" / "1、组织拟订…") is one paragraph in the source
  return NUMBERING.test(next.text) && SENTENCE_END.test(prev.text);
}

const SENTENCE_END = /[。；;！!？?]$/;

/** An attachment label on a line of its own: "附件 2", "附表1：", "附件二". */
const ATTACHMENT = /^附[件表]\s*[\d一二三四五六七八九十]{1,3}\s*[：:]?$/;
/** A form title: "2023 年度部门整体支出绩效自评表", "项目支出绩效自评表（2023 年度）". */
const FORM_TITLE = /表(\s*[（(][^（()）]{1,12}[)）])?$/;
/** A chapter marker of a heading: 第一部分, 一、, （一）; digits ("1.") number list items as well. */
const HEADING_MARKER = /^(第[一二三四五六七八九十百\d]+部分|[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百]+\s*[)）])/;

/**
 * A line that opens a block of its own whatever came before: a form's attachment label or title,
 * a chapter heading. Each is short (it stops well short of the right edge, so no wrap carries on
 * after it) and has no sentence punctuation, which a sentence tail wrapped to a new line
 * ("一、二季度完成情况较好。") has. Without this, "…联系电话：0817-3325016" followed by "附件 2"
 * became one paragraph and the next form lost its attachment, and a centred report title took the
 * first heading into it.
 */
function opensBlock(line: PageLine, frame: TextFrame): boolean {
  const text = line.text.trim();
  if (line.x1 > frame.right - 2 * line.size || /[，,。；;！!？?]/.test(text) || text.length > 40) return false;
  if (ATTACHMENT.test(text)) return true;
  if (HEADING_MARKER.test(text)) return true;
  return FORM_TITLE.test(text) && text.length >= 6 && !/^[\d.%]/.test(text);
}

/** Page numbers as printed in headers and footers: "1", "1/5", "Page 3", "3 of 5". */
const PAGE_NUMBER = /^(\d{1,4}|\d{1,4}\s*\/\s*\d{1,4}|(page\s*)?\d{1,4}(\s*of\s*\d{1,4})?)$/i;
/**
 * Page numbers no content line looks like: "-1-", "— 2 —", "第 1 页", "第1页 共5页". They go wherever
 * they stand: a cover page set as a text frame prints its "-1-" mid-page.
 */
const PAGE_NUMBER_MARKED = /^([-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(\s*[,，]?\s*共\s*\d{1,4}\s*页)?|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$/;

export interface PageLines {
  page: number;
  height: number;
  lines: Line[];
}

/**
 * Page furniture: headers, footers and page numbers, which would otherwise land inside paragraphs
 * and split tables. A line is furniture when it sits in the top or bottom margin band and either
 * looks like a page number or recurs (digits ignored: "第 3 页") at the same height on another page.
 * Returns, per page, the set of line indexes to drop.
 */
export function findFurniture(pages: PageLines[]): Map<number, Set<number>> {
  const drop = new Map<number, Set<number>>();
  const key = (l: Line) => l.text.replace(/\d+/g, '#').replace(/\s+/g, '');
  const band = (l: Line, h: number, share: number) => (l.top + l.bottom) / 2 < h * share || (l.top + l.bottom) / 2 > h * (1 - share);
  const seen = new Map<string, { page: number; y: number }[]>();
  for (const p of pages) {
    p.lines.forEach((l) => {
      if (!band(l, p.height, 0.075)) return;
      const k = key(l);
      seen.set(k, [...(seen.get(k) ?? []), { page: p.page, y: l.base }]);
    });
  }
  for (const p of pages) {
    const set = new Set<number>();
    p.lines.forEach((l, i) => {
      const text = l.text.trim();
      if (PAGE_NUMBER_MARKED.test(text) || (band(l, p.height, 0.12) && PAGE_NUMBER.test(text))) set.add(i);
      else if (band(l, p.height, 0.075)) {
        const others = (seen.get(key(l)) ?? []).filter((o) => o.page !== p.page && Math.abs(o.y - l.base) < 3);
        if (others.length > 0) set.add(i);
      }
    });
    if (set.size) drop.set(p.page, set);
  }
  return drop;
}
