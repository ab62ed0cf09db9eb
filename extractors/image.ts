// Page images (PNG, JPEG, TIFF) -> DocModel through OCR (format 'image-ocr'). The header's size is
// checked before anything is decoded: a 100-byte PNG can claim 50,000×50,000 pixels (10 GB of
// RGBA), so the claim is refused against limits.maxImagePixels without allocating.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { DocModel } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import type { ExtractContext } from '../src/formats.js';
import { assemble, ocrRasters } from './ocr.js';
import { grayFromRgba, type Gray } from './ocr/raster.js';
import { decodeTiff, tiffPageSizes } from './ocr/tiff.js';

export interface ImageSize { width: number; height: number }

/** Width and height as the header states them; null when the header is cut short or unknown. */
export function imageSize(bytes: Uint8Array): ImageSize | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // walk the markers to the first start-of-frame (SOF0..SOF15 except DHT, JPG, DAC)
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) { i++; continue; }
      const marker = b[i + 1]!;
      if (marker === 0xff) { i++; continue; }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
      const length = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      i += 2 + length;
    }
    return null;
  }
  const tiff = tiffPageSizes(bytes);
  if (tiff) return tiff.reduce((big, s) => (s.width * s.height > big.width * big.height ? s : big), { width: 0, height: 0 });
  return null;
}

/**
 * Resolution from the header (PNG pHYs, JPEG JFIF); else, for an image shaped like an A4 page,
 * from its short side (8.27 in); else 200 dpi, the usual scanning resolution.
 */
export function imageDpi(bytes: Uint8Array, width: number, height: number): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phys = b[0] === 0x89 ? b.indexOf('pHYs', 8, 'latin1') : -1;
  if (phys > 0 && phys < 4096 && b[phys + 12] === 1) return Math.round(b.readUInt32BE(phys + 4) * 0.0254);
  if (b[0] === 0xff && b.toString('latin1', 6, 10) === 'JFIF' && b[13] === 1 && b.readUInt16BE(14) > 1) return b.readUInt16BE(14);
  const ratio = Math.max(width, height) / Math.min(width, height);
  return Math.abs(ratio - Math.SQRT2) < 0.08 ? Math.min(600, Math.max(100, Math.round(Math.min(width, height) / 8.27))) : 200;
}

function checkSize(size: ImageSize | null, ctx: ExtractContext) {
  if (!size || size.width === 0 || size.height === 0) throw new IngestError(ErrorCode.corrupt, 'image header states no size (truncated or damaged image)');
  if (size.width * size.height > ctx.limits.maxImagePixels) {
    throw new IngestError(ErrorCode.tooManyPixels, `image is ${size.width}×${size.height} pixels, over the ${ctx.limits.maxImagePixels}-pixel limit`);
  }
}

/**
 * @napi-rs/canvas 0.1.80 kills the process (SIGSEGV, or a Rust panic that aborts) instead of throwing
 * on a PNG without an IDAT chunk (a file cut inside its first ~40 bytes) or a JPEG cut before its
 * start-of-scan header. Refuse those before decoding: the extraction pool survives such a crash as
 * "extractor crashed", an in-process run does not. A file cut later, inside its image data, decodes
 * without a word into a picture whose lower part is blank, and OCR finds nothing there: the end
 * marker (PNG's IEND chunk, JPEG's EOI) must be present, or the file is truncated.
 */
function assertImageData(bytes: Uint8Array): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0x89) {
    let data = false;
    for (let i = 8; i + 8 <= b.length; i += 12 + b.readUInt32BE(i)) {
      const type = b.toString('latin1', i + 4, i + 8);
      if (type === 'IDAT') data = true;
      if (type === 'IEND') {
        if (data) return;
        throw new IngestError(ErrorCode.corrupt, 'PNG has no image data (no IDAT chunk)');
      }
    }
    if (!data) throw new IngestError(ErrorCode.truncated, 'PNG is cut short before its image data');
    throw new IngestError(ErrorCode.truncated, `PNG is cut short inside its image data: no IEND chunk (${b.length} bytes read)`);
  }
  if (b[0] === 0xff) {
    for (let i = 2; i + 4 <= b.length; ) {
      const marker = b[i + 1]!;
      if (b[i] !== 0xff || marker === 0xff) { i++; continue; }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
      if (marker === 0xd9) throw new IngestError(ErrorCode.corrupt, 'JPEG ends before any image data (no start-of-scan)');
      const length = b.readUInt16BE(i + 2);
      if (marker === 0xda) {
        if (i + 2 + length > b.length) break;
        // 0xFF in the entropy-coded data is stuffed as FF 00, so FF D9 after the scan header is the
        // end-of-image marker (an embedded thumbnail's EOI comes before the first scan)
        if (b.indexOf(Buffer.from([0xff, 0xd9]), i + 2 + length) >= 0) return;
        throw new IngestError(ErrorCode.truncated, `JPEG is cut short inside its image data: no end-of-image marker (${b.length} bytes read)`);
      }
      i += 2 + length;
    }
    throw new IngestError(ErrorCode.truncated, 'JPEG is cut short before its image data (no complete start-of-scan header)');
  }
}

async function decodeWithCanvas(bytes: Uint8Array): Promise<Gray> {
  assertImageData(bytes);
  let img;
  try {
    img = await loadImage(Buffer.from(bytes));
  } catch (err) {
    throw new IngestError(ErrorCode.corrupt, `image cannot be decoded: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const canvas = createCanvas(img.width, img.height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, img.width, img.height);
  g.drawImage(img, 0, 0);
  return grayFromRgba(g.getImageData(0, 0, img.width, img.height).data, img.width, img.height);
}

export async function extractImage(bytes: Uint8Array, ctx: ExtractContext): Promise<DocModel> {
  checkSize(imageSize(bytes), ctx);
  const isTiff = (bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d);
  // a TIFF may hold several pages (a multi-page fax or scan); PNG and JPEG hold one
  const images = isTiff ? decodeTiff(bytes) : [await decodeWithCanvas(bytes)];
  const pages = images.map((image, i) => {
    const dpi = imageDpi(bytes, image.width, image.height);
    return { page: i + 1, image, dpi, unit: 1 };
  });
  return assemble(await ocrRasters(pages, ctx), 'image-ocr');
}
