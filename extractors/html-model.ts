// HTML -> DocModel, shared by the .html extractor and the .docx extractor (mammoth writes HTML).
// The target is the model the text-dump extractor builds for the same report, so that recognition
// never sees which format a report came in:
//   - one Paragraph per HTML block (<p>, <h1>…, <li>, a <div> of inline content); a <br> splits it,
//     because a dump prints a soft line break as a new line, i.e. a new paragraph;
//   - empty paragraphs are dropped, text goes through cleanText;
//   - a table row holds its <td>s plus one empty `continued` cell for every slot a rowspan from an
//     earlier row covers (a dump prints a vertically merged slot as an empty cell); colspan stays
//     one cell with colSpan > 1 (a dump prints it once);
//   - inside a cell, paragraphs and <br> become "\n" and blank lines go (a dump cannot hold them);
//   - a table nested in a form cell is flattened into the cell's text (with an info message); a
//     table used as page layout is unwrapped instead (see isLayoutTable); hidden elements are skipped.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Block, Cell, Message, Paragraph, Table } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { cleanText } from '../src/normalize/text.js';

export interface HtmlModelOptions {
  /**
   * Collapse source white space as a browser does. True for real HTML (LibreOffice wraps long lines
   * inside text: "其中：\n\t\t\t\t 一般公共预算"); false for mammoth, whose text nodes are literal.
   */
  collapseWhitespace: boolean;
  /**
   * Text of cells that only hold a row's leading grid offset (see word-grid.ts): such a cell takes
   * its grid columns but is not printed, as a dump does not print it either.
   */
  placeholderText?: string;
}

export interface HtmlModel {
  blocks: Block[];
  messages: Message[];
}

const HEADING = /^h([1-6])$/;
/** Elements that start a new block when met among inline content. */
const BLOCK_ELEMENTS = new Set([
  'p', 'div', 'center', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'blockquote',
  'pre', 'address', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table',
  'form', 'fieldset', 'figure', 'figcaption', 'hr', 'body', 'html',
]);
/** Elements whose content is never document text. */
const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'title', 'meta', 'link', 'object', 'iframe', 'svg']);

/** A line break placeholder that survives white-space collapsing; U+2028 never appears in CJK reports' cells. */
const BREAK = '\u2028';

const isElement = (n: AnyNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';
const isText = (n: AnyNode): n is AnyNode & { data: string } => n.type === 'text';

export function htmlToModel(html: string, options: HtmlModelOptions): HtmlModel {
  const $ = cheerio.load(html);
  const root = $.root()[0];
  if (root) assertDepth(root);
  const blocks: Block[] = [];
  const messages: Message[] = [];
  let tableCount = 0;

  const finishText = (raw: string) => normalizeSpace(raw, options.collapseWhitespace);

  /** Push the paragraphs of one block's inline text: a <br> ends one dump line, so one paragraph. */
  const pushParagraphs = (raw: string, headingHint?: number) => {
    for (const line of finishText(raw).split('\n')) {
      const text = cleanText(line);
      if (text === '') continue;
      const p: Paragraph = { type: 'paragraph', text, place: {} };
      if (headingHint !== undefined) p.headingHint = headingHint;
      blocks.push(p);
    }
  };

  /**
   * Walk block content. Inline runs between block children gather into one pending paragraph;
   * the hint is the heading level of the nearest <hN> ancestor.
   */
  const walkBlocks = (nodes: AnyNode[], headingHint?: number) => {
    let pending = '';
    const flush = () => {
      if (pending !== '') pushParagraphs(pending, headingHint);
      pending = '';
    };
    for (const node of nodes) {
      if (isText(node)) {
        pending += node.data;
        continue;
      }
      if (!isElement(node)) continue;
      const name = node.name.toLowerCase();
      if (SKIPPED.has(name) || isHidden(node)) continue;
      if (name === 'table' && isLayoutTable(node)) {
        flush();
        for (const tr of tableRows(node)) for (const td of cellsOf(tr)) walkBlocks(td.children, headingHint);
        continue;
      }
      if (name === 'table') {
        flush();
        const table = convertTable(node, tableCount);
        if (isPageNumberFrame(table)) continue;
        tableCount++;
        blocks.push(table);
        continue;
      }
      if (BLOCK_ELEMENTS.has(name)) {
        flush();
        const level = HEADING.exec(name)?.[1];
        walkBlocks(node.children, level !== undefined ? Number(level) : headingHint);
        continue;
      }
      if (containsBlock(node)) {
        // inline element wrapping blocks (<font><p>…</p></font> in old portal pages)
        flush();
        walkBlocks(node.children, headingHint);
        continue;
      }
      pending += inlineText(node);
    }
    flush();
  };

  const convertTable = (table: Element, index: number): Table => {
    const rows: Cell[][] = [];
    /** slots still covered by a rowspan: grid column -> rows left and the origin's colSpan */
    const covering = new Map<number, { rowsLeft: number; colSpan: number }>();
    const trs = tableRows(table);
    trs.forEach((tr, r) => {
      const row: Cell[] = [];
      let col = 0;
      const inherited = new Map(covering);
      const passed = new Set<number>();
      const coverSlotsAt = () => {
        for (let c = covering.get(col); c !== undefined && !passed.has(col); c = covering.get(col)) {
          row.push(makeCell('', col, c.colSpan, 1, true, index, rows.length));
          passed.add(col);
          col += c.colSpan;
        }
      };
      for (const td of cellsOf(tr)) {
        coverSlotsAt();
        const colSpan = spanOf(td, 'colspan');
        // a rowspan reaching past the last row is clamped: the table ends the merge
        const rowSpan = Math.min(spanOf(td, 'rowspan'), trs.length - r);
        const text = cellText(td);
        if (text === options.placeholderText) {
          col += colSpan;
          continue;
        }
        if ($(td).find('table').length > 0) {
          messages.push({
            code: 'nested-table',
            message: `table ${index + 1}, row ${rows.length + 1}: a table inside a cell was flattened into the cell's text, one line per row`,
            severity: 'info',
            stage: 'extract',
            place: { table: index, row: rows.length, col },
          });
        }
        row.push(makeCell(text, col, colSpan, rowSpan, false, index, rows.length));
        if (rowSpan > 1) covering.set(col, { rowsLeft: rowSpan - 1, colSpan });
        col += colSpan;
      }
      // merges covering the row's last columns (only those to the right of every real cell)
      const trailing = [...covering.keys()].filter((c) => c >= col).sort((a, b) => a - b);
      for (const c of trailing) {
        col = c;
        coverSlotsAt();
      }
      // every merge from above loses a row, also one that a malformed row overlapped instead of leaving free
      for (const [c, cover] of inherited) {
        cover.rowsLeft--;
        if (cover.rowsLeft <= 0 && covering.get(c) === cover) covering.delete(c);
      }
      if (row.length > 0) rows.push(row);
    });
    return { type: 'table', rows, confidence: 1, place: { table: index } };
  };

  /** A cell's text: block boundaries and <br> become line breaks; a nested table is flattened row by row. */
  const cellText = (td: Element): string => {
    const raw = flattenCell(td.children);
    return cleanText(
      finishText(raw)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .join('\n'),
    );
  };

  const flattenCell = (nodes: AnyNode[]): string => {
    let out = '';
    for (const node of nodes) {
      if (isText(node)) {
        out += node.data;
        continue;
      }
      if (!isElement(node)) continue;
      const name = node.name.toLowerCase();
      if (SKIPPED.has(name) || isHidden(node)) continue;
      if (name === 'br') {
        out += BREAK;
      } else if (name === 'table') {
        // a nested table: one line per row, cells separated by a space, so no number is lost
        const lines = tableRows(node).map((tr) =>
          childElements(tr)
            .filter((e) => e.name === 'td' || e.name === 'th')
            .map((c) => finishText(flattenCell(c.children)).replace(/\n+/g, ' ').trim())
            .filter((t) => t !== '')
            .join(' '),
        );
        out += BREAK + lines.join(BREAK) + BREAK;
      } else if (BLOCK_ELEMENTS.has(name)) {
        out += BREAK + flattenCell(node.children) + BREAK;
      } else {
        out += flattenCell(node.children);
      }
    }
    return out;
  };

  walkBlocks(root ? (root as unknown as { children: AnyNode[] }).children : []);
  blocks.forEach((b, i) => (b.place.block = i));
  return { blocks, messages };
}

/** A page number that Word placed in a one-cell table ("-1-" under a cover page): layout, not data. */
const PAGE_NUMBER = /^[-－—–]\s*\d{1,4}\s*[-－—–]$/;
function isPageNumberFrame(table: Table): boolean {
  const texts = table.rows.flat().map((c) => c.text).filter((t) => t !== '');
  return texts.length === 1 && PAGE_NUMBER.test(texts[0] ?? '');
}

/**
 * The walk below recurses per element, so a page nesting thousands of elements (a hostile or
 * broken generator) would overflow the stack: refuse it first, measuring without recursion.
 */
const MAX_DEPTH = 2000;
function assertDepth(root: AnyNode): void {
  const stack: Array<[AnyNode, number]> = [[root, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > MAX_DEPTH) throw new IngestError(ErrorCode.corrupt, `HTML nests elements more than ${MAX_DEPTH} levels deep`);
    if ('children' in node) for (const child of node.children) stack.push([child, depth + 1]);
  }
}

function makeCell(text: string, col: number, colSpan: number, rowSpan: number, continued: boolean, table: number, row: number): Cell {
  return { text, col, colSpan, rowSpan, continued, place: { table, row, col } };
}

/** Text of an inline element: <br> marks a line break; anything else contributes its text. */
function inlineText(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isElement(node)) return '';
  const name = node.name.toLowerCase();
  if (SKIPPED.has(name) || isHidden(node)) return '';
  if (name === 'br') return BREAK;
  return node.children.map(inlineText).join('');
}

function containsBlock(node: Element): boolean {
  return node.children.some((c) => isElement(c) && (BLOCK_ELEMENTS.has(c.name.toLowerCase()) || containsBlock(c)));
}

/** Content a browser does not show: hidden attribute or inline display:none (portal templates keep menus so). */
function isHidden(node: Element): boolean {
  return node.attribs.hidden !== undefined || /display\s*:\s*none/i.test(node.attribs.style ?? '');
}

function cellsOf(tr: Element): Element[] {
  return childElements(tr).filter((e) => e.name === 'td' || e.name === 'th');
}

/**
 * A table used as page layout (portal pages from before CSS: header / article / footer rows, the
 * article's own tables inside a cell) is not data: its cells are read as blocks, so the forms
 * nested in it stay tables and its paragraphs stay narrative. It is one that holds a table in a
 * cell that also holds other content blocks, or a one-column frame around a table. A form with a
 * small grid nested in one cell keeps the flattening in cellText.
 */
function isLayoutTable(table: Element): boolean {
  const rows = tableRows(table);
  let nested = false;
  let oneColumn = true;
  for (const tr of rows) {
    const cells = cellsOf(tr);
    if (cells.length > 1) oneColumn = false;
    for (const td of cells) {
      const inner = blockChildren(td);
      if (!inner.some((e) => e.name === 'table')) continue;
      nested = true;
      if (inner.length >= 3) return true;
    }
  }
  return nested && oneColumn;
}

/** Block-level children of a cell, looking through wrappers such as <div> and <center>. */
function blockChildren(node: Element): Element[] {
  const out: Element[] = [];
  for (const c of childElements(node)) {
    const name = c.name.toLowerCase();
    if (name === 'table') out.push(c);
    else if ((name === 'div' || name === 'center' || name === 'section' || name === 'article' || name === 'form') && childElements(c).some((g) => BLOCK_ELEMENTS.has(g.name.toLowerCase()))) out.push(...blockChildren(c));
    else if (BLOCK_ELEMENTS.has(name) && /\S/.test(textOf(c))) out.push(c);
  }
  return out;
}

function textOf(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isElement(node)) return '';
  return node.children.map(textOf).join('');
}

function childElements(node: Element): Element[] {
  return node.children.filter(isElement);
}

/** The rows of this table, not of tables nested in its cells. */
function tableRows(table: Element): Element[] {
  const rows: Element[] = [];
  for (const child of childElements(table)) {
    const name = child.name.toLowerCase();
    if (name === 'tr') rows.push(child);
    else if (name === 'thead' || name === 'tbody' || name === 'tfoot') rows.push(...childElements(child).filter((e) => e.name.toLowerCase() === 'tr'));
  }
  return rows;
}

/** colspan/rowspan as a browser reads them: missing, zero or garbage is 1; absurd values are capped. */
function spanOf(td: Element, attr: 'colspan' | 'rowspan'): number {
  const n = Number.parseInt(td.attribs[attr] ?? '', 10);
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(n, attr === 'colspan' ? 1000 : 65534);
}

/**
 * Source white space to text. Collapsing follows HTML: a run of white space is one space, also a
 * line break, because LibreOffice wraps its long lines at a space ("其中：\n\t\t\t\t 一般公共预算").
 * One exception: a run with a TAB but no line break is a tab typed in the document (LibreOffice
 * writes it literally: "拨款收入</font>\t<font>"), kept as "\t" as a text dump keeps it.
 * Break placeholders become "\n" last, so they survive.
 */
function normalizeSpace(raw: string, collapse: boolean): string {
  const s = collapse
    ? raw.replace(/[ \t\n\r\f]+/g, (run) => (run.includes('\t') && !/[\n\r]/.test(run) ? '\t' : ' '))
    : raw.replace(/[\r\n]+/g, '\n');
  return s.replaceAll(BREAK, '\n');
}
