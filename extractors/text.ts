// Tika-style text dumps (../shared/seeds/*.txt): paragraphs one per line; a table cell starts a
// line with a TAB and continues on the following lines. Layout rules, learnt from real dumps:
//   - one blank line ends a row, two or more end the table;
//   - a single blank line can also sit inside a cell ("项目支" / blank / "出名称"): a blank
//     followed by a line without a TAB continues the cell;
//   - a line holding only U+3000 is content, not a blank;
//   - rows are ragged: a merged cell prints once (horizontally) or as an empty cell (vertically).
import type { Block, Cell, DocModel, Table } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { cleanText } from '../src/normalize/text.js';

/** Decode by BOM, then strict UTF-8, then GB18030 (a superset of GBK and GB2312). */
export function decodeText(bytes: Uint8Array): string {
  const b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder('utf-8').decode(b.subarray(3));
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    // 'gbk' and 'gb2312' garble 4-byte sequences in Node's ICU; gb18030 decodes all three
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(b);
    } catch (err) {
      throw new IngestError(ErrorCode.unreadable, 'text is neither UTF-8, UTF-16 with BOM nor GB18030', { cause: err });
    }
  }
}

/** A page number on a line of its own: "-1-", "- 12 -", "—3—". */
const PAGE_NUMBER = /^[\s\u3000]*[-－—–]\s*\d{1,4}\s*[-－—–][\s\u3000]*$/;

/** A blank line: nothing but ASCII white space. U+3000 on its own is content (a padded cell). */
const isBlank = (line: string) => /^[ \t\r]*$/.test(line) && !line.includes('\t');

export function extractText(bytes: Uint8Array): DocModel {
  const lines = decodeText(bytes).split(/\r\n|\n|\r/);
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
  return { format: 'text', blocks, messages: [] };
}
