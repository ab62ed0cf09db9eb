// The ruling-line geometry that ruled tables share, whether the rules come from a PDF's vector
// paths (extractors/pdf/lattice.ts, points, zero thickness) or from a scanned page's ink
// (extractors/ocr/grid.ts, pixels, a few pixels thick): rules that touch form one table; rule
// positions within a tolerance are one grid line; a slot boundary exists where rules cover enough
// of it (a merged cell is a boundary no rule draws). How slots then join into cells differs by
// source (a PDF's cell must be closed on every side; a scan's rules break under noise) and stays
// with each caller.

/** A straight rule: `at` across it (y of a horizontal rule, x of a vertical one), `from`..`to` along it. */
export interface Ruling {
  at: number;
  from: number;
  to: number;
  /** half its thickness across: a scanned rule is pixels thick, a vector rule has none */
  half?: number;
}

/** Positions closer than `tol` to their neighbour chain into one, placed at their mean. */
export function cluster(values: number[], tol: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const v of sorted) {
    const g = groups[groups.length - 1];
    if (g && v - g[g.length - 1]! <= tol) g.push(v);
    else groups.push([v]);
  }
  return groups.map((g) => g.reduce((s, v) => s + v, 0) / g.length);
}

/** Whether a horizontal and a vertical rule cross or come within `tol` of each other. */
export function touches(h: Ruling, v: Ruling, tol: number): boolean {
  const hh = h.half ?? 0, vh = v.half ?? 0;
  return v.at - vh <= h.to + tol && v.at + vh >= h.from - tol && h.at - hh <= v.to + tol && h.at + hh >= v.from - tol;
}

/** Groups of touching horizontal and vertical rules (union-find), each group one table's rules. */
export function connectedRules<H extends Ruling, V extends Ruling>(hs: H[], vs: V[], tol: number): Array<{ hs: H[]; vs: V[] }> {
  const parent = Array.from({ length: hs.length + vs.length }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  hs.forEach((h, i) => vs.forEach((v, j) => {
    if (touches(h, v, tol)) parent[find(i)] = find(hs.length + j);
  }));
  const groups = new Map<number, { hs: H[]; vs: V[] }>();
  for (let i = 0; i < parent.length; i++) {
    const g = groups.get(find(i)) ?? { hs: [], vs: [] };
    if (i < hs.length) g.hs.push(hs[i]!);
    else g.vs.push(vs[i - hs.length]!);
    groups.set(find(i), g);
  }
  return [...groups.values()];
}

/** Length of [a, b] covered by the union of the spans. */
export function coveredLength(spans: ReadonlyArray<readonly [number, number]>, a: number, b: number): number {
  const parts = spans.map(([s, e]) => [Math.max(s, a), Math.min(e, b)] as const).filter(([s, e]) => e > s).sort((p, q) => p[0] - q[0]);
  let covered = 0, reach = a;
  for (const [s, e] of parts) {
    if (e <= reach) continue;
    covered += e - Math.max(s, reach);
    reach = e;
  }
  return covered;
}

export interface Boundaries {
  /** grid line positions, ascending: n rows have n+1 ys */
  xs: number[];
  ys: number[];
  /** whether the horizontal grid line ys[i] is drawn over column c (xs[c]..xs[c+1]) */
  horizontal(i: number, c: number): boolean;
  /** whether the vertical grid line xs[j] is drawn over row r (ys[r]..ys[r+1]) */
  vertical(j: number, r: number): boolean;
}

/**
 * A table's grid lines and which slot sides its rules draw. A side counts as drawn when rules
 * cover at least `share` of it, `inset` left off at each end (where a scan's crossing rules blur
 * the ends, or a vector rule stops a point short).
 */
export function boundaries(hs: Ruling[], vs: Ruling[], opts: { tol: number; share: number; inset: number }): Boundaries {
  const { tol, share, inset } = opts;
  const xs = cluster(vs.map((v) => v.at), tol);
  const ys = cluster(hs.map((h) => h.at), tol);
  const on = (rules: Ruling[], at: number) => rules.filter((r) => Math.abs(r.at - at) <= tol).map((r) => [r.from, r.to] as const);
  const hOn = ys.map((y) => on(hs, y));
  const vOn = xs.map((x) => on(vs, x));
  const drawn = (spans: ReadonlyArray<readonly [number, number]>, a: number, b: number) => coveredLength(spans, a + inset, b - inset) >= share * (b - a - 2 * inset);
  return {
    xs,
    ys,
    horizontal: (i, c) => drawn(hOn[i]!, xs[c]!, xs[c + 1]!),
    vertical: (j, r) => drawn(vOn[j]!, ys[r]!, ys[r + 1]!),
  };
}
