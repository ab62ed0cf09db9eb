// .docx: mammoth turns WordprocessingML into plain HTML (tables with colspan/rowspan, one <p> per
// Word paragraph, headings as <hN>), then html-model.ts builds the same model as a text dump.
// Word features mammoth drops are written into document.xml first (word-grid.ts, word-numbering.ts), and every part
// is inflated by zip-guard.ts under the size limit, never by jszip.
import mammoth from 'mammoth';
import type { DocModel, Format, Message } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import type { ExtractContext } from '../src/formats.js';
import { htmlToModel } from './html-model.js';
import { repairWordGrid } from './word-grid.js';
import { writeNumbering } from './word-numbering.js';
import { assertZipWithinLimit, BoundedZip, readZipDirectory } from './zip-guard.js';

export async function extractDocx(bytes: Uint8Array, ctx: ExtractContext): Promise<DocModel> {
  return docxToModel(bytes, ctx, 'docx');
}

/**
 * A zip that detection found no word/document.xml in: a .docx cut short before its directory (the
 * first kilobytes hold only [Content_Types].xml), or another package renamed .docx. Either way no
 * model, but the error says which, instead of a bare "unsupported zip".
 */
export function refuseZip(bytes: Uint8Array): never {
  const names = readZipDirectory(bytes).map((e) => e.name); // truncated-file for a cut download
  const has = (name: string) => names.includes(name);
  const kind = has('xl/workbook.xml') ? 'an Excel workbook (.xlsx)'
    : has('ppt/presentation.xml') ? 'a PowerPoint presentation (.pptx)'
    : has('mimetype') && has('content.xml') ? 'an OpenDocument file (.odt, .ods)'
    : `a zip archive of ${names.length} entries (${names.slice(0, 5).join(', ') || 'none'}) without word/document.xml`;
  throw new IngestError(ErrorCode.unsupported, `content is ${kind}, not a Word document`);
}

/** The .docx path, also taken by .doc files after LibreOffice converted them (format says which). */
export async function docxToModel(bytes: Uint8Array, ctx: ExtractContext, format: Format): Promise<DocModel> {
  const entries = readZipDirectory(bytes);
  assertZipWithinLimit(entries, ctx.limits.maxUnzippedBytes);
  if (!entries.some((e) => e.name === 'word/document.xml')) {
    throw new IngestError(ErrorCode.corrupt, 'zip container has no word/document.xml: not a Word document');
  }
  const zip = new BoundedZip(bytes, entries, ctx.limits.maxUnzippedBytes);
  const documentXml = new TextDecoder('utf-8').decode(zip.read('word/document.xml'));
  const numberingXml = zip.has('word/numbering.xml') ? new TextDecoder('utf-8').decode(zip.read('word/numbering.xml')) : null;
  const grid = repairWordGrid(writeNumbering(documentXml, numberingXml));
  if (grid.xml !== documentXml) zip.replace('word/document.xml', Buffer.from(grid.xml, 'utf8'));

  let result: { value: string; messages: Array<{ type: string; message: string }> };
  try {
    result = await mammoth.convertToHtml(
      // mammoth 1.13 takes any object with exists/read as the opened archive (lib/unzip.js,
      // `options.file`): ours inflates under the limit instead of trusting the headers
      { file: mammothArchive(zip) } as unknown as { buffer: Buffer },
      {
        // images are never read: their bytes cost time and memory and hold no text we use
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        externalFileAccess: false,
      },
    );
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError(ErrorCode.corrupt, `Word document cannot be converted: ${errorText(err)}`, { cause: err });
  }

  const model = htmlToModel(result.value, { collapseWhitespace: false, placeholderText: grid.placeholder });
  const messages: Message[] = [
    ...grid.messages,
    ...unreadContent(documentXml),
    ...dedupe(result.messages).map((m): Message => ({
      code: 'docx-conversion',
      message: m.message,
      severity: m.type === 'error' ? 'error' : STYLE_NOISE.test(m.message) ? 'info' : 'warning',
      stage: 'extract',
    })),
    ...model.messages,
  ];
  return { format, blocks: model.blocks, messages };
}

/**
 * Content mammoth skips without a word: imported chunks (w:altChunk, how web systems paste HTML
 * into a .docx) and embedded objects (an Excel sheet pasted as an object shows only a picture).
 * Their text is missing from the model, so the record says so.
 */
function unreadContent(documentXml: string): Message[] {
  const messages: Message[] = [];
  const chunks = documentXml.match(/<w:altChunk\b/g)?.length ?? 0;
  const objects = documentXml.match(/<w:object\b/g)?.length ?? 0;
  if (chunks > 0) {
    messages.push({ code: 'docx-unread-content', message: `${chunks} imported document chunk(s) (w:altChunk) were not read: their text is missing`, severity: 'warning', stage: 'extract' });
  }
  if (objects > 0) {
    messages.push({ code: 'docx-unread-content', message: `${objects} embedded object(s) (such as a pasted Excel sheet) were not read: only their picture is in the document`, severity: 'warning', stage: 'extract' });
  }
  return messages;
}

/** Unknown or undefined style names are routine (every template has custom styles) and change no text. */
const STYLE_NOISE = /^Unrecognised (paragraph|run|table|numbering) style|^(Paragraph|Run|Table|Numbering) style with ID .* was referenced but not defined/;

/** The archive interface of mammoth's lib/zipfile.js, read-only. */
function mammothArchive(zip: BoundedZip) {
  return {
    exists: (name: string) => zip.has(name),
    read: async (name: string, encoding?: string) => {
      const data = zip.read(name);
      if (encoding === 'base64') return Buffer.from(data).toString('base64');
      if (encoding) return new TextDecoder(encoding).decode(data);
      return data;
    },
    write: () => {
      throw new Error('the archive is read-only');
    },
    toArrayBuffer: () => Promise.reject(new Error('the archive is read-only')),
  };
}

function dedupe<T extends { type: string; message: string }>(messages: T[]): T[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${m.type}\u0000${m.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A library's message on one line: xmldom ends its own with "\n@#[line:undefined,col:undefined]",
 * which would split the stored error over lines of `docingest failures` (one failure a line).
 */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').replace(/\t/g, ' ').trim();
}
