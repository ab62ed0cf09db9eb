// Skew estimation by projection profiles: scans lean a little (the corpus up to ±0.8°), enough
// that a table rule drifts 20 px across a 200-dpi page and rows of text smear into each other.
// Shearing the ink by the right angle makes text lines and rules line up, so the row histogram
// of ink becomes the most peaked (sum of squares largest).
import { otsuThreshold, shearLevel, type Gray } from './raster.js';

/** Leaning angle in degrees (positive: lines go down to the right), within ±maxDegrees. */
export function estimateSkew(img: Gray, maxDegrees = 2): number {
  const threshold = otsuThreshold(img);
  // every third column is plenty and a third of the work; every row is kept, because sampling
  // rows leaves empty histogram bins at exactly 0° only, which then wins by artefact
  let xs = new Int32Array(1 << 16), ys = new Int32Array(1 << 16), n = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0, i = y * img.width; x < img.width; x += 3, i += 3) {
      if (img.data[i]! > threshold) continue;
      if (n === xs.length) { xs = grow(xs); ys = grow(ys); }
      xs[n] = x; ys[n++] = y;
    }
  }
  if (n < 100) return 0;
  const score = (deg: number) => {
    const t = Math.tan((deg * Math.PI) / 180), offset = Math.ceil(img.width * Math.abs(t)) + 1;
    const hist = new Float64Array(img.height + 2 * offset);
    for (let i = 0; i < n; i++) hist[Math.round(ys[i]! - xs[i]! * t) + offset]!++;
    let s = 0;
    for (const v of hist) s += v * v;
    return s;
  };
  let best = 0, bestScore = -1;
  for (let a = -maxDegrees; a <= maxDegrees + 1e-9; a += 0.1) {
    const s = score(a);
    if (s > bestScore) { bestScore = s; best = a; }
  }
  const coarse = best;
  for (let a = coarse - 0.1; a <= coarse + 0.1 + 1e-9; a += 0.01) {
    const s = score(a);
    if (s > bestScore) { bestScore = s; best = a; }
  }
  return Math.round(best * 100) / 100;
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** The page levelled, and the angle it leant by; pages within 0.05° are left as they are. */
export function deskew(img: Gray): { image: Gray; angle: number } {
  const angle = estimateSkew(img);
  return { image: Math.abs(angle) < 0.05 ? img : shearLevel(img, angle), angle };
}
