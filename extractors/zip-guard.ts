// A zip reader for .docx that never inflates more than the limit. The central directory is read
// first, so a zip bomb with honest headers or a truncated download is refused before any
// decompression; each entry is then inflated with a hard output cap shared by the whole archive,
// so a bomb that lies about its sizes is stopped while inflating (jszip, which mammoth uses by
// default, trusts the headers and would inflate all of it into memory first).
import { crc32, inflateRawSync } from 'node:zlib';
import { ErrorCode, IngestError } from '../src/errors.js';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** 8 = deflate, 0 = stored */
  method: number;
  flags: number;
  crc: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;

/** The central directory's entries; throws truncated/corrupt IngestErrors for broken archives. */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(view);
  if (eocd < 0) {
    throw new IngestError(ErrorCode.truncated, 'zip container has no end-of-central-directory record: the file is cut short');
  }
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) {
      throw new IngestError(ErrorCode.corrupt, 'zip container declares ZIP64 but has no ZIP64 locator');
    }
    const z64 = Number(view.getBigUint64(locator + 8, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== ZIP64_EOCD) {
      throw new IngestError(ErrorCode.corrupt, 'zip container has a broken ZIP64 end record');
    }
    count = Number(view.getBigUint64(z64 + 32, true));
    cdSize = Number(view.getBigUint64(z64 + 40, true));
    cdOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  if (cdOffset + cdSize > bytes.length) {
    throw new IngestError(ErrorCode.truncated, `zip central directory ends at byte ${cdOffset + cdSize}, past the end of the ${bytes.length}-byte file: the file is cut short`);
  }
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      throw new IngestError(ErrorCode.corrupt, `zip central directory entry ${i + 1} of ${count} is damaged`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // ZIP64 extended information: the 8-byte sizes, in that order, only for the fields that overflowed
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = view.getUint16(extra, true);
        const size = view.getUint16(extra + 2, true);
        if (id === 0x0001) {
          let field = extra + 4;
          if (uncompressedSize === 0xffffffff && field + 8 <= extraEnd) {
            uncompressedSize = Number(view.getBigUint64(field, true));
            field += 8;
          }
          if (compressedSize === 0xffffffff && field + 8 <= extraEnd) {
            compressedSize = Number(view.getBigUint64(field, true));
            field += 8;
          }
          if (localHeaderOffset === 0xffffffff && field + 8 <= extraEnd) localHeaderOffset = Number(view.getBigUint64(field, true));
          break;
        }
        extra += 4 + size;
      }
    }
    entries.push({ name, compressedSize, uncompressedSize, method, flags, crc, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Refuse a container whose declared content exceeds maxBytes, in total or in one entry. */
export function assertZipWithinLimit(entries: ZipEntry[], maxBytes: number): void {
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (total > maxBytes) {
      throw new IngestError(
        ErrorCode.zipBomb,
        `zip container declares ${total} uncompressed bytes by entry "${e.name}", over the ${maxBytes}-byte limit`,
      );
    }
  }
}

/**
 * Entries of one archive, inflated on demand under one shared budget of maxBytes. Throws
 * IngestErrors: zip-bomb past the budget, truncated for data cut short, corrupt for anything else.
 */
export class BoundedZip {
  private readonly byName = new Map<string, ZipEntry>();
  private readonly replaced = new Map<string, Uint8Array>();
  private inflated = 0;

  constructor(
    private readonly bytes: Uint8Array,
    entries: ZipEntry[],
    private readonly maxBytes: number,
  ) {
    for (const e of entries) this.byName.set(e.name, e);
  }

  has(name: string): boolean {
    return this.replaced.has(name) || this.byName.has(name);
  }

  /** Serve this content for the entry instead of the archive's (a repaired part). */
  replace(name: string, content: Uint8Array): void {
    this.replaced.set(name, content);
  }

  read(name: string): Uint8Array {
    const replaced = this.replaced.get(name);
    if (replaced) return replaced;
    const e = this.byName.get(name);
    if (!e) throw new IngestError(ErrorCode.corrupt, `zip container has no ${name}`);
    if (e.flags & 0x1) throw new IngestError(ErrorCode.encrypted, `zip entry "${name}" is encrypted`);
    const data = this.rawData(e);
    let out: Uint8Array;
    const budget = this.maxBytes - this.inflated;
    if (e.method === 0) {
      out = data;
    } else if (e.method === 8) {
      try {
        out = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
          throw new IngestError(ErrorCode.zipBomb, `zip entry "${name}" inflates past the ${this.maxBytes}-byte limit (it declares ${e.uncompressedSize} bytes)`, { cause: err });
        }
        if (/unexpected end/i.test(String((err as Error).message))) {
          throw new IngestError(ErrorCode.truncated, `zip entry "${name}" ends early: the file is cut short`, { cause: err });
        }
        throw new IngestError(ErrorCode.corrupt, `zip entry "${name}" cannot be inflated: ${(err as Error).message}`, { cause: err });
      }
    } else {
      throw new IngestError(ErrorCode.corrupt, `zip entry "${name}" uses compression method ${e.method}, which .docx files never use`);
    }
    this.inflated += out.length;
    if (this.inflated > this.maxBytes) {
      throw new IngestError(ErrorCode.zipBomb, `zip entries inflate past the ${this.maxBytes}-byte limit at "${name}"`);
    }
    if (crc32(out) !== e.crc) throw new IngestError(ErrorCode.corrupt, `zip entry "${name}" fails its CRC check: the data is damaged`);
    return out;
  }

  private rawData(e: ZipEntry): Uint8Array {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const at = e.localHeaderOffset;
    if (at + 30 > this.bytes.length || view.getUint32(at, true) !== LOCAL) {
      throw new IngestError(ErrorCode.corrupt, `zip entry "${e.name}" has no local header at byte ${at}`);
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + e.compressedSize;
    if (end > this.bytes.length) throw new IngestError(ErrorCode.truncated, `zip entry "${e.name}" runs past the end of the file: the file is cut short`);
    return this.bytes.subarray(start, end);
  }
}

function findEocd(view: DataView): number {
  // the record is 22 bytes plus a comment of at most 65535 bytes
  const stop = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= stop; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  return -1;
}
