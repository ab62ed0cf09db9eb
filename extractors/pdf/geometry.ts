// Page geometry from pdfjs: text runs and ruling lines in page points, top-left origin (the
// viewport transform flips PDF's bottom-left y and applies /Rotate and the crop box offset).
import type { TextContent, TextItem } from 'pdfjs-dist/types/src/display/api.js';

export type Matrix = [number, number, number, number, number, number];
/** [x0, y0, x1, y1], top-left origin, x0 <= x1 and y0 <= y1 */
export type Box = [number, number, number, number];

/** One pdfjs text item, whitespace-only items dropped (spaces are re-derived from gaps). */
export interface Run {
  str: string;
  x0: number;
  x1: number;
  /** baseline, top-left origin */
  base: number;
  /** font size in points */
  size: number;
}

/** An axis-aligned ruling segment: a stroked line or a thin filled rectangle. */
export interface Rule {
  horizontal: boolean;
  /** position across the rule: y of a horizontal rule, x of a vertical one */
  at: number;
  /** extent along the rule */
  from: number;
  to: number;
}

export const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5],
];
/** pdfjs 5's Util.applyTransform mutates its argument and returns undefined: ours returns a point. */
export const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

export const runTop = (r: Run) => r.base - r.size * 0.85;
export const runBottom = (r: Run) => r.base + r.size * 0.15;
export const runMiddle = (r: Run) => r.base - r.size * 0.35;

export function unionBox(boxes: Box[]): Box {
  return boxes.reduce<Box>((u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])], [Infinity, Infinity, -Infinity, -Infinity]);
}

export const round1 = (b: Box): Box => b.map((v) => Math.round(v * 10) / 10) as Box;

/**
 * Kangxi radicals and CJK compatibility ideographs: fonts of Word exports often map glyphs to these
 * look-alikes ("⽬标" with U+2F6C for 目), which match nothing; NFKC maps each to the ideograph.
 * Only these ranges: NFKC would also fold the full-width punctuation that text keeps verbatim.
 */
const RADICALS = /[\u2e80-\u2fdf\uf900-\ufaff]/g;

/**
 * Text runs of a page, upright or turned by a quarter. Whitespace items are dropped: pdfjs inserts
 * them for any wide gap, also the gap between two table cells, so spaces are rebuilt from the
 * geometry when lines are joined.
 */
export function pageRuns(content: TextContent, viewport: Matrix): Run[] {
  const runs: Run[] = [];
  const seen = new Map<string, Run[]>();
  for (const item of content.items) {
    if (!('str' in item)) continue;
    const it = item as TextItem;
    if (it.str.trim() === '') continue;
    const t = multiply(viewport, it.transform as Matrix);
    const upright = Math.abs(t[1]) <= 1e-3 * Math.abs(t[0]) && Math.abs(t[2]) <= 1e-3 * Math.abs(t[3]) && t[0] > 0;
    const size = upright ? Math.abs(t[3]) || Math.abs(t[0]) : Math.hypot(t[2], t[3]);
    // width is in device units already scaled by the text matrix; the viewport scale is 1
    const width = it.width > 0 ? it.width : size * it.str.length;
    let [x, base, x1] = [t[4], t[5], t[4] + width];
    if (!upright) {
      // a label turned by a quarter (a narrow cell's vertical "绩效指标") keeps its place by its
      // centre; slanted text is a watermark or a stamp, which belongs to no cell
      const along = Math.hypot(t[0], t[1]);
      if (Math.min(Math.abs(t[0]), Math.abs(t[1])) > 1e-3 * along) continue;
      const [dx, dy] = [(t[0] / along) * width, (t[1] / along) * width];
      const [nx, ny] = [-t[2], -t[3]]; // the glyphs' up direction in device space
      const xsOf = [t[4], t[4] + dx, t[4] + nx, t[4] + dx + nx];
      const ysOf = [t[5], t[5] + dy, t[5] + ny, t[5] + dy + ny];
      [x, x1] = [Math.min(...xsOf), Math.max(...xsOf)];
      base = (Math.min(...ysOf) + Math.max(...ysOf)) / 2 + 0.35 * size; // so that runMiddle is the centre
    }
    const str = it.str.replace(RADICALS, (c) => c.normalize('NFKC'));
    // fake bold: Word and WPS print a CJK font without a bold face twice, a fraction of a point
    // apart; the copy would double every character ("预预算算")
    const twins = seen.get(str) ?? [];
    if (twins.some((o) => Math.abs(o.x0 - x) < 0.25 * size && Math.abs(o.base - base) < 0.25 * size)) continue;
    const run = { str, x0: x, x1, base, size };
    seen.set(str, [...twins, run]);
    runs.push(run);
  }
  return runs;
}

/**
 * The rotation that sets a page's text upright, as a transform to apply after the viewport, with
 * the size of the upright page. A landscape table printed on a portrait page by turning the
 * content (not by /Rotate) has all its text at 90°: read as is, every run would be dropped.
 */
export function uprightFrame(content: TextContent, viewport: Matrix, width: number, height: number): { turn: Matrix; width: number; height: number } | null {
  const votes = new Map<number, number>();
  for (const item of content.items) {
    if (!('str' in item) || (item as TextItem).str.trim() === '') continue;
    const t = multiply(viewport, (item as TextItem).transform as Matrix);
    const quarter = ((Math.round(Math.atan2(t[1], t[0]) / (Math.PI / 2)) % 4) + 4) % 4;
    votes.set(quarter, (votes.get(quarter) ?? 0) + (item as TextItem).str.length);
  }
  const [quarter] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? [0];
  if (!quarter) return null;
  const angle = (-quarter * Math.PI) / 2;
  const [c, s] = [Math.round(Math.cos(angle)), Math.round(Math.sin(angle))];
  const turn: Matrix = [c, s, -s, c, 0, 0];
  const corners = [apply(turn, 0, 0), apply(turn, width, 0), apply(turn, 0, height), apply(turn, width, height)];
  const minX = Math.min(...corners.map((p) => p[0]));
  const minY = Math.min(...corners.map((p) => p[1]));
  turn[4] = -minX;
  turn[5] = -minY;
  return { turn, width: quarter % 2 ? height : width, height: quarter % 2 ? width : height };
}

/** The part of pdfjs's OPS table that rule collection reads. */
export interface PathOps {
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  stroke: number;
  closeStroke: number;
  fill: number;
  eoFill: number;
  fillStroke: number;
  eoFillStroke: number;
  closeFillStroke: number;
  closeEOFillStroke: number;
  setStrokeRGBColor: number;
  setFillRGBColor: number;
}

/** Anything thinner than this (points) that is long enough counts as a rule when filled. */
const THIN = 2.5;
const MIN_LENGTH = 3;

const isWhite = (hex: string | undefined) => typeof hex === 'string' && /^#(f[c-f]){3}$/i.test(hex);

/**
 * Ruling lines of a page from its operator list, tracking the CTM through save/restore/transform.
 * Stroked paths give their straight axis-aligned segments (a stroked rectangle gives its 4 edges);
 * filled paths count only when thin: Word and WPS exports draw cell borders as 0.5pt-wide filled
 * rectangles, while a wide filled rectangle is cell shading. White rules are invisible and skipped
 * (a border "removed" by painting it white must not split a cell).
 */
export function pageRules(fnArray: number[], argsArray: unknown[], OPS: PathOps, viewport: Matrix): Rule[] {
  const rules: Rule[] = [];
  const stack: { ctm: Matrix; stroke: string | undefined; fill: string | undefined }[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let stroke: string | undefined;
  let fill: string | undefined;
  const strokePaints = new Set([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const fillPaints = new Set([OPS.fill, OPS.eoFill]);

  const addSegment = (a: [number, number], b: [number, number]) => {
    const dx = Math.abs(a[0] - b[0]);
    const dy = Math.abs(a[1] - b[1]);
    if (dy <= 0.5 && dx >= MIN_LENGTH) rules.push({ horizontal: true, at: (a[1] + b[1]) / 2, from: Math.min(a[0], b[0]), to: Math.max(a[0], b[0]) });
    else if (dx <= 0.5 && dy >= MIN_LENGTH) rules.push({ horizontal: false, at: (a[0] + b[0]) / 2, from: Math.min(a[1], b[1]), to: Math.max(a[1], b[1]) });
  };

  for (let k = 0; k < fnArray.length; k++) {
    const fn = fnArray[k];
    const args = argsArray[k] as unknown[] | null;
    if (fn === OPS.save) stack.push({ ctm, stroke, fill });
    else if (fn === OPS.restore) {
      const s = stack.pop();
      if (s) ({ ctm, stroke, fill } = s);
    } else if (fn === OPS.transform && args) ctm = multiply(ctm, args as Matrix);
    else if (fn === OPS.setStrokeRGBColor && args) stroke = args[0] as string;
    else if (fn === OPS.setFillRGBColor && args) fill = args[0] as string;
    else if (fn === OPS.constructPath && args) {
      const paint = args[0] as number;
      const stroked = strokePaints.has(paint) && !isWhite(stroke);
      const filled = fillPaints.has(paint) && !isWhite(fill);
      if (!stroked && !filled) continue;
      const m = multiply(viewport, ctm);
      for (const sub of subpaths((args[1] as ArrayLike<number>[] | undefined)?.[0])) {
        const pts = sub.points.map(([x, y]) => apply(m, x, y));
        if (sub.curved || pts.length < 2) continue;
        const box = unionBox(pts.map(([x, y]) => [x, y, x, y] as Box));
        const w = box[2] - box[0];
        const h = box[3] - box[1];
        if (filled && !stroked) {
          // a thin filled rectangle (or polygon) is a rule along its long side
          if (h <= THIN && w >= MIN_LENGTH) rules.push({ horizontal: true, at: (box[1] + box[3]) / 2, from: box[0], to: box[2] });
          else if (w <= THIN && h >= MIN_LENGTH) rules.push({ horizontal: false, at: (box[0] + box[2]) / 2, from: box[1], to: box[3] });
          continue;
        }
        if (w <= THIN && h <= THIN) continue;
        if ((h <= THIN && w >= MIN_LENGTH) || (w <= THIN && h >= MIN_LENGTH)) {
          // a hairline drawn as a closed thin shape: one rule, not two
          addSegment([box[0], (box[1] + box[3]) / 2], [box[2], (box[1] + box[3]) / 2]);
          if (w <= THIN) addSegment([(box[0] + box[2]) / 2, box[1]], [(box[0] + box[2]) / 2, box[3]]);
          continue;
        }
        for (let i = 1; i < pts.length; i++) addSegment(pts[i - 1]!, pts[i]!);
        if (sub.closed) addSegment(pts[pts.length - 1]!, pts[0]!);
      }
    }
  }
  return rules;
}

interface Subpath {
  points: [number, number][];
  closed: boolean;
  curved: boolean;
}

/** Split a pdfjs 5 path buffer (DrawOPS 0=moveTo 1=lineTo 2=curveTo 3=closePath) into subpaths. */
function subpaths(buf: ArrayLike<number> | undefined): Subpath[] {
  const out: Subpath[] = [];
  if (!buf) return out;
  let cur: Subpath | null = null;
  for (let i = 0; i < buf.length; ) {
    const op = buf[i]!;
    if (op === 0) {
      cur = { points: [[buf[i + 1]!, buf[i + 2]!]], closed: false, curved: false };
      out.push(cur);
      i += 3;
    } else if (op === 1) {
      cur?.points.push([buf[i + 1]!, buf[i + 2]!]);
      i += 3;
    } else if (op === 2) {
      if (cur) {
        cur.curved = true;
        cur.points.push([buf[i + 5]!, buf[i + 6]!]);
      }
      i += 7;
    } else if (op === 3) {
      if (cur) cur.closed = true;
      i += 1;
    } else break; // unknown op: the rest of the buffer cannot be parsed
  }
  return out;
}
