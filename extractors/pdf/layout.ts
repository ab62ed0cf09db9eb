// Pages of positioned runs and rules -> the document's blocks in reading order. Pure geometry, no
// pdfjs: the page loop in ../pdf.ts (and the OCR path, from word boxes) feeds it PageContent.
//   per page: ruled tables (lattice.ts), the remaining runs as lines, rule-less tables (stream.ts)
//   whole document: headers/footers dropped, lines joined into paragraphs, a table that runs over a
//   page break joined into one.
import type { Block, Cell, Paragraph, Table } from '../../schemas/model.js';
import { cleanText, squash } from '../../src/normalize/text.js';
import { alignColumns, continueCells, type Cut, isCut, recountRowSpans, restOfEmptyRow, runsToEdge } from '../page-break.js';
import { type Box, type Rule, type Run, round1 } from './geometry.js';
import { assignRuns, findLattices, type Lattice } from './lattice.js';
import { CJK, findFurniture, groupLines, type Line, linesBox, linesText, measureFrame, type PageLine, startsParagraph } from './lines.js';
import { findStreamTables } from './stream.js';

export interface PageContent {
  /** 1-based */
  page: number;
  width: number;
  height: number;
  runs: Run[];
  rules: Rule[];
}

/** A table as found on one page, before joining across pages. */
export interface PageTable {
  page: number;
  box: Box;
  rows: Cell[][];
  confidence: number;
  /** top and bottom of each row, for the page-break test */
  rowBoxes: [number, number][];
  /** cells whose text fills them to the bottom right corner without a closing stop: a page break may have cut it (see runsToEdge) */
  open: Map<Cell, Cut>;
}

type Item = { kind: 'table'; top: number; table: PageTable } | { kind: 'line'; top: number; line: PageLine };

/** Rows of a lattice in the model's convention (see schemas/model.ts: continued cells, colSpan). */
export function latticeRows(l: Lattice, page: number): PageTable {
  const nr = l.ys.length - 1;
  const starts = Array.from({ length: nr }, (_, r) => l.regions.some((g) => g.r0 === r));
  // grid rows where no cell starts carry no row of their own (a rule fragment inside a merged cell)
  const kept = starts.map((s, r) => (s ? starts.slice(0, r).filter(Boolean).length : -1));
  const rows: Cell[][] = [];
  const rowBoxes: [number, number][] = [];
  const open = new Map<Cell, Cut>();
  const floor = rowFloors(l);
  for (let r = 0; r < nr; r++) {
    if (!starts[r]) continue;
    const row: Cell[] = [];
    const rowIndex = kept[r]!;
    for (const g of l.regions.filter((g) => g.r0 <= r && g.r1 > r).sort((a, b) => a.c0 - b.c0)) {
      const box = round1(g.box);
      if (g.r0 === r) {
        const rowSpan = kept.slice(g.r0, g.r1).filter((k) => k >= 0).length;
        const lines = groupLines(g.runs);
        const cell: Cell = {
          text: cleanText(linesText(lines)),
          col: g.c0,
          colSpan: g.c1 - g.c0,
          rowSpan,
          continued: false,
          place: { page, row: rowIndex, col: g.c0, box },
        };
        const cut = runsToEdge(lines, g.box, floor.get(g.r1) ?? 0);
        if (cut) open.set(cell, cut);
        row.push(cell);
      } else {
        row.push({ text: '', col: g.c0, colSpan: g.c1 - g.c0, rowSpan: 1, continued: true, place: { page, row: rowIndex, col: g.c0, box } });
      }
    }
    rows.push(row);
    rowBoxes.push([l.ys[r]!, Math.max(...l.regions.filter((g) => g.r0 === r).map((g) => l.ys[Math.min(g.r1, r + 1)]!))]);
  }
  return { page, box: round1(l.box), rows, confidence: 1, rowBoxes, open };
}

/**
 * Per bottom edge of the grid (a row's lower rule), the least room any cell ending there leaves
 * under its last line: the row's own bottom padding. LibreOffice's HTML import pads some rows by
 * 17pt, so a cut text stops well above the rule yet as low as any text of its row can reach.
 */
function rowFloors(l: Lattice): Map<number, number> {
  const floors = new Map<number, number>();
  for (const g of l.regions) {
    const lines = groupLines(g.runs);
    const last = lines[lines.length - 1];
    if (!last) continue;
    const room = g.box[3] - last.bottom;
    floors.set(g.r1, Math.min(floors.get(g.r1) ?? Infinity, room));
  }
  return floors;
}

/** A single ruled box: a table's last cell cut off by the page break, or else a frame around text. */
interface PageBox {
  table: PageTable;
  lines: PageLine[];
}

function pageItems(p: PageContent): { tables: PageTable[]; boxes: PageBox[]; lines: PageLine[] } {
  const lattices = findLattices(p.rules);
  const rest = assignRuns(lattices, p.runs);
  const tables = lattices.filter((l) => l.regions.length > 1).map((l) => latticeRows(l, p.page));
  const boxes = lattices
    .filter((l) => l.regions.length === 1)
    .map((l) => ({ table: latticeRows(l, p.page), lines: groupLines(l.regions[0]!.runs).map((line) => ({ ...line, page: p.page })) }));
  const lines = groupLines(rest).map((l) => ({ ...l, page: p.page }));
  return { tables, boxes, lines };
}

/**
 * Whether a part of a table opening a page goes on `prev`, the table that closed the page before:
 * same outer edges, and `prev` ended where the body ends, i.e. its next row (the part's row
 * `firstRow`, after a repeated header) did not fit.
 */
function sameTableAcrossBreak(prev: PageTable, next: PageTable, bodyBottom: number, firstRowIndex = 0): boolean {
  if (next.page !== prev.page + 1) return false;
  if (Math.abs(prev.box[0] - next.box[0]) > 3 || Math.abs(prev.box[2] - next.box[2]) > 3) return false;
  const firstRow = next.rowBoxes[firstRowIndex];
  return firstRow !== undefined && bodyBottom - prev.box[3] < firstRow[1] - firstRow[0] + 3;
}

/** A box low on its page with nothing under it, and a row's height, not a frame around the page's text. */
function closesPage(b: PageBox, body: PageLine[], pageHeight: number): boolean {
  const [, top, , bottom] = b.table.box;
  return bottom - top < pageHeight / 4 && !body.some((l) => l.top >= bottom);
}

const rowKey = (row: Cell[]) => row.map((c) => squash(c.text)).join('|');

/**
 * Join `next` (first thing on its page) to `prev` (last thing on the page before) when it is the
 * same table broken by the page (sameTableAcrossBreak); returns how many leading rows of `next`
 * repeat the table's header (Word's "repeat as header row") and go, or null when it is another table.
 */
function continues(prev: Table, prevLast: PageTable, next: PageTable, bodyBottom: number): number | null {
  let header = 0;
  while (header < Math.min(3, next.rows.length - 1, prev.rows.length) && rowKey(next.rows[header]!) === rowKey(prev.rows[header]!) && rowKey(next.rows[header]!) !== '') header++;
  return sameTableAcrossBreak(prevLast, next, bodyBottom, header) ? header : null;
}

/**
 * Text that cannot open a label of its own and so goes on from the cell above: a bracketed unit
 * ("（万元）", not a numbering "（一）") or one or two ideographs. A cut header "一级指⏎标" above a
 * new group's label "产出指标（50 分）" looks the same in the geometry; only the text tells them apart.
 */
const WRAP_REST = /^([（(](?![一二三四五六七八九十\d]+\s*[)）])|[\u4e00-\u9fff]{1,2}[）)]?$)/;

/**
 * A cell merged down over the page break goes on as a cell of the next page's first row: an empty
 * cell under a continued slot (a merge still running when the page ended: "绩效指标" over the
 * indicator rows) continues that merge; a merged cell under a cut one (its text fills it to the
 * corner) holds the rest of its text ("年度资⏎金" / "（万⏎元）" over the fund rows).
 */
function continueMerges(rows: Cell[][], first: Cell[], open: Map<Cell, Cut>): void {
  const last = rows[rows.length - 1];
  if (!last) return;
  for (const b of first) {
    if (b.continued) continue;
    const a = last.find((c) => c.col === b.col && c.colSpan === b.colSpan);
    if (!a) continue;
    if (b.text === '' && a.continued) b.continued = true;
    else if (b.rowSpan > 1 && !a.continued && isCut(open.get(a)) && WRAP_REST.test(b.text)) {
      a.text = `${a.text}\n${b.text}`;
      b.text = '';
      b.continued = true;
    }
  }
}

export function layoutDocument(pages: PageContent[]): Block[] {
  const perPage = pages.map((p) => ({ p, ...pageItems(p) }));
  // a boxed "-1-" is furniture too: box lines come after the page's other lines
  const furniture = findFurniture(perPage.map(({ p, lines, boxes }) => ({ page: p.page, height: p.height, lines: [...lines, ...boxes.flatMap((b) => b.lines)] })));
  // where the body ends, per page size: a landscape section has its own
  const bodyBottom = new Map<number, number>();
  const pageHeight = new Map(pages.map((p) => [p.page, Math.round(p.height)]));
  const bottomOf = (page: number) => bodyBottom.get(pageHeight.get(page) ?? 0) ?? 0;
  const bodies = perPage.map(({ p, tables, boxes: allBoxes, lines }) => {
    const drop = furniture.get(p.page);
    const body = lines.filter((_, i) => !drop?.has(i));
    let index = lines.length;
    const boxes = allBoxes.map((b) => ({ ...b, lines: b.lines.filter(() => !drop?.has(index++)) }));
    const h = Math.round(p.height);
    // boxes do not count: a page border would put the body's end at the border
    for (const b of [...tables, ...body]) bodyBottom.set(h, Math.max(bodyBottom.get(h) ?? 0, 'rows' in b ? b.box[3] : b.bottom));
    return { p, tables, boxes, body };
  });
  const items: Item[] = [];
  // the first thing on each page when it is a ruled table: a box closing the page before may be its first row
  const openingTable = new Map<number, PageTable>();
  for (const { p, tables, body } of bodies) {
    const first = [...tables].sort((a, b) => a.box[1] - b.box[1])[0];
    if (first && !body.some((l) => l.bottom <= first.box[1])) openingTable.set(p.page, first);
  }
  for (const { p, tables, boxes, body } of bodies) {
    // a box is a table's cut-off last cell when it opens the page right under a table that filled the page before
    const top = Math.min(...tables.map((t) => t.box[1]), ...body.map((l) => l.top));
    const prev = items[items.length - 1];
    const next = openingTable.get(p.page + 1);
    // a box that closes the page is the first row of the table that opens the next one when only
    // that row fitted ("一、财政供养人员情况（人）" over the staffing rows)
    const boxTables = boxes.filter(
      (b) => (b.table.box[1] <= top && prev?.kind === 'table' && sameTableAcrossBreak(prev.table, b.table, bottomOf(prev.table.page))) || (next && closesPage(b, body, p.height) && sameTableAcrossBreak(b.table, next, bottomOf(p.page))),
    );
    const boxLines = boxes.filter((b) => !boxTables.includes(b)).flatMap((b) => b.lines);
    const stream = findStreamTables([...body, ...boxLines], p.page);
    const pageItems: Item[] = [
      ...[...tables, ...boxTables.map((b) => b.table), ...stream.tables].map((t) => ({ kind: 'table' as const, top: t.box[1], table: t })),
      ...stream.lines.map((l) => ({ kind: 'line' as const, top: l.top, line: l })),
    ].sort((a, b) => a.top - b.top);
    items.push(...pageItems);
  }

  const narrative = items.flatMap((it) => (it.kind === 'line' ? [it.line] : []));
  const frame = measureFrame(narrative, pages[0]?.width ?? 595);
  const blocks: Block[] = [];
  let para: { lines: PageLine[]; contX: number | null } | null = null;
  let lastTable: { table: Table; part: PageTable; open: Map<Cell, Cut> } | null = null;
  let prevItem: Item | null = null;
  let tableCount = 0;

  const closePara = () => {
    if (!para) return;
    const first = para.lines[0]!;
    const text = cleanText(joinLines(para.lines));
    if (text !== '') {
      const onFirstPage = para.lines.filter((l) => l.page === first.page);
      const block: Paragraph = { type: 'paragraph', text, place: { page: first.page, box: round1(linesBox(onFirstPage)) } };
      blocks.push(block);
    }
    para = null;
  };

  for (const it of items) {
    const nextPage = prevItem !== null && pageOf(it) === pageOf(prevItem) + 1;
    if (it.kind === 'table') {
      closePara();
      const header = lastTable && prevItem?.kind === 'table' && nextPage ? continues(lastTable.table, lastTable.part, it.table, bottomOf(pageOf(prevItem))) : null;
      if (lastTable && header !== null) {
        const t = lastTable.table;
        const part = it.table.rows.slice(header);
        const rows = part.map((row) => row.map((c) => ({ ...c, place: { ...c.place, table: t.place.table } })));
        // the part's open cells, as the copies that go into the joined table
        part.forEach((row, r) => row.forEach((c, k) => it.table.open.has(c) && lastTable!.open.set(rows[r]![k]!, it.table.open.get(c)!)));
        alignColumns([...t.rows, ...rows]);
        if (rows[0] && (restOfEmptyRow(t.rows, rows[0]) || continueCells(t.rows, rows[0], lastTable.open))) rows.shift();
        if (rows[0]) continueMerges(t.rows, rows[0], lastTable.open);
        const offset = t.rows.length;
        rows.forEach((row, i) => row.forEach((c) => (c.place.row = offset + i)));
        t.rows.push(...rows);
        lastTable.part = it.table;
      } else {
        const index = tableCount++;
        const t: Table = {
          type: 'table',
          rows: it.table.rows.map((row) => row.map((c) => ({ ...c, place: { ...c.place, table: index } }))),
          confidence: it.table.confidence,
          place: { page: it.table.page, table: index, box: it.table.box },
        };
        blocks.push(t);
        const open = new Map<Cell, Cut>();
        it.table.rows.forEach((row, r) => row.forEach((c, k) => it.table.open.has(c) && open.set(t.rows[r]![k]!, it.table.open.get(c)!)));
        lastTable = { table: t, part: it.table, open };
      }
    } else {
      const line = it.line;
      const follows = prevItem?.kind === 'line' && para !== null;
      if (follows && para && !startsParagraph(para.lines[para.lines.length - 1]!, line, frame, para.contX)) {
        if (para.lines.length === 1) para.contX = line.x0;
        para.lines.push(line);
      } else {
        closePara();
        para = { lines: [line], contX: null };
      }
      lastTable = null;
    }
    prevItem = it;
  }
  closePara();
  for (const b of blocks) if (b.type === 'table') recountRowSpans(b.rows);
  blocks.forEach((b, i) => (b.place.block = i));
  return blocks;
}

const pageOf = (it: Item) => (it.kind === 'table' ? it.table.page : it.line.page);

/** Wrapped lines of one paragraph: CJK text joins without a space, Latin words with one. */
function joinLines(lines: Line[]): string {
  let text = '';
  for (const l of lines) {
    if (text && !(CJK.test(text.slice(-1)) || CJK.test(l.text.charAt(0)))) text += ' ';
    text += l.text;
  }
  return text;
}
