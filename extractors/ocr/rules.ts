// Ruling lines on a levelled page raster: long runs of ink, horizontal and vertical. Scanned
// rules are 1–3 px thick, broken by noise and JPEG blocking, so a run tolerates small gaps and
// neighbouring rows' runs merge into one segment.
import { binarize, otsuThreshold, type Gray } from './raster.js';

/** A rule: horizontal ones have y0≈y1 (thickness apart), vertical ones x0≈x1. */
export interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Rules {
  horizontal: Segment[];
  vertical: Segment[];
  /** the ink threshold used, for the callers' emptiness checks */
  threshold: number;
}

interface Run { a: number; b: number }

/** Runs of ink along one line of pixels, bridging gaps up to `gap` pixels. */
function runs(get: (i: number) => number, length: number, gap: number, minLength: number): Run[] {
  const out: Run[] = [];
  let start = -1, last = -1;
  for (let i = 0; i < length; i++) {
    if (!get(i)) continue;
    if (start >= 0 && i - last - 1 <= gap) { last = i; continue; }
    if (start >= 0 && last - start + 1 >= minLength) out.push({ a: start, b: last });
    start = i; last = i;
  }
  if (start >= 0 && last - start + 1 >= minLength) out.push({ a: start, b: last });
  return out;
}

/** Runs found line by line, chained across consecutive lines when they overlap mostly. */
function segments(lineCount: number, lineRuns: (line: number) => Run[]): Array<{ a: number; b: number; from: number; to: number }> {
  const done: Array<{ a: number; b: number; from: number; to: number }> = [];
  let open: Array<{ a: number; b: number; from: number; to: number }> = [];
  for (let line = 0; line < lineCount; line++) {
    const next: typeof open = [];
    for (const r of lineRuns(line)) {
      const hit = open.find((s) => s.to >= line - 2 && Math.min(s.b, r.b) - Math.max(s.a, r.a) > 0.5 * Math.min(s.b - s.a, r.b - r.a));
      if (hit) {
        hit.a = Math.min(hit.a, r.a); hit.b = Math.max(hit.b, r.b); hit.to = line;
        if (!next.includes(hit)) next.push(hit);
      } else next.push({ a: r.a, b: r.b, from: line, to: line });
    }
    for (const s of open) if (!next.includes(s)) (s.to >= line - 2 ? next : done).push(s);
    open = next;
  }
  return done.concat(open);
}

/**
 * Rules of a levelled page (with `faint`, the long ones of hairline borders in light grey, see
 * faintThreshold). `dpi` scales the length thresholds: a horizontal rule is at least
 * 0.4 in long (narrower than any table cell, wider than "——"); a vertical one at least 0.12 in
 * (the thinnest empty table rows), but a short vertical must meet horizontal rules at both ends,
 * which a tall glyph stroke never does.
 */
export function findRules(img: Gray, dpi = 200, faint = false): Rules {
  const { width, height } = img;
  const threshold = Math.min(200, Math.max(100, otsuThreshold(img)));
  const ink = binarize(img, faint ? faintThreshold(img, threshold) : threshold);
  // the one-pixel tolerance below makes every rule two pixels thicker
  const maxThickness = Math.max(4, Math.round(dpi / 25)) + 2;
  const hMin = Math.round(dpi * 0.4), vMin = Math.round(dpi * 0.12), vLong = Math.round(dpi * 0.5);

  // a levelled rule still steps by a pixel here and there (the shear, the scanner's wobble): a run
  // follows ink one pixel to either side, so a step does not cut the rule into pieces too short to keep
  const hInk = (x: number, y: number) => ink[y * width + x]! | (y > 0 ? ink[(y - 1) * width + x]! : 0) | (y + 1 < height ? ink[(y + 1) * width + x]! : 0);
  const vInk = (x: number, y: number) => ink[y * width + x]! | (x > 0 ? ink[y * width + x - 1]! : 0) | (x + 1 < width ? ink[y * width + x + 1]! : 0);
  const horizontal = segments(height, (y) => runs((x) => hInk(x, y), width, 3, hMin))
    .filter((s) => s.to - s.from + 1 <= maxThickness)
    .map((s) => ({ x0: s.a, x1: s.b, y0: s.from, y1: s.to }));
  const verticalAll = segments(width, (x) => runs((y) => vInk(x, y), height, 3, vMin))
    .filter((s) => s.to - s.from + 1 <= maxThickness)
    .map((s) => ({ x0: s.from, x1: s.to, y0: s.a, y1: s.b }));
  const near = 6;
  const meets = (v: Segment, y: number) =>
    horizontal.some((h) => h.x0 - near <= v.x1 && h.x1 + near >= v.x0 && Math.abs((h.y0 + h.y1) / 2 - y) <= near + (h.y1 - h.y0));
  // share of a short vertical's length with ink just beside it: a rule has white cell padding on
  // both sides, a glyph's stroke has the rest of the glyph beside it
  // cell padding is 0.1–0.19 cm (8–15 px at 200 dpi), so 3–8 px beside a rule stays white
  const pad = Math.max(6, Math.round(dpi * 0.04));
  const beside = (v: Segment) => Array.from({ length: pad - 2 }, (_, k) => [v.x0 - 3 - k, v.x1 + 3 + k]).flat();
  const clearSides = (v: Segment) => {
    const from = Math.round(v.y0 + 0.15 * (v.y1 - v.y0)), to = Math.round(v.y1 - 0.15 * (v.y1 - v.y0));
    let inked = 0;
    for (let y = from; y <= to; y++) {
      for (const x of beside(v)) {
        if (x >= 0 && x < width && ink[y * width + x]) { inked++; break; }
      }
    }
    return inked / (to - from + 1);
  };
  const long = verticalAll.filter((v) => v.y1 - v.y0 >= vLong);
  // a column boundary that a long rule also draws elsewhere is believed with less white beside it
  const aligned = (v: Segment) => long.some((l) => Math.abs(l.x0 + l.x1 - v.x0 - v.x1) / 2 <= near);
  const vertical = verticalAll.filter((v) => {
    if (v.y1 - v.y0 >= vLong) return true;
    if (!meets(v, v.y0) || !meets(v, v.y1)) return false;
    const side = clearSides(v);
    return side <= 0.1 || (side <= 0.25 && aligned(v));
  });
  if (!faint) return { horizontal, vertical, threshold };
  // at the lighter threshold text strokes chain into short runs: only long rules are believed
  return { horizontal: horizontal.filter((h) => h.x1 - h.x0 >= dpi * 1.5), vertical: vertical.filter((v) => v.y1 - v.y0 >= vLong), threshold };
}

/**
 * Halfway from the ink threshold to the paper (the commonest lighter grey): where a table's
 * borders print as hairlines in light grey (a portal's HTML table, 161 on paper of 238, where
 * the text's threshold is 156).
 */
function faintThreshold(img: Gray, threshold: number): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  let paper = 255;
  for (let v = threshold + 1; v < 256; v++) if (hist[v]! > hist[paper]!) paper = v;
  return Math.round((threshold + paper) / 2);
}
