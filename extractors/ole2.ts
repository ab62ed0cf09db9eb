// Just enough of the OLE2 compound-file format to tell what a legacy Office file is before handing
// it to a converter: which streams it holds (WordDocument? EncryptedPackage?) and the Word file
// information block (version, encryption flag). LibreOffice given an encrypted or foreign file
// either waits for a password or converts garbage, so those are refused here with a clear error.
import { ErrorCode, IngestError } from '../src/errors.js';

const END_OF_CHAIN = 0xfffffffe;
const FREE = 0xffffffff;

export interface OleStream {
  name: string;
  /** the first bytes of the stream (up to `want`), when it lives in regular sectors */
  head: Uint8Array | null;
  size: number;
}

/** Names and heads of the root storage's streams. Throws corrupt/truncated for a broken container. */
export function readOleStreams(bytes: Uint8Array, want = 512): OleStream[] {
  if (bytes.length < 512) throw new IngestError(ErrorCode.truncated, `OLE2 file is ${bytes.length} bytes, shorter than its 512-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = view.getUint16(0x1e, true);
  if (shift !== 9 && shift !== 12) throw new IngestError(ErrorCode.corrupt, `OLE2 header has an invalid sector size 2^${shift}`);
  const sectorSize = 1 << shift;
  const sectorCount = Math.floor((bytes.length - sectorSize) / sectorSize) + 1;
  const sectorAt = (s: number) => {
    // 0xFFFFFFFA and above are markers (end of chain, free, FAT, DIFAT), never a place in the file
    if (s >= 0xfffffffa) throw new IngestError(ErrorCode.corrupt, `OLE2 sector chain points at the marker 0x${s.toString(16)} instead of a sector: the file is damaged`);
    const start = (s + 1) * sectorSize;
    if (start + sectorSize > bytes.length) {
      throw new IngestError(ErrorCode.truncated, `OLE2 sector ${s} lies past the end of the ${bytes.length}-byte file: the file is cut short`);
    }
    return start;
  };

  // the FAT's own sectors: 109 listed in the header, the rest in the DIFAT chain
  const fatSectors: number[] = [];
  const numFat = view.getUint32(0x2c, true);
  for (let i = 0; i < 109 && fatSectors.length < numFat; i++) fatSectors.push(view.getUint32(0x4c + i * 4, true));
  let difat = view.getUint32(0x44, true);
  for (let guard = 0; difat !== END_OF_CHAIN && difat !== FREE && fatSectors.length < numFat; guard++) {
    if (guard > sectorCount) throw new IngestError(ErrorCode.corrupt, 'OLE2 DIFAT chain loops');
    const at = sectorAt(difat);
    const perSector = sectorSize / 4 - 1;
    for (let i = 0; i < perSector && fatSectors.length < numFat; i++) fatSectors.push(view.getUint32(at + i * 4, true));
    difat = view.getUint32(at + perSector * 4, true);
  }
  const fat: number[] = [];
  for (const s of fatSectors) {
    const at = sectorAt(s);
    for (let i = 0; i < sectorSize / 4; i++) fat.push(view.getUint32(at + i * 4, true));
  }
  const chain = (start: number, maxSectors = sectorCount): number[] => {
    const out: number[] = [];
    for (let s = start; s !== END_OF_CHAIN; s = fat[s] ?? END_OF_CHAIN) {
      if (s === FREE || s >= fat.length || out.length > sectorCount) throw new IngestError(ErrorCode.corrupt, 'OLE2 sector chain is broken');
      out.push(s);
      if (out.length >= maxSectors) break;
    }
    return out;
  };

  const miniCutoff = view.getUint32(0x38, true);
  const streams: OleStream[] = [];
  for (const s of chain(view.getUint32(0x30, true))) {
    const at = sectorAt(s);
    for (let e = at; e < at + sectorSize; e += 128) {
      const type = bytes[e + 0x42];
      if (type !== 2) continue; // 2 = stream; storages and the root are not read
      const nameLength = Math.min(view.getUint16(e + 0x40, true), 64);
      const name = Buffer.from(bytes.subarray(e, e + Math.max(0, nameLength - 2))).toString('utf16le');
      const size = view.getUint32(e + 0x78, true);
      let head: Uint8Array | null = null;
      if (size >= miniCutoff) {
        const sectors = chain(view.getUint32(e + 0x74, true), Math.ceil(want / sectorSize));
        head = Buffer.concat(sectors.map((x) => bytes.subarray(sectorAt(x), sectorAt(x) + sectorSize))).subarray(0, Math.min(want, size));
      }
      streams.push({ name, head, size });
    }
  }
  return streams;
}

export type WordFlavour = 'word97' | 'word6-95' | 'word2-or-older';

/**
 * What the OLE2 file holds, or an IngestError saying why it is not a readable Word document:
 * encrypted (.doc with fEncrypted/fObfuscated, or an encrypted .docx in an OLE2 envelope), another
 * Office format, or an unknown compound file.
 */
export function classifyWordOle(bytes: Uint8Array): WordFlavour {
  const streams = readOleStreams(bytes);
  const names = new Set(streams.map((s) => s.name));
  if (names.has('EncryptedPackage') || names.has('EncryptionInfo')) {
    throw new IngestError(ErrorCode.encrypted, 'the Office document is password-protected (encrypted package)');
  }
  const word = streams.find((s) => s.name === 'WordDocument');
  if (!word) {
    const kind = names.has('Workbook') || names.has('Book') ? 'an Excel workbook'
      : names.has('PowerPoint Document') ? 'a PowerPoint presentation'
      : `an OLE2 compound file without a WordDocument stream (streams: ${[...names].slice(0, 8).join(', ') || 'none'})`;
    throw new IngestError(ErrorCode.unsupported, `content is ${kind}, not a Word document`);
  }
  const fib = word.head;
  if (!fib || fib.length < 12) return 'word97'; // tiny stream in the mini stream: let the converter judge
  const fibView = new DataView(fib.buffer, fib.byteOffset, fib.byteLength);
  const ident = fibView.getUint16(0, true);
  const nFib = fibView.getUint16(2, true);
  const flags = fibView.getUint16(0x0a, true);
  if (ident !== 0xa5ec && ident !== 0xa5dc) {
    throw new IngestError(ErrorCode.corrupt, `WordDocument stream has no Word file header (magic 0x${ident.toString(16)})`);
  }
  // fEncrypted; fObfuscated (0x8000) only says which cipher, so this one bit covers both
  if (flags & 0x0100) throw new IngestError(ErrorCode.encrypted, 'the Word document is password-protected (fEncrypted)');
  if (nFib < 101) return 'word2-or-older';
  if (nFib < 193 && ident === 0xa5dc) return 'word6-95';
  return 'word97';
}
