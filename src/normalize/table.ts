// Table-level normalisation: what every form reader needs before it can read a row by its header.
//   - grid positions: a cell occupies [col, col+colSpan) of the grid, so a horizontally merged cell
//     (docx/html colSpan>1) and a text-dump cell (col = sequence index, colSpan 1) read the same way;
//   - ragged rows: text dumps print a merged cell once, so a row can hold fewer cells than its header;
//     alignRow then fits the cells to the header columns by what they hold (numbers under 分值/得分,
//     labels under 一级指标) instead of by position;
//   - labels: vertical ("绩\n效\n指\n标"), padded ("产   出   指   标"), printed twice on a page break
//     ("产出指标\n产出指标"), or carrying their maximum ("产出指标\n(50分)");
//   - carry-down of merged label cells and the rows a form leaves empty or marks "……".
import type { Cell, Place, Table } from '../../schemas/model.js';
import { isPlaceholder, parseNumber, squash } from './text.js';

/** A cell with the grid columns it covers. */
export interface GridCell {
  text: string;
  col: number;
  span: number;
  continued: boolean;
  place: Place;
}
export type GridRow = GridCell[];

function toGridRow(cells: readonly Cell[]): GridRow {
  return cells.map((c) => ({ text: c.text, col: c.col, span: Math.max(1, c.colSpan), continued: c.continued, place: c.place }));
}

export function gridRows(table: Table): GridRow[] {
  return table.rows.map(toGridRow);
}

/** One past the last grid column the row covers. */
export function rowEnd(row: GridRow): number {
  return row.reduce((end, c) => Math.max(end, c.col + c.span), 0);
}

export const isBlank = (text: string | undefined) => text === undefined || squash(text) === '';
export const isBlankRow = (row: GridRow) => row.every((c) => isBlank(c.text));
/** A row holding nothing but "……" marks and empty cells: a slot the template left for more entries. */
export const isPlaceholderRow = (row: GridRow) => row.every((c) => isPlaceholder(c.text));

/**
 * A label as a key: white space gone (vertical and padded labels), and a label the converter printed
 * twice on a page break ("产   出   指   标\n产   出   指   标") once.
 */
export function labelText(raw: string): string {
  const s = squash(raw);
  const half = s.length / 2;
  if (s.length >= 4 && Number.isInteger(half) && s.slice(0, half) === s.slice(half)) return s.slice(0, half);
  return s;
}

const MAXIMUM = /[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$/;

/** The two halves of a maximum cut between rows: "产出指标（50" and "分）" (or "（" / "50分）"). */
const OPENS_MAXIMUM = /[（(]\s*(?:\d+(?:\.\d+)?)?$/;
const CLOSES_MAXIMUM = /^(?:\d+(?:\.\d+)?)?分?[)）]$/;

/** "产出指标(50分)" -> { label: "产出指标", max: 50 }; a label without a maximum keeps max null. */
export function splitMaximum(raw: string): { label: string; max: number | null } {
  const s = labelText(raw);
  const m = MAXIMUM.exec(s);
  if (!m || m[1] === undefined) return { label: s, max: null };
  return { label: s.slice(0, m.index), max: Number(m[1]) };
}

/** What a header column holds, which decides where a ragged row's cells fit. */
export type ColumnType = 'label' | 'number' | 'free';
export interface Column<R extends string = string> {
  role: R | null;
  type: ColumnType;
  start: number;
  end: number;
  header: GridCell;
}

type CellType = 'empty' | 'number' | 'label' | 'prose';
/** Prose (a formula, a sentence) rarely sits under a label column: "实际到位/计划到位*100%". */
function cellType(text: string): CellType {
  if (isBlank(text)) return 'empty';
  if (parseNumber(text) !== null) return 'number';
  const s = squash(text);
  return s.length > 12 || /[，。；;：:/*=×%]/.test(s) ? 'prose' : 'label';
}
// In tenths, so that equal fits compare equal (no floating-point ties broken by rounding).
const GAIN: Record<CellType, Record<ColumnType, number>> = {
  empty: { label: 0, number: 0, free: 0 },
  number: { label: -5, number: 10, free: 0 },
  label: { label: 5, number: -10, free: 0 },
  prose: { label: -3, number: -10, free: 2 },
};
// Skipping a label column is cheapest: merged cells are mostly labels, rarely figures.
const SKIP: Record<ColumnType, number> = { label: 1, number: 3, free: 2 };
// A gap between two cells needs a merged cell spanning it; a missing head or tail (a row broken by a
// page, a trailing merge) needs nothing: "资金到位 | 5 | 到位率 | 3 | … | 3" lost its first two slots.
const GAP = 2;

/**
 * Which header column each cell of a row sits under: index into `columns`, per cell (-1: none).
 * A row that spans the header's grid is read by grid position. A shorter (ragged) row is fitted by
 * dynamic programming: cells keep their order, numbers prefer number columns, short texts label
 * columns, prose free columns; gaps inside the row cost more than a missing head or tail; on a tie
 * the cells stay as far left as they can (the label position).
 * Example: the rubric row "资金到位 | 5 | 到位率 | 3 | … | … | 3" lost its 一级指标 slots and is fitted
 * to the right, while "项目管理 | 25" stays under 一级指标 | 分值.
 */
export function alignRow(row: GridRow, columns: readonly Column[], byContent = false): number[] {
  const headerEnd = columns.reduce((end, c) => Math.max(end, c.end), 0);
  const end = rowEnd(row);
  if (byContent && row.length < columns.length) return fitRow(row, columns);
  if (end > headerEnd) {
    // the header printed a merged cell once: its leading cells shift the row right
    const shift = end - headerEnd;
    return row.map((cell) => Math.max(0, columns.findIndex((c) => cell.col - shift >= c.start && cell.col - shift < c.end)));
  }
  if (row.length >= columns.length || end === headerEnd) {
    return row.map((cell) => columns.findIndex((c) => cell.col >= c.start && cell.col < c.end));
  }
  return fitRow(row, columns);
}

function fitRow(row: GridRow, columns: readonly Column[]): number[] {
  const n = row.length;
  const m = columns.length;
  const types = row.map((c) => cellType(c.text));
  const skipped = (from: number, to: number) => columns.slice(from, to).reduce((sum, c) => sum + SKIP[c.type], 0);
  // fit[i][j]: best score with cells 0..i placed and cell i under column j; from[i][j]: column of cell i-1
  const fit = Array.from({ length: n }, () => new Array<number>(m).fill(-Infinity));
  const from = Array.from({ length: n }, () => new Array<number>(m).fill(-1));
  for (let j = 0; j < m; j++) fit[0]![j] = GAIN[types[0]!][columns[j]!.type] - skipped(0, j);
  for (let i = 1; i < n; i++) {
    for (let j = i; j < m; j++) {
      const gain = GAIN[types[i]!][columns[j]!.type];
      // ascending with a strict > keeps the leftmost of equal fits
      for (let p = i - 1; p < j; p++) {
        const score = fit[i - 1]![p]! - skipped(p + 1, j) - (p < j - 1 ? GAP : 0) + gain;
        if (score > fit[i]![j]!) {
          fit[i]![j] = score;
          from[i]![j] = p;
        }
      }
    }
  }
  let last = -1;
  let best = -Infinity;
  for (let j = n - 1; j < m; j++) {
    const score = fit[n - 1]![j]! - skipped(j + 1, m);
    if (score > best) {
      best = score;
      last = j;
    }
  }
  const out = new Array<number>(n).fill(-1);
  for (let i = n - 1, j = last; i >= 0 && j >= 0; i--) {
    out[i] = j;
    j = from[i]![j]!;
  }
  return out;
}

/**
 * The row's cells keyed by the role of the column they sit under (first non-empty cell wins).
 * `byContent` fits the cells by what they hold even where the grid places them: a 总分 row is often
 * laid out apart from the columns above it ("总分 | 100 | 99" under 一级/二级指标).
 */
export function cellsByRole<R extends string>(row: GridRow, columns: readonly Column<R>[], byContent = false): Map<R, GridCell> {
  const at = alignRow(row, columns, byContent);
  const byRole = new Map<R, GridCell>();
  row.forEach((cell, k) => {
    const role = columns[at[k]!]?.role;
    if (!role) return;
    const prev = byRole.get(role);
    if (!prev || (isBlank(prev.text) && !isBlank(cell.text))) byRole.set(role, cell);
  });
  return byRole;
}

/** A header over figures: 分值, 得分, 预算数, 执行率, 编制数… */
export function numericHeader(_role: unknown, label: string): ColumnType {
  if (/分值|得分|评分$|权重|预算数|执行数|决算数|金额|执行率|控制率|编制数|人数|[（(](万?元|人|%)[)）]$/.test(label)) return 'number';
  if (/指标$|^(一|二|三)级|名称$|项目$/.test(label)) return 'label';
  return 'free';
}

/**
 * Header columns from a header row: each cell's grid span, its role by `roleOf`, its type by `typeOf`.
 * A header cell may be blank: it still is a column (the unheaded 定量/定性 column of some forms).
 */
export function headerColumns<R extends string>(
  row: GridRow,
  roleOf: (label: string, index: number, labels: string[]) => R | null,
  typeOf: (role: R | null, label: string) => ColumnType = numericHeader,
): Column<R>[] {
  const labels = row.map((c) => labelText(c.text));
  return row.map((cell, k) => {
    const role = roleOf(labels[k]!, k, labels);
    return { role, type: typeOf(role, labels[k]!), start: cell.col, end: cell.col + cell.span, header: cell };
  });
}

/**
 * Text dumps break a row where a cell holds a blank line (or a page break falls): "… | = | 100%" /
 * "100%" / "　" are one row of 8 cells printed as rows of 6, 1 and 1; "项目管理 | 25" / "资金到位 | 5 |
 * … | 3" one rubric row of 9 printed as 2 + 7. A short row takes the rows after it while together
 * they make exactly `width` cells; otherwise it stays as it is.
 */
export function mergeFragmentRows(rows: GridRow[], start: number, columns: readonly Column[]): { row: GridRow; used: number } {
  const width = columns.length;
  const first = rows[start] ?? [];
  const merged: GridRow = [...first];
  let used = 1;
  while (merged.length < width) {
    const next = rows[start + used];
    if (!next || next.length === 0 || merged.length + next.length > width) break;
    merged.push(...next);
    used++;
  }
  if (merged.length !== width || used === 1) return { row: first, used: 1 };
  // the pieces, laid out again under the header's columns (a grid format spans the broken cell
  // over the columns its lost pieces belong to: "100%" spanning 年度指标值…措施, then "100%", "")
  return { row: merged.map((cell, k) => ({ ...cell, col: columns[k]!.start, span: columns[k]!.end - columns[k]!.start })), used };
}

/**
 * Merged label cells, carried down: an empty (or continued, or "……") cell inherits the label above.
 * A label printed in two rows ("经济效" / "益指标", as PDF text layers cut a merged cell) is joined
 * when the first part is no complete label by `isComplete`, the two together are, and the second part
 * is no label of its own by `standsAlone`: under a template's "经济效益" (printed without 指标), the
 * next row's "社会效益指标" is the next label, not the rest of this one ("服务对象" / "满意度指标" is).
 */
export class LabelCarry {
  private value: { label: string; max: number | null; cell: GridCell } | null = null;
  /** the second part of a label joined from the row above, expected in the next row */
  private tail: string | null = null;
  /** whether the last row fed held only the second part of a label cut in two: the row is cut too */
  cutRow = false;
  constructor(
    private readonly isComplete: (label: string) => boolean = () => true,
    private readonly standsAlone: (part: string, joined: string) => boolean = () => false,
  ) {}

  /** Feed this row's cell (or nothing) and the cell below it; returns the label in force for the row. */
  next(cell: GridCell | undefined, below?: GridCell): { label: string; max: number | null; cell: GridCell } | null {
    const tail = this.tail;
    if (cell === undefined && below === undefined) return this.value;
    this.tail = null;
    this.cutRow = false;
    if (!cell || isBlank(cell.text) || isPlaceholder(cell.text) || cell.continued) return this.value;
    if (this.value && tail !== null && labelText(cell.text) === tail && CLOSES_MAXIMUM.test(tail)) return this.value;
    const closing = below && !below.continued && OPENS_MAXIMUM.test(labelText(cell.text)) ? labelText(below.text) : '';
    if (CLOSES_MAXIMUM.test(closing)) {
      // a maximum cut by a row line: "产出指标（50" / "分）", as a PDF text layer splits a merged label
      // whose lines run past the first row; the row below is a whole row of its own (no cutRow)
      const whole = splitMaximum(cell.text + closing);
      this.value = { label: whole.label, max: whole.max, cell };
      this.tail = closing;
      return this.value;
    }
    let { label, max } = splitMaximum(cell.text);
    if (this.value && label === '' && max !== null) {
      // a maximum on its own line below its label: "效益指标" / "(30分)"
      this.value = { ...this.value, max };
      return this.value;
    }
    if (this.value && tail !== null && label === tail) {
      this.cutRow = true;
      return this.value;
    }
    const part = below && !isBlank(below.text) && !below.continued ? splitMaximum(below.text) : null;
    if (part && part.label.length <= 6 && !this.isComplete(label) && this.isComplete(label + part.label) && !this.standsAlone(part.label, label + part.label)) {
      label += part.label;
      max ??= part.max;
      this.tail = part.label;
    }
    this.value = { label, max, cell };
    return this.value;
  }

  reset(): void {
    this.value = null;
    this.tail = null;
  }
}
