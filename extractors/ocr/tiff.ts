// A small TIFF reader: @napi-rs/canvas (Skia) decodes PNG and JPEG but not TIFF, and scanners
// still write TIFF. Covered: every page (IFD), strips, uncompressed / PackBits / LZW, bilevel,
// 8-bit grey and 8-bit RGB(A). CCITT fax (G3/G4) and JPEG-in-TIFF are refused with a clear
// IngestError instead of pulling in a native decoder.
import { ErrorCode, IngestError } from '../../src/errors.js';
import type { Gray } from './raster.js';

interface Ifd { tags: Map<number, number[]>; next: number }

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

function reader(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  return {
    u16: (o: number) => v.getUint16(o, little),
    u32: (o: number) => v.getUint32(o, little),
    length: bytes.length,
  };
}

function readIfds(bytes: Uint8Array): Ifd[] | null {
  if (bytes.length < 8) return null;
  const r = reader(bytes);
  if (!((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) || r.u16(2) !== 42) return null;
  const ifds: Ifd[] = [];
  let offset = r.u32(4);
  const seen = new Set<number>();
  while (offset > 0 && offset + 2 <= r.length && !seen.has(offset) && ifds.length < 1000) {
    seen.add(offset);
    const count = r.u16(offset);
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = offset + 2 + i * 12;
      if (e + 12 > r.length) break;
      const tag = r.u16(e), type = r.u16(e + 2), n = r.u32(e + 4), size = TYPE_SIZE[type] ?? 1;
      if (type !== 3 && type !== 4) continue; // every tag we read is SHORT or LONG
      const at = n * size <= 4 ? e + 8 : r.u32(e + 8);
      const values: number[] = [];
      for (let k = 0; k < Math.min(n, 100_000) && at + (k + 1) * size <= r.length; k++) values.push(type === 3 ? r.u16(at + k * 2) : r.u32(at + k * 4));
      tags.set(tag, values);
    }
    const nextAt = offset + 2 + count * 12;
    ifds.push({ tags, next: nextAt + 4 <= r.length ? r.u32(nextAt) : 0 });
    offset = ifds[ifds.length - 1]!.next;
  }
  return ifds;
}

/** Each page's size from the header alone (for the pixel limit), or null if this is no TIFF. */
export function tiffPageSizes(bytes: Uint8Array): Array<{ width: number; height: number }> | null {
  const ifds = readIfds(bytes);
  if (!ifds) return null;
  return ifds.map((d) => ({ width: d.tags.get(256)?.[0] ?? 0, height: d.tags.get(257)?.[0] ?? 0 }));
}

export function decodeTiff(bytes: Uint8Array): Gray[] {
  const ifds = readIfds(bytes);
  if (!ifds || ifds.length === 0) throw new IngestError(ErrorCode.corrupt, 'TIFF header is damaged');
  return ifds.map((d, i) => decodePage(bytes, d, i + 1));
}

function decodePage(bytes: Uint8Array, d: Ifd, page: number): Gray {
  const tag = (t: number, dflt: number) => d.tags.get(t)?.[0] ?? dflt;
  const width = tag(256, 0), height = tag(257, 0);
  const compression = tag(259, 1), photometric = tag(262, 1), samples = tag(277, 1), bits = tag(258, 1);
  const predictor = tag(317, 1), planar = tag(284, 1);
  const offsets = d.tags.get(273) ?? [], counts = d.tags.get(279) ?? [];
  const unsupported = (what: string) => new IngestError(ErrorCode.unsupported, `TIFF page ${page}: ${what} is not supported; convert the scan to PNG or PDF`);
  if (d.tags.has(322)) throw unsupported('tiled layout');
  if (compression !== 1 && compression !== 5 && compression !== 32773) {
    throw unsupported(compression === 3 || compression === 4 ? 'CCITT fax compression' : compression === 6 || compression === 7 ? 'JPEG compression' : `compression ${compression}`);
  }
  if (!(bits === 1 && samples === 1) && bits !== 8) throw unsupported(`${bits}-bit samples`);
  if (planar !== 1 && samples > 1) throw unsupported('planar colour');
  if (photometric !== 0 && photometric !== 1 && photometric !== 2) throw unsupported(`photometric interpretation ${photometric}`);

  const rowBytes = bits === 1 ? Math.ceil(width / 8) : width * samples;
  const raw = new Uint8Array(rowBytes * height);
  let at = 0;
  offsets.forEach((off, k) => {
    const strip = bytes.subarray(off, off + (counts[k] ?? 0));
    const data = compression === 5 ? lzw(strip, raw.length - at) : compression === 32773 ? packBits(strip, raw.length - at) : strip;
    raw.set(data.subarray(0, Math.min(data.length, raw.length - at)), at);
    at += data.length;
  });
  if (predictor === 2 && bits === 8) {
    for (let y = 0; y < height; y++) for (let x = samples; x < rowBytes; x++) raw[y * rowBytes + x] = (raw[y * rowBytes + x]! + raw[y * rowBytes + x - samples]!) & 0xff;
  }
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (bits === 1) v = (raw[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
      else if (samples >= 3) { const p = y * rowBytes + x * samples; v = Math.round(0.299 * raw[p]! + 0.587 * raw[p + 1]! + 0.114 * raw[p + 2]!); }
      else v = raw[y * rowBytes + x * samples]!;
      data[y * width + x] = photometric === 0 ? 255 - v : v; // 0 = WhiteIsZero
    }
  }
  return { width, height, data };
}

function packBits(src: Uint8Array, limit: number): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < src.length && out.length < limit;) {
    const n = (src[i++]! << 24) >> 24;
    if (n >= 0) { for (let k = 0; k <= n && i < src.length; k++) out.push(src[i++]!); }
    else if (n !== -128) { const b = src[i++]!; for (let k = 0; k < 1 - n; k++) out.push(b); }
  }
  return Uint8Array.from(out);
}

/** TIFF LZW (MSB-first codes, early change). */
function lzw(src: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let n = 0, bitPos = 0, width = 9;
  let dict: Uint8Array[] = [];
  const reset = () => { dict = Array.from({ length: 258 }, (_, i) => Uint8Array.of(i)); width = 9; };
  const read = () => {
    let code = 0;
    for (let k = 0; k < width; k++, bitPos++) {
      const byte = src[bitPos >> 3];
      if (byte === undefined) return 257;
      code = (code << 1) | ((byte >> (7 - (bitPos & 7))) & 1);
    }
    return code;
  };
  const emit = (s: Uint8Array) => { const m = Math.min(s.length, limit - n); out.set(s.subarray(0, m), n); n += m; };
  reset();
  let prev: Uint8Array | null = null;
  while (n < limit) {
    const code = read();
    if (code === 257) break;
    if (code === 256) { reset(); prev = null; continue; }
    let entry = dict[code];
    if (!entry) {
      if (!prev) break;
      entry = new Uint8Array(prev.length + 1); entry.set(prev); entry[prev.length] = prev[0]!;
    }
    emit(entry);
    if (prev) { const e = new Uint8Array(prev.length + 1); e.set(prev); e[prev.length] = entry[0]!; dict.push(e); }
    prev = entry;
    if (dict.length + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, n);
}
