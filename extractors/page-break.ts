// Rows cut by a page break, for every extractor that lays out pages (text-layer PDF and OCR):
// Word and LibreOffice let a table row split over a page break, each part with its own borders.
// Which cells a break may have cut is told by their geometry (runsToEdge); whether the first row
// after the break is the rest of such a row, by the cells on both sides (continueCells).
import type { Cell } from '../schemas/model.js';
import { isPlaceholder } from '../src/normalize/text.js';

/** A text line of a cell, in points: where it starts and ends across, its bottom, its font size. */
export interface CellLine {
  text: string;
  x0: number;
  x1: number;
  bottom: number;
  size: number;
}

/**
 * Whether a cell's text stops at its bottom right corner for want of room, so a page break may have
 * cut it: the last line sits on the bottom padding (no more room below it than the row's `floor`
 * leaves, or 6pt) and fills the padded width (padding is 2-6pt) and the text wrapped before or is at
 * least six ems long: a label that happens to fill a narrow column ("成本指标", "100%") does not
 * count. A closing stop ("。") ends the text.
 */
export function runsToEdge(lines: CellLine[], box: readonly [number, number, number, number], floor: number): Cut | null {
  const last = lines[lines.length - 1];
  if (!last || /[。；;！!？?]$/.test(last.text)) return null;
  // the text ran down to the bottom border: a centred text that simply ended leaves room below;
  // as much room as the row's other cells leave is the row's padding, but a row sized to its text
  // leaves the same, so such a cut is 'loose' (see continueCells)
  const room = box[3] - last.bottom;
  if (room > Math.max(6 + 0.6 * last.size, floor + 0.5 * last.size)) return null;
  const text: Cut = room > 6 + 0.6 * last.size ? 'loose' : 'text';
  const startsLeft = last.x0 - box[0] <= 6 + 0.5 * last.size;
  // a wrapped line may stop up to two ems short: a closing quote or stop cannot start a line, so
  // "里”。" moves down as one piece
  if (lines.length >= 2) {
    if (startsLeft && last.x1 + 2.5 * last.size >= box[2] - 6) return text;
    // centred text: a line above fills the width and the last, short line stands in the middle
    // ("年度资" / "金", where "（万" may not close a line and went on to the next page)
    const full = lines.slice(0, -1).some((l) => l.x0 - box[0] <= 6 + 0.5 * l.size && l.x1 + l.size >= box[2] - 6);
    return full && Math.abs((last.x0 + last.x1) / 2 - (box[0] + box[2]) / 2) < 0.5 * last.size ? text : null;
  }
  if (!startsLeft || last.x1 + last.size < box[2] - 6) return null;
  return last.x1 - last.x0 >= 6 * last.size ? text : 'label';
}

/**
 * How a cell may have been cut: 'text' wrapped or ran long to the corner ('loose': its last line
 * stops as far above the border as the row's padding); 'label' is one short line
 * that fills a narrow column ("部门名" of "部门名称"), which a whole label ("成本指标") does as well,
 * so it counts as cut only when what stands below it is a wrap's tail (see continueCells).
 */
export type Cut = 'text' | 'loose' | 'label';
export const isCut = (kind: Cut | undefined) => kind === 'text' || kind === 'loose';

/** The tail of a label or figure wrapped in a narrow column: one or two ideographs ("称", "款", "效性") or a "%" ("99.17" / "%"), never a value of its own. */
const LABEL_TAIL = /^([\u4e00-\u9fff]{1,2}[）)]?|[%％])$/;

/**
 * The first row after a page break may be the rest of the row the break cut: LibreOffice and Word
 * let a row split, and each part gets its own borders ("对生态环境所带来" / "的直接或间接影响情况。",
 * a label "生态效益" / "指标"). It is taken for such a rest when a cell above was cut (its text fills
 * it to the corner, see runsToEdge) and the row is partial: a value printed in
 * full above ("定性") has nothing below it, where a new row of a form fills its value columns, or
 * the row holds nothing but the rest of cut cells. Then every piece of text moves up into the cell
 * above it and the row goes. Returns whether it goes.
 */
export function continueCells(rows: Cell[][], first: Cell[], open: Map<Cell, Cut>): boolean {
  const last = rows[rows.length - 1];
  if (!last) return false;
  const above = first.map((b) => {
    const a = last.find((c) => c.col === b.col && c.colSpan === b.colSpan);
    return a && (a.continued ? originOf(rows, a) : a);
  });
  const cutAbove = (b: Cell, a: Cell | undefined) => a !== undefined && (isCut(open.get(a)) || (open.get(a) === 'label' && LABEL_TAIL.test(b.text)));
  // an ellipsis row ("……", more lines left out) stands on its own: no cut text ends in one
  if (first.some((b) => !b.continued && b.text !== '' && isPlaceholder(b.text))) return false;
  const cut = first.some((b, k) => !b.continued && b.text !== '' && cutAbove(b, above[k]));
  // a value the row above printed in full (no continued slot, not cut) with nothing below it, or
  // a row that brings nothing but the rest of cut cells; an empty cell merged down the new page is
  // the rest of a merged label ("数量指标" over two indicator rows), not an empty value
  const partial =
    first.some((b) => {
      const a = last.find((c) => c.col === b.col && c.colSpan === b.colSpan);
      return b.text === '' && b.rowSpan === 1 && a && !a.continued && a.text !== '' && !isCut(open.get(a));
    }) || first.every((b, k) => b.continued || b.text === '' || cutAbove(b, above[k]));
  const aligned = first.every((b, k) => b.continued || b.text === '' || above[k]);
  // a loose cut is a row sized to its text as much as a cut one: it holds only when nothing comes
  // under a cell printed in full ("9320 人" under "1.86 万人" is a new row's value)
  const loose = first.some((b, k) => b.text !== '' && above[k] && open.get(above[k]) === 'loose');
  const fresh = first.some((b, k) => !b.continued && b.text !== '' && above[k] && above[k].text !== '' && !cutAbove(b, above[k]));
  if (!cut || !partial || !aligned || (loose && fresh)) return false;
  first.forEach((b, k) => {
    const a = above[k];
    if (a && !b.continued && b.text !== '') a.text = a.text ? `${a.text}\n${b.text}` : b.text;
  });
  return true;
}

/**
 * A first row with no text at all, cell for cell under the last row's cells: the empty rest of a
 * row the page break split (LibreOffice prints "二、经费控制情况（万元）" on one page and the rest of
 * its padding, bordered, on the next).
 */
export function restOfEmptyRow(rows: Cell[][], first: Cell[]): boolean {
  const last = rows[rows.length - 1];
  return last !== undefined && first.every((b) => b.text === '' && last.some((c) => c.col === b.col && c.colSpan === b.colSpan));
}

/** The cell a continued slot belongs to: the nearest non-continued cell above in the same column. */
export function originOf(rows: Cell[][], slot: Cell): Cell | undefined {
  for (let r = rows.length - 1; r >= 0; r--) {
    const c = rows[r]!.find((x) => x.col === slot.col && x.colSpan === slot.colSpan && !x.continued);
    if (c) return c;
  }
  return undefined;
}

/**
 * Put the parts of a table joined over a page break on one column grid. Each page's lattice numbers
 * its own columns, and a part whose rows split a column the other part does not (page 2 of
 * "其中：当年财政拨|款" has a narrow column further right) numbers the same x range differently, so
 * columns are renumbered from the cells' left and right edges across all parts (`tolerance` apart or
 * more: 3pt for a text layer's exact borders).
 */
export function alignColumns(rows: Cell[][], tolerance = 3): void {
  const cells = rows.flat();
  if (cells.some((c) => !c.place.box)) return;
  const xs = cells.flatMap((c) => [c.place.box![0], c.place.box![2]]).sort((a, b) => a - b);
  const edges: number[] = [];
  for (const x of xs) if (edges.length === 0 || x - edges[edges.length - 1]! > tolerance) edges.push(x);
  const index = (x: number) => edges.reduce((best, e, k) => (Math.abs(e - x) < Math.abs(edges[best]! - x) ? k : best), 0);
  for (const c of cells) {
    const c0 = index(c.place.box![0]);
    c.col = c0;
    c.colSpan = Math.max(1, index(c.place.box![2]) - c0);
    c.place.col = c0;
  }
}

/** A cell's rowSpan: itself plus the continued slots below it, after rows were joined or dropped. */
export function recountRowSpans(rows: Cell[][]): void {
  rows.forEach((row, r) => {
    for (const cell of row) {
      if (cell.continued) continue;
      let span = 1;
      while (rows[r + span]?.some((c) => c.continued && c.col === cell.col && c.colSpan === cell.colSpan)) span++;
      cell.rowSpan = span;
    }
  });
}
