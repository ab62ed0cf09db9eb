// Tables without ruling lines ("stream" in Camelot's terms): consecutive lines that each break into
// two or more pieces at wide gaps, with the pieces standing in the same columns. Columns are the
// gutters common to all those lines: project every piece onto the x axis and merge overlaps. A guess
// from whitespace alone, so the table gets a lower confidence than a ruled one.
import type { Cell } from '../../schemas/model.js';
import { cleanText } from '../../src/normalize/text.js';
import { round1 } from './geometry.js';
import type { PageTable } from './layout.js';
import { type Line, linesBox, type PageLine, splitLine } from './lines.js';

/** A gap this many ems wide separates two cells of one line. */
const GUTTER = 2;
/** Fewer lines than this in a row are a form line ("填表人：…  联系电话：…"), not a table. */
const MIN_ROWS = 3;
export const STREAM_CONFIDENCE = 0.6;

export function findStreamTables(lines: PageLine[], page: number): { tables: PageTable[]; lines: PageLine[] } {
  // grids with wrapped cells first: three rows of a wrapped grid would pass for a table of their own below
  const grids = findWrappedGrids([...lines].sort((a, b) => a.top - b.top), page);
  const sorted = grids.lines;
  const pieces = sorted.map((l) => splitLine(l, GUTTER));
  const tables: PageTable[] = [];
  const used = new Set<number>();
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && pieces[j]!.length >= 2 && (j === i || sorted[j]!.top - sorted[j - 1]!.bottom < 1.5 * sorted[j]!.size)) j++;
    if (j - i >= MIN_ROWS) {
      const table = buildTable(pieces.slice(i, j), page);
      if (table) {
        tables.push(table);
        for (let k = i; k < j; k++) used.add(k);
      }
    }
    i = Math.max(j, i + 1);
  }
  return { tables: [...grids.tables, ...tables].sort((a, b) => a.box[1] - b.box[1]), lines: sorted.filter((_, k) => !used.has(k)) };
}

/** A grid needs this many lines of three or more cells: fewer is a signature block or a cover. */
const MIN_GRID_ROWS = 3;
/** At most this many one-piece lines in a row inside a grid: wrapped cell text, a merged label. */
const MAX_WRAPS = 3;

/**
 * Borderless tables whose cells wrap (Excel HTML printed without gridlines): a cell of two lines
 * sets them above and below its row's baseline ("农村生活污水治理" / "行政村数" around "数量指标  ≥25 个
 * 27 个"), so the table's lines alternate between rows of three or more pieces (anchors) and
 * one-piece lines, which the run-of-rows test above never sees as a table. A grid is grown line
 * by line while each anchor's pieces fit the columns found so far, one piece per column (a piece
 * across several columns spans them); an anchor that puts two pieces in one column starts another
 * grid (the funds block and the indicator block of a form have different columns). One-piece lines
 * and two-piece lines within an em of an anchor's baseline join the nearest row.
 */
function findWrappedGrids(lines: PageLine[], page: number): { tables: PageTable[]; lines: PageLine[] } {
  const pieces = lines.map((l) => splitLine(l, GUTTER));
  const tables: PageTable[] = [];
  const used = new Set<number>();
  let start = 0;
  while (start < lines.length) {
    if (pieces[start]!.length < 2) {
      start++;
      continue;
    }
    // grow a grid from `start`: consecutive lines (no gap over 1.5 ems), at most MAX_WRAPS one-piece lines in a row
    const members = [start];
    let columns: [number, number][] = fitColumns([], pieces[start]!) ?? [];
    let wraps = 0;
    for (let k = start + 1; k < lines.length; k++) {
      const l = lines[k]!;
      if (l.top - lines[k - 1]!.bottom > 1.5 * l.size) break;
      if (pieces[k]!.length < 2) {
        if (++wraps > MAX_WRAPS || l.x1 - l.x0 > 0.4 * (pageRight(lines) - pageLeft(lines))) break;
        // a label beside the columns ("项目资金" left of a funds block's rows) is a column of its own
        if (!columns.some((c) => overlaps(l, c))) columns = fitColumns(columns, [l]) ?? columns;
        members.push(k);
        continue;
      }
      const next = fitColumns(columns, pieces[k]!);
      if (!next) break;
      columns = next;
      wraps = 0;
      members.push(k);
    }
    while (members.length && pieces[members[members.length - 1]!]!.length < 2) members.pop();
    // one-piece lines within an em of the first or last row's baseline are its cells' wrapped text
    const near = (k: number, m: number) => !used.has(k) && pieces[k]!.length === 1 && Math.abs(lines[k]!.base - lines[m]!.base) < lines[m]!.size;
    const last = members[members.length - 1]!;
    for (let k = last + 1; k < lines.length && near(k, last); k++) members.push(k);
    const anchors = members.filter((k) => pieces[k]!.length >= 3);
    if (anchors.length >= MIN_GRID_ROWS) {
      // rows of several pieces right above that did not fit the columns (a merged value over two
      // columns: "项目名称  农村生活污水治理" above the funds block) are the grid's first rows, their pieces spanning
      let lead = start;
      while (lead > 0 && !used.has(lead - 1) && pieces[lead - 1]!.length >= 2 && lines[lead]!.top - lines[lead - 1]!.bottom <= 1.5 * lines[lead]!.size) lead--;
      for (let k = start - 1; k >= lead; k--) members.unshift(k);
      tables.push(buildGrid(members.map((k) => lines[k]!), members.map((k) => pieces[k]!), columns, page, start - lead));
      for (const k of members) used.add(k);
      start = members[members.length - 1]! + 1;
    } else start++;
  }
  return { tables, lines: lines.filter((_, k) => !used.has(k)) };
}

const pageLeft = (ls: Line[]) => Math.min(...ls.map((l) => l.x0));
const pageRight = (ls: Line[]) => Math.max(...ls.map((l) => l.x1));
const overlaps = (p: Line, c: [number, number]) => p.x0 < c[1] && p.x1 > c[0];

/**
 * The columns after one more line of pieces, or null when two pieces fall in one column. A piece
 * over no column opens one; over one column, widens it; over several, spans them and changes nothing.
 */
function fitColumns(columns: [number, number][], ps: Line[]): [number, number][] | null {
  const next = columns.map((c) => [...c] as [number, number]);
  const taken = new Set<number>();
  for (const p of ps) {
    const hit = next.flatMap((c, k) => (overlaps(p, c) ? [k] : []));
    if (hit.some((k) => taken.has(k))) return null;
    hit.forEach((k) => taken.add(k));
    if (hit.length === 0) next.push([p.x0, p.x1]);
    else if (hit.length === 1) {
      const c = next[hit[0]!]!;
      c[0] = Math.min(c[0], p.x0);
      c[1] = Math.max(c[1], p.x1);
    }
  }
  next.sort((a, b) => a[0] - b[0]);
  // a widened column that now reaches its neighbour: the gutters do not line up
  for (let k = 1; k < next.length; k++) if (next[k]![0] < next[k - 1]![1]) return null;
  return next;
}

/**
 * The grid's rows in the model's convention. The first `merged` lines are rows whose pieces did not
 * fit the columns, i.e. cells merged across them: there an empty slot belongs to the piece on its
 * right (a value centred in its merged cell: "项目名称 | 农村生活污水治理", not "项目名称 | | | 农村生活污水治理").
 */
function buildGrid(lines: PageLine[], linePieces: Line[][], columns: [number, number][], page: number, merged: number): PageTable {
  // rows: lines of three pieces or more, and two-piece lines not within an em of one
  const isAnchor = linePieces.map((ps) => ps.length >= 3);
  linePieces.forEach((ps, k) => {
    if (ps.length === 2) isAnchor[k] = !lines.some((o, j) => linePieces[j]!.length >= 3 && Math.abs(o.base - lines[k]!.base) < o.size);
  });
  const rowLines = lines.flatMap((l, k) => (isAnchor[k] ? [k] : []));
  const cells = rowLines.map(() => columns.map(() => [] as Line[]));
  const spans = rowLines.map(() => columns.map(() => 1));
  const hits = (p: Line) => columns.flatMap((c, k) => (overlaps(p, c) ? [k] : []));
  const place = (p: Line, r: number) => {
    const hit = hits(p);
    // a piece over two columns may be two cells set closer than the gutter ("可持续影响指标 设施正常运行率"):
    // split it where its gaps meet the columns' gutters
    const parts = hit.length > 1 ? splitLine(p, 0.5) : [];
    if (parts.length > 1 && parts.every((q) => hits(q).length === 1)) return parts.forEach((q) => place(q, r));
    const mid = (x0: number, x1: number) => (x0 + x1) / 2;
    const col = hit[0] ?? columns.reduce((best, c, k) => (Math.abs(mid(...c) - mid(p.x0, p.x1)) < Math.abs(mid(...columns[best]!) - mid(p.x0, p.x1)) ? k : best), 0);
    cells[r]![col]!.push(p);
    spans[r]![col] = Math.max(spans[r]![col]!, hit.length);
  };
  linePieces.forEach((ps, k) => {
    const nearest = rowLines.reduce((best, j, r) => (Math.abs(lines[j]!.base - lines[k]!.base) < Math.abs(lines[rowLines[best]!]!.base - lines[k]!.base) ? r : best), 0);
    for (const p of ps) place(p, nearest);
  });
  const rows: Cell[][] = cells.map((row, r) => {
    const out: Cell[] = [];
    const [top, bottom] = [Math.min(...row.flat().map((l) => l.top)), Math.max(...row.flat().map((l) => l.bottom))];
    if (rowLines[r]! < merged) {
      const filled = columns.flatMap((_, c) => (row[c]!.length ? [c] : []));
      return filled.map((c, k) => {
        const ls = row[c]!.sort((a, b) => a.top - b.top || a.x0 - b.x0);
        const from = k === 0 ? 0 : filled[k - 1]! + 1;
        const to = k === filled.length - 1 ? columns.length : c + 1;
        return { text: cleanText(ls.map((l) => l.text).join('\n')), col: from, colSpan: to - from, rowSpan: 1, continued: false, place: { page, row: r, col: from, box: round1(linesBox(ls)) } };
      });
    }
    for (let c = 0; c < columns.length; c++) {
      const ls = row[c]!.sort((a, b) => a.top - b.top || a.x0 - b.x0);
      // a span stops at the next column with text of its own in this row
      let span = 1;
      while (span < spans[r]![c]! && c + span < columns.length && row[c + span]!.length === 0) span++;
      out.push({
        text: cleanText(ls.map((l) => l.text).join('\n')),
        col: c,
        colSpan: span,
        rowSpan: 1,
        continued: false,
        place: { page, row: r, col: c, box: round1(ls.length ? linesBox(ls) : [columns[c]![0], top, columns[c]![1], bottom]) },
      });
      c += span - 1;
    }
    return out;
  });
  return {
    page,
    box: round1(linesBox(lines)),
    rows,
    confidence: STREAM_CONFIDENCE,
    rowBoxes: cells.map((row) => [Math.min(...row.flat().map((l) => l.top)), Math.max(...row.flat().map((l) => l.bottom))]),
    open: new Map(),
  };
}

function buildTable(rowsPieces: Line[][], page: number): PageTable | null {
  const spans = rowsPieces.flat().map((p) => [p.x0, p.x1] as [number, number]).sort((a, b) => a[0] - b[0]);
  const columns: [number, number][] = [];
  for (const s of spans) {
    const last = columns[columns.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else columns.push([...s]);
  }
  if (columns.length < 2) return null;
  const colOf = (p: Line) => columns.findIndex((c) => p.x0 >= c[0] - 0.5 && p.x1 <= c[1] + 0.5);
  // two pieces of one line in one column: the gaps do not line up, this is no grid
  if (rowsPieces.some((ps) => new Set(ps.map(colOf)).size < ps.length)) return null;
  const rows: Cell[][] = rowsPieces.map((pieces, r) => {
    const texts = columns.map(() => [] as Line[]);
    for (const p of pieces) texts[colOf(p)]!.push(p);
    const top = Math.min(...pieces.map((p) => p.top));
    const bottom = Math.max(...pieces.map((p) => p.bottom));
    return texts.map((ls, c) => ({
      text: cleanText(ls.map((l) => l.text).join(' ')),
      col: c,
      colSpan: 1,
      rowSpan: 1,
      continued: false,
      // an empty cell is the slot where its column crosses its row
      place: { page, row: r, col: c, box: round1(ls.length ? linesBox(ls) : [columns[c]![0], top, columns[c]![1], bottom]) },
    }));
  });
  const all = rowsPieces.flat();
  return {
    page,
    box: round1(linesBox(all)),
    rows,
    confidence: STREAM_CONFIDENCE,
    rowBoxes: rowsPieces.map((ps) => [Math.min(...ps.map((p) => p.top)), Math.max(...ps.map((p) => p.bottom))]),
    open: new Map(),
  };
}
