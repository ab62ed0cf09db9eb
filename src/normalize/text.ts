// Normalisation of single values: text as printed in a cell or paragraph, numbers, dates.
// Every extractor's text passes through cleanText, so downstream code compares like with like.

/** Word bookmark residue that Tika and converters print inline: "[bookmark: _Toc15396600]". */
const BOOKMARK = /\[bookmark:\s*[^\]]*\]/g;
const ZERO_WIDTH = /[\u200b-\u200f\u2060\ufeff\u00ad]/g;

/**
 * Clean one piece of text, keeping its line structure: bookmark noise and zero-width characters
 * go, NBSP and U+3000 become spaces, full-width ASCII folds to half-width, each line is trimmed.
 * Full-width punctuation that Chinese text uses as such (，。：；（）) is kept: the contract
 * compares headings and labels verbatim.
 */
export function cleanText(raw: string): string {
  return raw
    .replace(BOOKMARK, '')
    .replace(ZERO_WIDTH, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u3000]/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/g, '').replace(/^[ \t]+/g, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/** Text without Word bookmark residue, for code that reads text not yet cleaned. */
export function stripBookmarks(s: string): string {
  return s.replace(BOOKMARK, '');
}

/** Full-width digits, letters and ASCII punctuation to half-width ("１２．５％" -> "12.5%"). */
export function foldWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Text with every kind of white space removed: the key for matching labels. */
export function squash(s: string): string {
  return foldWidth(s).replace(/[\s\u3000\u00a0]+/g, '');
}

/** "——", "-", "/", "无" and friends: a cell that says "nothing here". */
export function isEmptyMark(s: string): boolean {
  return /^[\s\-—–―_/\\…\.·、]*$/.test(foldWidth(s)) || /^(无|空|—+|\/)$/.test(squash(s));
}

/**
 * A number as printed in a form: "5,730,218.79", "713.64", "135.5%", "　100%", "10分", "526万元".
 * Returns null for empty marks, placeholders ("≧**人") and anything that is not one number
 * (ranges such as "6-9" stay text: they are targets, not amounts).
 */
export function parseNumber(raw: string | null | undefined): number | null {
  if (raw == null) return null;
  const s = squash(raw);
  if (s === '' || isEmptyMark(s)) return null;
  const m = /^[≥≧>=＝≤≦<约]*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)(%|％|分|万元|元|万|人|个|次|项|户)?$/.exec(s);
  if (!m || m[1] === undefined) return null;
  const n = Number(m[1].replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}


/**
 * Dates as forms print them -> ISO "YYYY-MM-DD": 2023年7月4日, 2024.6.26, 2024-06-26, 2024/6/26.
 * A month alone (2023年7月) gives "2023-07". Returns null when there is no date.
 */
export function parseDate(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = squash(raw);
  const m = /(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(\d{1,2})\s*日?|月)?/.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (m[3] === undefined) return `${y}-${pad(mo)}`;
  const d = Number(m[3]);
  if (d < 1 || d > 31) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** "……", "…", "...": a placeholder row the form template leaves for more indicators. */
export function isPlaceholder(s: string): boolean {
  const t = squash(s);
  return t === '' || /^[.…。·]+$/.test(t);
}
