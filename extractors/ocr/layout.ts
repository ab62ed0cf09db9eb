// Text lines -> paragraphs, the way the page prints them: a paragraph starts indented (首行缩进),
// after a line that stopped short of the right margin or after a wide gap, with a heading's number,
// or in a larger type; a line that ran to the right margin goes on in the next one. Chinese lines join without a space.
import { NUMBERING } from '../pdf/lines.js';
import type { OcrLine } from './recognize.js';

export interface OcrParagraph {
  text: string;
  box: [number, number, number, number];
  confidence: number;
  lines: OcrLine[];
}

/** "-1-", "- 12 -", "— 3 —", "第 2 页", "第2页 共15页", "2 / 15": page furniture, never content. */
export function isPageNumber(text: string): boolean {
  const t = text.replace(/\s+/g, '');
  return /^[-—–－~]\d{1,4}[-—–－~]$/.test(t) || /^第\d{1,4}页(,?共\d{1,4}页)?$/.test(t) || /^\d{1,4}\/\d{1,4}$/.test(t) || /^共\d{1,4}页第\d{1,4}页$/.test(t);
}

/** OCR residue of speckle and page edges: no letter, digit or CJK character at all, or a lone mark read with little confidence. */
export function isNoise(line: OcrLine): boolean {
  if (!/[\p{L}\p{N}]/u.test(line.text)) return true;
  return [...line.text].length <= 2 && line.confidence < 0.5;
}

const CJK_END = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$/;
const CJK_START = /^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

export function joinLines(a: string, b: string): string {
  if (a === '') return b;
  return CJK_END.test(a) || CJK_START.test(b) ? a + b : `${a} ${b}`;
}

/**
 * Group a page's lines (top to bottom) into paragraphs. `left`/`right` are the text column's
 * margins; a character's width comes from the lines themselves (their height).
 */
export function paragraphs(lines: OcrLine[], left: number, right: number): OcrParagraph[] {
  const out: OcrParagraph[] = [];
  let prev: OcrLine | null = null;
  for (const line of lines) {
    const em = Math.max(10, line.box[3] - line.box[1]);
    const current = out[out.length - 1];
    const size = typeSize(line), prevSize = prev ? typeSize(prev) : size;
    const goesOn =
      current !== undefined && prev !== null &&
      right - prev.box[2] < 1.5 * em && // the previous line ran to the margin
      line.box[0] - left < 1.0 * em && // this one is not indented
      line.box[1] - prev.box[3] < 1.2 * em && // and follows closely
      !NUMBERING.test(line.text) && // nor opens with a heading's number ("三、", "（二）")
      Math.abs(size - prevSize) < 0.3 * Math.max(size, prevSize); // in a type of the same size: a heading set larger stands alone
    if (goesOn && current) {
      current.text = joinLines(current.text, line.text);
      current.lines.push(line);
      current.box = [Math.min(current.box[0], line.box[0]), current.box[1], Math.max(current.box[2], line.box[2]), line.box[3]];
    } else {
      out.push({ text: line.text, box: [...line.box], confidence: line.confidence, lines: [line] });
    }
    prev = line;
  }
  for (const p of out) {
    const chars = p.lines.reduce((n, l) => n + [...l.text].length, 0);
    p.confidence = chars ? p.lines.reduce((s, l) => s + l.confidence * [...l.text].length, 0) / chars : 0;
  }
  return out;
}

/**
 * A line's type size: the lower quartile of its words' heights. A line's own box grows with a
 * bracket or a tall mark, and tesseract boxes some words a line's spacing tall (65 px round 31-px
 * glyphs), half the words of a short line.
 */
function typeSize(line: OcrLine): number {
  const heights = line.words.map((w) => w.box[3] - w.box[1]).sort((a, b) => a - b);
  return heights.length > 0 ? heights[Math.floor(heights.length / 4)]! : line.box[3] - line.box[1];
}

/** The text column's margins: the most common line starts and ends, robust to a centred title. */
export function margins(lines: OcrLine[], pageWidth: number): { left: number; right: number } {
  if (lines.length === 0) return { left: 0, right: pageWidth };
  const starts = lines.map((l) => l.box[0]).sort((a, b) => a - b);
  const ends = lines.map((l) => l.box[2]).sort((a, b) => a - b);
  // lower decile of starts, upper decile of ends: a few stray marks outside the column do not count
  return { left: starts[Math.floor(starts.length * 0.1)]!, right: ends[Math.min(ends.length - 1, Math.floor(ends.length * 0.9))]! };
}
