// Skew estimation by projection profiles: scans lean a little (the corpus up to ±0.8°), enough
// that a table rule drifts 20 px across a 200-dpi page and rows of text smear into each other.
// Shearing the ink by the right angle makes text lines and rules line up, so the row histogram
// of ink becomes the most peaked (sum of squares largest).
import { binarize, shearLevel, type Gray } from './raster.js';

/** Leaning angle in degrees (positive: lines go down to the right), within ±maxDegrees. */
export function estimateSkew(img: Gray, maxDegrees = 2): number {
  const ink = binarize(img);
  // every third column is plenty and a third of the work; every row is kept, because sampling
  // rows leaves empty histogram bins at exactly 0° only, which then wins by artefact
  const xs: number[] = [], ys: number[] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x += 3) if (ink[y * img.width + x]) { xs.push(x); ys.push(y); }
  }
  if (xs.length < 100) return 0;
  const score = (deg: number) => {
    const t = Math.tan((deg * Math.PI) / 180), offset = Math.ceil(img.width * Math.abs(t)) + 1;
    const hist = new Float64Array(img.height + 2 * offset);
    for (let i = 0; i < xs.length; i++) hist[Math.round(ys[i]! - xs[i]! * t) + offset]!++;
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

/** The page levelled, and the angle it leant by; pages within 0.05° are left as they are. */
export function deskew(img: Gray): { image: Gray; angle: number } {
  const angle = estimateSkew(img);
  return { image: Math.abs(angle) < 0.05 ? img : shearLevel(img, angle), angle };
}
