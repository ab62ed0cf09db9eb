// From ruling lines to table grids with spans. Rules that touch form one table; the distinct rule
// positions are the grid's row and column boundaries; two neighbouring grid slots belong to the
// same cell when no rule separates them (a merged cell is exactly a missing internal rule).
import { boundaries, connectedRules, type Ruling } from '../ruling-grid.js';
import type { Segment } from './rules.js';

export interface GridCell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  /** pixel box between the rules, [x0, y0, x1, y1] */
  box: [number, number, number, number];
}

export interface Grid {
  box: [number, number, number, number];
  /** row boundaries (y) and column boundaries (x), ascending; n rows have n+1 boundaries */
  ys: number[];
  xs: number[];
  cells: GridCell[];
  /** share of cells that are clean rectangles: 1 for a well-ruled table */
  regularity: number;
}

const mid = (a: number, b: number) => (a + b) / 2;

/** A scanned rule as a ruling: across at its middle, half its pixel thickness either side. */
const horizontalRuling = (s: Segment): Ruling => ({ at: mid(s.y0, s.y1), from: s.x0, to: s.x1, half: (s.y1 - s.y0) / 2 });
const verticalRuling = (s: Segment): Ruling => ({ at: mid(s.x0, s.x1), from: s.y0, to: s.y1, half: (s.x1 - s.x0) / 2 });

/** Tables on a page: groups of touching rules with at least two of each direction. */
export function buildGrids(horizontal: Segment[], vertical: Segment[], tol = 8): Grid[] {
  const grids: Grid[] = [];
  for (const g of connectedRules(horizontal.map(horizontalRuling), vertical.map(verticalRuling), tol)) {
    if (g.hs.length < 2 || g.vs.length < 2) continue;
    const grid = gridOf(g.hs, g.vs, tol);
    if (grid) grids.push(grid);
  }
  return grids.sort((a, b) => a.box[1] - b.box[1]);
}

function gridOf(hs: Ruling[], vs: Ruling[], tol: number): Grid | null {
  // a separator counts when rules cover half the slot's side, its ends left off (the crossing
  // rules blur them)
  const { xs, ys, horizontal, vertical } = boundaries(hs, vs, { tol, share: 0.5, inset: tol });
  if (ys.length < 2 || xs.length < 2) return null;
  const rows = ys.length - 1, cols = xs.length - 1;
  const wallRight = (r: number, c: number) => vertical(c + 1, r);
  const wallBelow = (r: number, c: number) => horizontal(r + 1, c);

  const parent = Array.from({ length: rows * cols }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (c + 1 < cols && !wallRight(r, c)) parent[find(r * cols + c)] = find(r * cols + c + 1);
      if (r + 1 < rows && !wallBelow(r, c)) parent[find(r * cols + c)] = find((r + 1) * cols + c);
    }
  }
  const regions = new Map<number, { r0: number; r1: number; c0: number; c1: number; n: number }>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = find(r * cols + c);
      const g = regions.get(k);
      if (!g) regions.set(k, { r0: r, r1: r, c0: c, c1: c, n: 1 });
      else { g.r0 = Math.min(g.r0, r); g.r1 = Math.max(g.r1, r); g.c0 = Math.min(g.c0, c); g.c1 = Math.max(g.c1, c); g.n++; }
    }
  }
  // an L-shaped region (a rule missing by noise) is split back into its rows' runs
  const cells: GridCell[] = [];
  let regular = 0;
  const claimed = new Uint8Array(rows * cols);
  const ordered = [...regions.values()].sort((a, b) => a.r0 - b.r0 || a.c0 - b.c0);
  for (const g of ordered) {
    const rect = (g.r1 - g.r0 + 1) * (g.c1 - g.c0 + 1) === g.n;
    if (rect) regular++;
    const pieces = rect ? [g] : rowRuns(g, find, cols, find(g.r0 * cols + g.c0));
    for (const p of pieces) {
      let free = true;
      for (let r = p.r0; r <= p.r1; r++) for (let c = p.c0; c <= p.c1; c++) if (claimed[r * cols + c]) free = false;
      if (!free) continue;
      for (let r = p.r0; r <= p.r1; r++) for (let c = p.c0; c <= p.c1; c++) claimed[r * cols + c] = 1;
      cells.push({ row: p.r0, col: p.c0, rowSpan: p.r1 - p.r0 + 1, colSpan: p.c1 - p.c0 + 1, box: [xs[p.c0]!, ys[p.r0]!, xs[p.c1 + 1]!, ys[p.r1 + 1]!] });
    }
  }
  cells.sort((a, b) => a.row - b.row || a.col - b.col);
  return { box: [xs[0]!, ys[0]!, xs[cols]!, ys[rows]!], ys, xs, cells, regularity: regions.size ? regular / regions.size : 1 };
}

function rowRuns(g: { r0: number; r1: number; c0: number; c1: number }, find: (i: number) => number, cols: number, key: number) {
  const out: Array<{ r0: number; r1: number; c0: number; c1: number }> = [];
  for (let r = g.r0; r <= g.r1; r++) {
    let start = -1;
    for (let c = g.c0; c <= g.c1 + 1; c++) {
      const inside = c <= g.c1 && find(r * cols + c) === key;
      if (inside && start < 0) start = c;
      if (!inside && start >= 0) { out.push({ r0: r, r1: r, c0: start, c1: c - 1 }); start = -1; }
    }
  }
  return out;
}
