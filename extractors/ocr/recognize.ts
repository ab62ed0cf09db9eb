// One tesseract pass over a grey raster, as lines of words with boxes and confidences.
import type { Worker } from 'tesseract.js';
import { pad, toPgm, type Gray } from './raster.js';
import { runOcr, PSM, type OcrLang } from './scheduler.js';

export interface OcrWord { text: string; box: [number, number, number, number]; confidence: number }
export interface OcrLine { text: string; box: [number, number, number, number]; confidence: number; words: OcrWord[] }

const MARGIN = 10;

/** Recognise `img` with page-segmentation mode `psm`; boxes come back in `img`'s pixels plus (dx, dy). */
export async function recognizeLines(img: Gray, psm: PSM, dx = 0, dy = 0, lang: OcrLang = 'chi_sim'): Promise<OcrLine[]> {
  const padded = pad(img, MARGIN);
  const result = await runOcr(lang, psm, (worker: Worker) => worker.recognize(toPgm(padded), {}, { text: true, blocks: true }));
  const lines: OcrLine[] = [];
  for (const block of result.data.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        const words = line.words
          .map((w) => ({
            text: fixOcrText(w.text.trim()),
            box: [w.bbox.x0 - MARGIN + dx, w.bbox.y0 - MARGIN + dy, w.bbox.x1 - MARGIN + dx, w.bbox.y1 - MARGIN + dy] as OcrWord['box'],
            confidence: w.confidence / 100,
          }))
          .filter((w) => w.text !== '');
        if (words.length === 0) continue;
        lines.push({ text: fixOcrLine(joinWords(words.map((w) => w.text))), box: unionBox(words.map((w) => w.box)), confidence: meanConfidence(words), words });
      }
    }
  }
  return lines;
}

/**
 * chi_sim's habits fixed where they cannot be meant: it reads the full-width bracket "（" as the
 * angle bracket "〈" (U+3008), which Chinese forms never print ("〈共性)" is "（共性）"); it reads
 * a table rule as "|", which they never print either.
 */
export function fixOcrText(s: string): string {
  return s.replace(/\u3008/g, '（').replace(/\u3009/g, '）').replace(/\|/g, '');
}

/**
 * Line-level fixes: a book-title bracket "《" that a round bracket closes ("效益指标《30分)") or
 * that holds a score ("《10分》") is the round bracket "（" misread; a Latin "X" between something
 * that is not a Latin letter and a percentage is the multiplication sign of a formula
 * ("计划成本X100%", chi_sim has no "×"); "附牛" before a number is an attachment label "附件"
 * that lost the radical of "件".
 */
export function fixOcrLine(s: string): string {
  return s
    .replace(/《([^《》]*?)[)）]/g, '（$1）').replace(/《(\d+(?:\.\d+)?分)》/g, '（$1）')
    .replace(/(^|[^A-Za-z\s])\s?[Xx]\s?(?=\d+(?:\.\d+)?%)/g, '$1×')
    .replace(/附牛(?=\s*\d)/g, '附件');
}

const ASCII_WORD = /[A-Za-z0-9%.,)\]]$/;
const ASCII_START = /^[A-Za-z0-9(\[]/;

/** Tesseract splits Chinese into 1–2 character "words"; only Latin words keep a space between them. */
export function joinWords(words: string[]): string {
  let out = '';
  for (const w of words) {
    out += out !== '' && ASCII_WORD.test(out) && ASCII_START.test(w) && !/\d$/.test(out) ? ` ${w}` : w;
  }
  return out;
}

export function unionBox(boxes: Array<[number, number, number, number]>): [number, number, number, number] {
  return [
    Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3])),
  ];
}

/** Mean word confidence weighted by characters, 0–1. */
export function meanConfidence(words: Array<{ text: string; confidence: number }>): number {
  const chars = words.reduce((n, w) => n + [...w.text].length, 0);
  if (chars === 0) return 0;
  return words.reduce((s, w) => s + w.confidence * [...w.text].length, 0) / chars;
}
