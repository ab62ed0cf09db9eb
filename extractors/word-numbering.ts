// Word auto-numbering, written into the paragraphs as text. mammoth renders a numbered paragraph as
// an <li> without its number, so a heading typed as an auto-numbered "一、部门概况" would come out
// as "部门概况" and stop being a heading. Text dumps (Apache Tika) print the number, in Tika's way:
//   - the level's w:lvlText with each %N replaced by level N's counter, then one space;
//   - decimal, lower/upperLetter, lower/upperRoman, ordinal, decimalZero as such; every other format
//     (chineseCounting, ideographTraditional, decimalEnclosedCircle, …) in arabic digits — hence
//     "1、 收入支出决算总体情况说明" beside typed "四、…" in real dumps; w:isLgl forces arabic;
//   - bullets as "· "; only a paragraph's own w:numPr counts (not one inherited from its style);
//   - counters are kept per abstract numbering, a level restarts when a higher level advances.
// We print the same, so a .docx and its dump give the same paragraphs.
import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';

interface Level {
  start: number;
  /** w:lvlRestart: the level whose advance restarts this one (1-based), 0 never, -1 any higher */
  restart: number;
  text: string;
  format: string;
  legal: boolean;
}

interface Numbering {
  /** numId -> abstractNumId */
  abstractOf: Map<string, string>;
  levels: Map<string, Level[]>;
  /** numId -> level index -> replacement level or start */
  overrides: Map<string, Map<number, Partial<Level>>>;
}

const attr = (n: Element | undefined, name = 'w:val') => n?.attribs[name];
const kid = (n: Element | undefined, name: string) =>
  n?.children.find((c): c is Element => c.type === 'tag' && c.name === name);
const kids = (n: Element | undefined, name: string) =>
  (n?.children ?? []).filter((c): c is Element => c.type === 'tag' && c.name === name);
const int = (v: string | undefined) => {
  const n = Number.parseInt(v ?? '', 10);
  return Number.isFinite(n) ? n : undefined;
};

/** document.xml with each directly numbered paragraph's label as its first run; unchanged when none. */
export function writeNumbering(documentXml: string, numberingXml: string | null): string {
  if (!numberingXml || !documentXml.includes('<w:numPr')) return documentXml;
  const numbering = readNumbering(numberingXml);
  const $ = cheerio.load(documentXml, { xml: { xmlMode: true, decodeEntities: false } });
  const state: Counters = { counts: new Map(), started: new Set() };
  let changed = false;
  for (const p of $('w\\:p').toArray()) {
    const numPr = kid(kid(p, 'w:pPr'), 'w:numPr');
    const numId = attr(kid(numPr, 'w:numId'));
    const ilvl = int(attr(kid(numPr, 'w:ilvl'))) ?? 0;
    if (numId === undefined || numId === '0') continue;
    const label = nextLabel(numbering, state, numId, ilvl);
    if (label === '') continue;
    const run = `<w:r><w:t xml:space="preserve">${escapeXml(label)}</w:t></w:r>`;
    const pPr = kid(p, 'w:pPr');
    if (pPr) $(pPr).after(run);
    else $(p).prepend(run);
    changed = true;
  }
  return changed ? $.xml() : documentXml;
}

function readNumbering(xml: string): Numbering {
  const $ = cheerio.load(xml, { xml: { xmlMode: true, decodeEntities: false } });
  const numbering: Numbering = { abstractOf: new Map(), levels: new Map(), overrides: new Map() };
  for (const abstract of $('w\\:abstractNum').toArray()) {
    const id = attr(abstract, 'w:abstractNumId');
    if (id === undefined) continue;
    const levels: Level[] = [];
    for (const lvl of kids(abstract, 'w:lvl')) levels[int(attr(lvl, 'w:ilvl')) ?? levels.length] = readLevel(lvl, levels.length);
    numbering.levels.set(id, levels);
  }
  for (const num of $('w\\:num').toArray()) {
    const id = attr(num, 'w:numId');
    const abstractId = attr(kid(num, 'w:abstractNumId'));
    if (id === undefined || abstractId === undefined) continue;
    numbering.abstractOf.set(id, abstractId);
    const overrides = new Map<number, Partial<Level>>();
    for (const o of kids(num, 'w:lvlOverride')) {
      const ilvl = int(attr(o, 'w:ilvl')) ?? 0;
      const lvl = kid(o, 'w:lvl');
      const start = int(attr(kid(o, 'w:startOverride')));
      overrides.set(ilvl, { ...(lvl ? readLevel(lvl, ilvl) : {}), ...(start !== undefined ? { start } : {}) });
    }
    if (overrides.size > 0) numbering.overrides.set(id, overrides);
  }
  return numbering;
}

function readLevel(lvl: Element, index: number): Level {
  const format = attr(kid(lvl, 'w:numFmt')) ?? 'decimal';
  // a level without w:start starts at 0 for decimal formats (as Tika reads it), else at 1
  const start = int(attr(kid(lvl, 'w:start'))) ?? (/^(decimal|ordinal|decimalZero)$/.test(format) ? 0 : 1);
  return {
    start,
    restart: int(attr(kid(lvl, 'w:lvlRestart'))) ?? -1,
    text: attr(kid(lvl, 'w:lvlText')) ?? `%${index}.`,
    format,
    legal: kid(lvl, 'w:isLgl') !== undefined && attr(kid(lvl, 'w:isLgl')) !== '0' && attr(kid(lvl, 'w:isLgl')) !== 'false',
  };
}

interface Counters {
  /** abstractNumId -> counter per level; NaN = restarts at its start when next used */
  counts: Map<string, number[]>;
  /** numIds already used: their startOverride applied once */
  started: Set<string>;
}

function nextLabel(numbering: Numbering, state: Counters, numId: string, ilvl: number): string {
  const abstractId = numbering.abstractOf.get(numId);
  const base = abstractId === undefined ? undefined : numbering.levels.get(abstractId);
  if (abstractId === undefined || !base) return '';
  const overrides = numbering.overrides.get(numId);
  const level = (i: number): Level | undefined => {
    const b = base[i];
    const o = overrides?.get(i);
    return b ? { ...b, ...o } : undefined;
  };
  const counts = state.counts.get(abstractId) ?? [];
  state.counts.set(abstractId, counts);
  // a startOverride restarts the list the first time this numId is used
  if (overrides && !state.started.has(numId)) {
    state.started.add(numId);
    for (const [i, o] of overrides) if (o.start !== undefined) counts[i] = Number.NaN;
  }
  for (let i = 0; i < ilvl; i++) if (counts[i] === undefined || Number.isNaN(counts[i])) counts[i] = level(i)?.start ?? 1;
  const current = counts[ilvl];
  counts[ilvl] = current === undefined || Number.isNaN(current) ? (level(ilvl)?.start ?? 1) : current + 1;
  for (let i = ilvl + 1; i < counts.length; i++) {
    const restart = level(i)?.restart ?? -1;
    if (restart === -1 || ilvl <= restart - 1) counts[i] = Number.NaN;
  }

  const own = level(ilvl);
  if (!own) return '';
  if (own.format === 'bullet') return '· ';
  const label = own.text.replace(/%(\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    const lv = level(i);
    const count = counts[i];
    return formatCount(count === undefined || Number.isNaN(count) ? 1 : count, lv?.legal || own.legal ? 'decimal' : (lv?.format ?? 'decimal'));
  });
  return label === '' ? '' : `${label} `;
}

function formatCount(n: number, format: string): string {
  switch (format) {
    case 'lowerLetter':
      return letters(n).toLowerCase();
    case 'upperLetter':
      return letters(n);
    case 'lowerRoman':
      return roman(n).toLowerCase();
    case 'upperRoman':
      return roman(n);
    case 'ordinal':
      return `${n}${/1$/.test(String(n)) ? 'st' : /2$/.test(String(n)) ? 'nd' : /3$/.test(String(n)) ? 'rd' : 'th'}`;
    case 'decimalZero':
      return `0${n}`;
    case 'none':
      return '';
    default:
      return String(n);
  }
}

/** 1 -> A, 26 -> Z, 27 -> AA (Word repeats the letter: 27 -> AA, 28 -> BB). */
function letters(n: number): string {
  if (n < 1) return String(n);
  const letter = String.fromCharCode(65 + ((n - 1) % 26));
  return letter.repeat(Math.floor((n - 1) / 26) + 1);
}

function roman(n: number): string {
  if (n < 1 || n > 3999) return String(n);
  const table: Array<[number, string]> = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let out = '';
  let rest = n;
  for (const [value, digits] of table) {
    while (rest >= value) {
      out += digits;
      rest -= value;
    }
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
