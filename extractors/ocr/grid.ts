// From ruling lines to table grids with spans. Rules that touch form one table; the distinct rule
// positions are the grid's row and column boundaries; two neighbouring grid slots belong to the
// same cell when no rule separates them (a merged cell is exactly a missing internal rule).
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

/** Cluster positions closer than `tol` into their mean. */
function cluster(values: number[], tol: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v - last[last.length - 1]! <= tol) last.push(v);
    else out.push([v]);
  }
  return out.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
}

function touches(h: Segment, v: Segment, tol: number): boolean {
  return v.x0 - tol <= h.x1 && v.x1 + tol >= h.x0 && h.y0 - tol <= v.y1 && h.y1 + tol >= v.y0;
}

/** Tables on a page: groups of touching rules with at least two of each direction. */
export function buildGrids(horizontal: Segment[], vertical: Segment[], tol = 8): Grid[] {
  const all = [...horizontal, ...vertical];
  const parent = all.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  horizontal.forEach((h, i) =>
    vertical.forEach((v, j) => {
      if (touches(h, v, tol)) parent[find(i)] = find(horizontal.length + j);
    }),
  );
  const groups = new Map<number, { h: Segment[]; v: Segment[] }>();
  all.forEach((s, i) => {
    const g = groups.get(find(i)) ?? { h: [], v: [] };
    (i < horizontal.length ? g.h : g.v).push(s);
    groups.set(find(i), g);
  });
  const grids: Grid[] = [];
  for (const g of groups.values()) {
    if (g.h.length < 2 || g.v.length < 2) continue;
    const grid = gridOf(g.h, g.v, tol);
    if (grid) grids.push(grid);
  }
  return grids.sort((a, b) => a.box[1] - b.box[1]);
}

function gridOf(hs: Segment[], vs: Segment[], tol: number): Grid | null {
  const ys = cluster(hs.map((h) => mid(h.y0, h.y1)), tol);
  const xs = cluster(vs.map((v) => mid(v.x0, v.x1)), tol);
  if (ys.length < 2 || xs.length < 2) return null;
  const rows = ys.length - 1, cols = xs.length - 1;
  // covered length of [a,b] by the segments lying on a boundary
  const coverage = (segs: Array<[number, number]>, a: number, b: number) => {
    const parts = segs.map(([s, e]) => [Math.max(s, a), Math.min(e, b)] as const).filter(([s, e]) => e > s).sort((p, q) => p[0] - q[0]);
    let covered = 0, reach = a;
    for (const [s, e] of parts) {
      if (e <= reach) continue;
      covered += e - Math.max(s, reach);
      reach = e;
    }
    return b > a ? covered / (b - a) : 1;
  };
  const vOn = xs.map((x) => vs.filter((v) => Math.abs(mid(v.x0, v.x1) - x) <= tol).map((v) => [v.y0, v.y1] as [number, number]));
  const hOn = ys.map((y) => hs.filter((h) => Math.abs(mid(h.y0, h.y1) - y) <= tol).map((h) => [h.x0, h.x1] as [number, number]));
  // a separator counts when rules cover most of the slot's side (ends are blurred by the crossing rules)
  const wallRight = (r: number, c: number) => coverage(vOn[c + 1]!, ys[r]! + tol, ys[r + 1]! - tol) >= 0.5;
  const wallBelow = (r: number, c: number) => coverage(hOn[r + 1]!, xs[c]! + tol, xs[c + 1]! - tol) >= 0.5;

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
