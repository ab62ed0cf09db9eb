// Tika-style text dumps (../shared/seeds/*.txt): paragraphs one per line; a table cell starts a
// line with a TAB and continues on the following lines. Layout rules, learnt from real dumps:
//   - one blank line ends a row, two or more end the table;
//   - a single blank line can also sit inside a cell ("项目支" / blank / "出名称"): a blank
//     followed by a line without a TAB continues the cell;
//   - a line holding only U+3000 is content, not a blank;
//   - rows are ragged: a merged cell prints once (horizontally) or as an empty cell (vertically).
import type { Block, Cell, DocModel, Message, Table } from '../schemas/model.js';
import { utf16WithoutBom } from '../src/detect.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { cleanText } from '../src/normalize/text.js';

export interface DecodedText {
  text: string;
  /** the encoding used, as a WHATWG label */
  encoding: string;
  messages: Message[];
}

/** Decode by BOM, then UTF-16 told by its NULs, then strict UTF-8, then GB18030 (a superset of GBK and GB2312). */
export function decodeTextReport(bytes: Uint8Array): DecodedText {
  const b = bytes;
  const messages: Message[] = [];
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(b.subarray(3)), encoding: 'utf-8', messages };
  // UTF-32 LE's BOM starts with UTF-16 LE's; TextDecoder has no UTF-32, and read as UTF-16 it is NUL-strewn nonsense
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { text: decodeUtf32le(b.subarray(4)), encoding: 'utf-32le', messages };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(b.subarray(2)), encoding: 'utf-16le', messages };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(b.subarray(2)), encoding: 'utf-16be', messages };
  const utf16 = utf16WithoutBom(b);
  if (utf16 !== null) return { text: new TextDecoder(utf16).decode(b), encoding: utf16, messages };
  // 'gbk' and 'gb2312' garble 4-byte sequences in Node's ICU; gb18030 decodes all three. Much UTF-8
  // Chinese is also valid GB18030 (E9 A1 B9 reads as one GB character and a half), so a UTF-8 file
  // cut inside a character is told from GB text by what GB18030 would make of it.
  const chinese = looksLikeChineseGb(b);
  const labels = chinese ? ['utf-8', 'gb18030'] : ['utf-8'];
  for (const label of labels) {
    const text = tryDecode(label, b);
    if (text !== undefined) return { text, encoding: label, messages };
  }
  const damaged = decodeDamaged(b, labels);
  if (damaged === undefined) {
    if (chinese) throw new IngestError(ErrorCode.unreadable, 'text is neither UTF-8, UTF-16 nor GB18030');
    const { chars, share } = gb2312Share(b);
    const invalid = new TextDecoder('utf-8').decode(b).split('\uFFFD').length - 1;
    throw new IngestError(
      ErrorCode.unreadable,
      `text is not UTF-8 (${invalid} invalid sequences: badly damaged, or another encoding such as Big5 or Shift-JIS, which docingest does not read), and as GB18030 only ${Math.round(share * 100)}% of its ${chars} multi-byte characters would be common Chinese; convert it to UTF-8`,
    );
  }
  messages.push(damagedMessage('text-encoding', damaged));
  return { text: damaged.text, encoding: damaged.encoding, messages };
}

function tryDecode(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Share of the two-byte characters of GB-encoded bytes that lie in GB2312's symbol rows and hanzi
 * levels (both bytes 0xA1 and up), and how many there are. Chinese GB text scores over 99%. Big5
 * (about a third: its trail bytes 0x40–0x7E fall in GBK's rare extension rows) and Shift-JIS (near
 * 0%) also "decode" as GB18030, into nonsense that no error would reveal.
 */
export function gb2312Share(bytes: Uint8Array): { chars: number; share: number } {
  let chars = 0;
  let gb2312 = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const trail = bytes[i + 1] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    chars++;
    if (trail >= 0x30 && trail <= 0x39) {
      i += 4; // a four-byte sequence
      continue;
    }
    if (trail >= 0xa1 && ((lead >= 0xb0 && lead <= 0xf7) || (lead >= 0xa1 && lead <= 0xa9))) gb2312++;
    i += 2;
  }
  return { chars, share: chars === 0 ? 1 : gb2312 / chars };
}

/**
 * Whether GB18030 reads these bytes as Chinese (see gb2312Share): Big5, Shift-JIS and UTF-8 Chinese
 * (about a third) do not. Too few characters to tell counts as yes.
 */
export function looksLikeChineseGb(bytes: Uint8Array): boolean {
  const { chars, share } = gb2312Share(bytes);
  return chars < 20 || share >= 0.8;
}

function decodeUtf32le(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chars: string[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) {
    const cp = view.getUint32(at, true);
    chars.push(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD');
  }
  return chars.join('');
}

export interface DamagedText {
  text: string;
  encoding: string;
  /** invalid byte sequences, each decoded as U+FFFD */
  invalid: number;
}

/**
 * Text that almost decodes: a download cut inside a multi-byte character, a few bytes damaged on an
 * old disk. Refusing it would lose a whole report for one character, so the encoding with the fewest
 * invalid sequences is taken when they are rare (at most one character in 100); each becomes U+FFFD
 * and the record says how many. Text in another encoding (Shift-JIS, EUC-KR) fails far more often and
 * is still refused.
 */
export function decodeDamaged(bytes: Uint8Array, labels: string[]): DamagedText | undefined {
  let best: DamagedText | undefined;
  for (const label of labels) {
    const text = new TextDecoder(label).decode(bytes);
    let invalid = 0;
    for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) invalid++;
    if (best === undefined || invalid < best.invalid) best = { text, encoding: label, invalid };
  }
  return best !== undefined && best.invalid <= Math.max(1, best.text.length / 100) ? best : undefined;
}

export function damagedMessage(code: string, damaged: DamagedText): Message {
  return {
    code,
    message: `${damaged.invalid} invalid byte sequence(s) for ${damaged.encoding} (a cut or damaged file) were replaced with U+FFFD`,
    severity: 'warning',
    stage: 'extract',
  };
}

/** A page number on a line of its own: "-1-", "- 12 -", "—3—". */
const PAGE_NUMBER = /^[\s\u3000]*[-－—–]\s*\d{1,4}\s*[-－—–][\s\u3000]*$/;

/** A blank line: nothing but ASCII white space. U+3000 on its own is content (a padded cell). */
const isBlank = (line: string) => /^[ \t\r]*$/.test(line) && !line.includes('\t');

export function extractText(bytes: Uint8Array): DocModel {
  const decoded = decodeTextReport(bytes);
  const lines = decoded.text.split(/\r\n|\n|\r/);
  const blocks: Block[] = [];
  let table: Table | null = null;
  let row: Cell[] | null = null;
  let cell: { lines: string[]; line: number } | null = null;
  let blanks = 0;
  let tableCount = 0;

  const closeCell = () => {
    if (!table || !row || !cell) return;
    const rowIndex = table.rows.length;
    row.push({
      text: cleanText(cell.lines.join('\n')),
      col: row.length,
      colSpan: 1,
      rowSpan: 1,
      continued: false,
      place: { table: table.place.table, row: rowIndex, col: row.length, line: cell.line },
    });
    cell = null;
  };
  const closeRow = () => {
    closeCell();
    if (table && row && row.length > 0) table.rows.push(row);
    row = null;
  };
  const closeTable = () => {
    closeRow();
    if (table && table.rows.length > 0) blocks.push(table);
    table = null;
  };

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (isBlank(raw)) {
      blanks++;
      if (blanks >= 2) closeTable();
      return;
    }
    if (raw.startsWith('\t')) {
      if ((!table || blanks >= 2) && PAGE_NUMBER.test(raw)) {
        // a footer text box printed like a cell ("\t-1-"): as a table it would swallow the
        // narrative that follows its single blank line as the cell's continuation
        closeTable();
        blanks = 0;
        return;
      }
      if (!table || blanks >= 2) {
        closeTable();
        table = { type: 'table', rows: [], confidence: 1, place: { table: tableCount++, line: lineNo } };
      } else if (blanks === 1) {
        closeRow();
      }
      closeCell();
      row ??= [];
      cell = { lines: [raw.slice(1)], line: lineNo };
      blanks = 0;
      return;
    }
    if (table && cell && blanks <= 1) {
      // the cell goes on: a line break inside it, or a single blank line inside it
      cell.lines.push(raw);
      blanks = 0;
      return;
    }
    closeTable();
    blanks = 0;
    const text = cleanText(raw);
    if (text !== '') blocks.push({ type: 'paragraph', text, place: { line: lineNo } });
  });
  closeTable();
  blocks.forEach((b, i) => (b.place.block = i));
  return { format: 'text', blocks, messages: decoded.messages };
}
