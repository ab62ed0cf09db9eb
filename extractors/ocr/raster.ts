// Grey page rasters: the one image type the OCR stages share. One byte per pixel (0 black, 255
// white) keeps rule detection and deskew simple loops, and crops go to tesseract as PGM, which
// leptonica reads directly (no PNG encode per cell).

export interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

/** RGBA (canvas ImageData) to grey, compositing transparency onto white. */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Gray {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += 4) {
    const a = rgba[p + 3]! / 255;
    const y = 0.299 * rgba[p]! + 0.587 * rgba[p + 1]! + 0.114 * rgba[p + 2]!;
    data[i] = Math.round(y * a + 255 * (1 - a));
  }
  return { width, height, data };
}

/** Otsu's threshold: scans differ in paper tone and toner, so a fixed 128 loses faint rules. */
export function otsuThreshold(img: Gray): number {
  const hist = new Uint32Array(256);
  const data = img.data;
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++;
  const total = img.data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0, wB = 0, best = 0, threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB, mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) { best = between; threshold = t; }
  }
  return threshold;
}

/** Dark-pixel mask (1 = ink). */
export function binarize(img: Gray, threshold = otsuThreshold(img)): Uint8Array {
  const ink = new Uint8Array(img.data.length);
  for (let i = 0; i < ink.length; i++) ink[i] = img.data[i]! <= threshold ? 1 : 0;
  return ink;
}

export function crop(img: Gray, x0: number, y0: number, x1: number, y1: number): Gray {
  const left = Math.max(0, Math.floor(x0)), top = Math.max(0, Math.floor(y0));
  const width = Math.max(0, Math.min(img.width, Math.ceil(x1)) - left);
  const height = Math.max(0, Math.min(img.height, Math.ceil(y1)) - top);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(img.data.subarray((top + y) * img.width + left, (top + y) * img.width + left + width), y * width);
  return { width, height, data };
}

/** Add a white margin: tesseract reads glyphs touching the image edge badly. */
export function pad(img: Gray, margin: number): Gray {
  const width = img.width + 2 * margin, height = img.height + 2 * margin;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y + margin) * width + margin);
  return { width, height, data };
}

/** Binary PGM (P5): leptonica, inside tesseract, reads it without a decoder round trip. */
export function toPgm(img: Gray): Buffer {
  const header = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'latin1');
  return Buffer.concat([header, Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)]);
}

/** Share of ink pixels in a rectangle: an empty cell skips OCR entirely. */
export function inkRatio(img: Gray, x0: number, y0: number, x1: number, y1: number, threshold: number): number {
  let ink = 0, n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, Math.ceil(x1)); x++) {
      n++;
      if (img.data[y * img.width + x]! <= threshold) ink++;
    }
  }
  return n === 0 ? 0 : ink / n;
}

/** Twice the size, bilinear: tesseract misreads some 10.5-pt glyphs at 200 dpi ("一级" -> "二红") that it reads right at 400. */
export function upscale2(img: Gray): Gray {
  const width = img.width * 2, height = img.height * 2;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y - 0.5) / 2)), y0 = Math.floor(sy), y1 = Math.min(img.height - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x - 0.5) / 2)), x0 = Math.floor(sx), x1 = Math.min(img.width - 1, x0 + 1), fx = sx - x0;
      const top = img.data[y0 * img.width + x0]! * (1 - fx) + img.data[y0 * img.width + x1]! * fx;
      const bottom = img.data[y1 * img.width + x0]! * (1 - fx) + img.data[y1 * img.width + x1]! * fx;
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data };
}

/**
 * Level a page leaning `degrees` by two whole-pixel shears (columns shifted vertically, then rows
 * horizontally). For the small angles of scans this equals a rotation to within a pixel, and
 * unlike resampling it keeps every glyph pixel as scanned: bilinear rotation blurs thin strokes
 * enough to cost tesseract words (measured on a corpus page: 7 doubtful words instead of 2).
 */
export function shearLevel(img: Gray, degrees: number): Gray {
  const { width, height } = img;
  const t = Math.tan((degrees * Math.PI) / 180);
  const cx = width / 2, cy = height / 2;
  const columns = new Uint8Array(width * height).fill(255);
  for (let x = 0; x < width; x++) {
    const shift = Math.round((x - cx) * t);
    for (let y = Math.max(0, -shift); y < Math.min(height, height - shift); y++) columns[y * width + x] = img.data[(y + shift) * width + x]!;
  }
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < height; y++) {
    const shift = -Math.round((y - cy) * t);
    const from = Math.max(0, -shift), to = Math.min(width, width - shift);
    if (to > from) data.set(columns.subarray(y * width + from + shift, y * width + to + shift), y * width + from);
  }
  return { width, height, data };
}
