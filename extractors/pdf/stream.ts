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
  const sorted = [...lines].sort((a, b) => a.top - b.top);
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
  return { tables, lines: sorted.filter((_, k) => !used.has(k)) };
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
    open: new Set(),
  };
}
