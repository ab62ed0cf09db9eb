// Ruled tables ("lattice" in Camelot's terms): the cell grid comes from the ruling lines. Rule
// positions cluster into grid lines; a grid slot joins its neighbour where the rule between them
// is missing, which is how a merged cell looks on paper. Text goes to the cell holding its centre.
import { type Boundaries, boundaries, connectedRules } from '../ruling-grid.js';
import { type Box, type Rule, type Run, runMiddle } from './geometry.js';

/** Rules closer than this (points) are one grid line: double borders, 0.5pt rounding drift. */
const SNAP = 2.5;

export interface Region {
  /** grid rows r0..r1-1 and columns c0..c1-1 */
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  box: Box;
  runs: Run[];
}

export interface Lattice {
  box: Box;
  /** grid line positions, ascending */
  xs: number[];
  ys: number[];
  /** one region per visible cell, in row-major order of their top-left slots */
  regions: Region[];
  /** slot -> region index, -1 for slots outside the table (an L-shaped table's bounding box) */
  slots: number[][];
}

/** Merge collinear rules that touch or overlap: LibreOffice draws a border per cell edge. */
function mergeRules(rules: Rule[]): Rule[] {
  const sorted = [...rules].sort((a, b) => a.at - b.at || a.from - b.from);
  const out: Rule[] = [];
  for (const r of sorted) {
    const same = out.filter((o) => Math.abs(o.at - r.at) <= 1 && r.from <= o.to + SNAP);
    const hit = same[same.length - 1];
    if (hit) hit.to = Math.max(hit.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/**
 * The ruled grids of a page, single boxes included: a box is a page border or a text frame, or the
 * last cell of a table that a page break cut off, which only the page before can tell (layout.ts).
 */
export function findLattices(rules: Rule[]): Lattice[] {
  const hs = mergeRules(rules.filter((r) => r.horizontal));
  const vs = mergeRules(rules.filter((r) => !r.horizontal));
  const out: Lattice[] = [];
  for (const comp of connectedRules(hs, vs, SNAP)) {
    if (comp.hs.length < 2 || comp.vs.length < 1) continue;
    closeOpenSides(comp);
    if (comp.vs.length < 2) continue;
    // a border counts when rules cover most of the slot edge: a rule stopping 1pt short still counts
    const grid = boundaries(comp.hs, comp.vs, { tol: SNAP, share: 0.6, inset: 0 });
    if (grid.xs.length < 2 || grid.ys.length < 2) continue;
    const lattice = buildGrid(grid);
    if (lattice.regions.length >= 1) out.push(lattice);
  }
  return out.sort((a, b) => a.box[1] - b.box[1]);
}

/**
 * An open-sided table (no outer vertical borders, a common Chinese style) has horizontal rules
 * that run past the outermost vertical rule; their ends are its sides. The same holds for the top
 * and bottom of a table drawn with vertical rules only beyond its last horizontal rule.
 */
function closeOpenSides(comp: { hs: Rule[]; vs: Rule[] }): void {
  const left = Math.min(...comp.hs.map((h) => h.from));
  const right = Math.max(...comp.hs.map((h) => h.to));
  const top = Math.min(...comp.hs.map((h) => h.at), ...comp.vs.map((v) => v.from));
  const bottom = Math.max(...comp.hs.map((h) => h.at), ...comp.vs.map((v) => v.to));
  const minX = Math.min(...comp.vs.map((v) => v.at));
  const maxX = Math.max(...comp.vs.map((v) => v.at));
  if (left < minX - SNAP) comp.vs.push({ horizontal: false, at: left, from: top, to: bottom });
  if (right > maxX + SNAP) comp.vs.push({ horizontal: false, at: right, from: top, to: bottom });
  const minY = Math.min(...comp.hs.map((h) => h.at));
  const maxY = Math.max(...comp.hs.map((h) => h.at));
  if (top < minY - SNAP) comp.hs.push({ horizontal: true, at: top, from: left, to: right });
  if (bottom > maxY + SNAP) comp.hs.push({ horizontal: true, at: bottom, from: left, to: right });
}

function buildGrid({ xs, ys, horizontal: hasH, vertical: hasV }: Boundaries): Lattice {
  const nr = ys.length - 1;
  const nc = xs.length - 1;
  const slots = Array.from({ length: nr }, () => new Array<number>(nc).fill(-1));
  const regions: Region[] = [];
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      if (slots[r]![c] !== -1) continue;
      let c1 = c + 1;
      while (c1 < nc && !hasV(c1, r) && slots[r]![c1] === -1) c1++;
      let r1 = r + 1;
      const openBelow = (row: number) => {
        for (let k = c; k < c1; k++) if (hasH(row, k) || slots[row]![k] !== -1) return false;
        return true;
      };
      while (r1 < nr && openBelow(r1)) r1++;
      // a visible cell is closed on every side; slots without borders lie outside the table
      let closed = true;
      for (let k = c; k < c1 && closed; k++) closed = hasH(r, k) && hasH(r1, k);
      for (let k = r; k < r1 && closed; k++) closed = hasV(c, k) && hasV(c1, k);
      const index = closed ? regions.length : -2;
      for (let i = r; i < r1; i++) for (let k = c; k < c1; k++) slots[i]![k] = index;
      if (closed) regions.push({ r0: r, r1, c0: c, c1, box: [xs[c]!, ys[r]!, xs[c1]!, ys[r1]!], runs: [] });
    }
  }
  for (const row of slots) row.forEach((v, k) => (row[k] = Math.max(v, -1)));
  return { box: [xs[0]!, ys[0]!, xs[nc]!, ys[nr]!], xs, ys, regions, slots };
}

/** Index of the interval of `edges` holding v, or -1. */
function interval(edges: number[], v: number): number {
  if (v < edges[0]! || v > edges[edges.length - 1]!) return -1;
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Put each run into the cell holding its centre; returns the runs that fall in no table.
 * A run crossing a column rule (one text object over two cells) is split at the rule, in
 * proportion to its characters' widths.
 */
export function assignRuns(lattices: Lattice[], runs: Run[]): Run[] {
  const rest: Run[] = [];
  for (const run of runs) {
    // the innermost grid holding the run: a framed page or a boxed table holds a table inside
    const t = lattices
      .filter((l) => inBox(l.box, (run.x0 + run.x1) / 2, runMiddle(run)))
      .sort((a, b) => area(a.box) - area(b.box))[0];
    if (!t) {
      rest.push(run);
      continue;
    }
    for (const part of splitAtRules(run, t.xs)) {
      const r = interval(t.ys, runMiddle(part));
      const c = interval(t.xs, (part.x0 + part.x1) / 2);
      const index = r >= 0 && c >= 0 ? t.slots[r]![c]! : -1;
      if (index >= 0) t.regions[index]!.runs.push(part);
      else rest.push(part);
    }
  }
  return rest;
}

const area = (b: Box) => (b[2] - b[0]) * (b[3] - b[1]);
const inBox = (b: Box, x: number, y: number) => x >= b[0] - 1 && x <= b[2] + 1 && y >= b[1] - 1 && y <= b[3] + 1;

/** Relative advance of a character: CJK and full-width glyphs are an em, the rest about half. */
const advance = (ch: string) => (/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch) ? 1 : 0.55);

function splitAtRules(run: Run, xs: number[]): Run[] {
  const inner = xs.filter((x) => x > run.x0 + run.size * 0.3 && x < run.x1 - run.size * 0.3);
  if (inner.length === 0 || run.str.length < 2) return [run];
  const chars = [...run.str];
  const total = chars.reduce((s, ch) => s + advance(ch), 0);
  const scale = (run.x1 - run.x0) / total;
  const parts: Run[] = [];
  let x = run.x0;
  let cur: Run = { ...run, str: '', x0: x, x1: x };
  for (const ch of chars) {
    const w = advance(ch) * scale;
    if (cur.str && inner.some((b) => x + w / 2 > b && cur.x0 < b)) {
      parts.push(cur);
      cur = { ...run, str: '', x0: x, x1: x };
    }
    cur.str += ch;
    x += w;
    cur.x1 = x;
  }
  parts.push(cur);
  return parts;
}
