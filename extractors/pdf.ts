// PDF with a text layer -> DocModel, with page numbers and boxes (points, top-left origin) in every
// Place. pdfjs-dist's legacy build (the modern one needs DOMMatrix and Promise.withResolvers, absent
// on Node 20), with cMaps and standard fonts from node_modules, never the network.
//
// Reuse (the OCR path): `loadPdf(bytes)` opens a document with the errors mapped to IngestError;
// `readPage(doc, n)` gives one page's text runs, ruling lines and whether it paints images;
// `layoutDocument(pages)` (./pdf/layout.ts) turns PageContent — runs may come from OCR word boxes —
// into blocks. A page that paints images but has no text is a scan: extractPdf hands such pages to
// extractors/ocr.ts (ocrPdfPages, or extractScannedPdf when every page is one).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';
import type { Block, DocModel, Message } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import type { ExtractContext } from '../src/formats.js';
import { type Matrix, multiply, pageRules, pageRuns, type PathOps, uprightFrame } from './pdf/geometry.js';
import { layoutDocument, type PageContent } from './pdf/layout.js';
import { assemble, extractScannedPdf, ocrPdfPages, withOcrPages } from './ocr.js';

const pdfjsDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

const PDFJS_OPTIONS = {
  cMapUrl: path.join(pdfjsDir, 'cmaps') + path.sep,
  cMapPacked: true,
  standardFontDataUrl: path.join(pdfjsDir, 'standard_fonts') + path.sep,
  verbosity: 0,
  isEvalSupported: false,
  useSystemFonts: false,
  disableFontFace: true,
};

/** Open a PDF. Encrypted, corrupt and truncated files become IngestErrors with a specific message. */
export async function loadPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  // pdfjs may transfer (detach) the buffer it is given: hand it a copy, the caller keeps the bytes
  const task = pdfjs.getDocument({ ...PDFJS_OPTIONS, data: new Uint8Array(bytes) });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw pdfError(err, bytes);
  }
  // pdfjs rebuilds a lost cross-reference table and opens a cut-off file without a word; what was
  // cut off (pages, fonts) is lost, so such a file is refused rather than read in part
  if (!hasEnd(bytes, 65536)) {
    await doc.destroy();
    throw new IngestError(ErrorCode.truncated, `PDF is truncated: no %%EOF marker near its end (${bytes.length} bytes read)`);
  }
  return doc;
}

/** Whether the file still has its end: a cut-off download or copy loses the trailer and %%EOF. */
function hasEnd(bytes: Uint8Array, window = 2048): boolean {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - window))).toString('latin1');
  return tail.includes('%%EOF');
}

function pdfError(err: unknown, bytes: Uint8Array, page?: number): IngestError {
  if (err instanceof IngestError) return err;
  const name = (err as { name?: string } | null)?.name ?? '';
  const message = err instanceof Error ? err.message : String(err);
  const where = page ? ` (page ${page})` : '';
  if (name === 'PasswordException') {
    return new IngestError(ErrorCode.encrypted, `PDF is password-protected${where}: ${message}`, { cause: err });
  }
  if (!hasEnd(bytes)) {
    return new IngestError(ErrorCode.truncated, `PDF is truncated: no %%EOF in its last bytes (${bytes.length} bytes read)${where}; ${message}`, { cause: err });
  }
  return new IngestError(ErrorCode.corrupt, `PDF structure is damaged${where}: ${message}`, { cause: err });
}

const IMAGE_OPS = new Set([pdfjs.OPS.paintImageXObject, pdfjs.OPS.paintInlineImageXObject, pdfjs.OPS.paintImageMaskXObject, pdfjs.OPS.paintImageXObjectRepeat, pdfjs.OPS.paintInlineImageXObjectGroup]);

export interface PdfPage extends PageContent {
  /** the page paints at least one image: a scan when it has no text */
  hasImages: boolean;
}

/** One page's geometry: text runs, ruling lines, page size in points (after /Rotate). */
export async function readPage(doc: PDFDocumentProxy, n: number): Promise<PdfPage> {
  const page = await doc.getPage(n);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const [content, ops] = await Promise.all([page.getTextContent(), page.getOperatorList()]);
    const upright = uprightFrame(content, viewport.transform as Matrix, viewport.width, viewport.height);
    const vt = upright ? multiply(upright.turn, viewport.transform as Matrix) : (viewport.transform as Matrix);
    return {
      page: n,
      width: upright?.width ?? viewport.width,
      height: upright?.height ?? viewport.height,
      runs: pageRuns(content, vt),
      rules: pageRules(ops.fnArray, ops.argsArray, pdfjs.OPS as unknown as PathOps, vt),
      hasImages: ops.fnArray.some((fn) => IMAGE_OPS.has(fn)),
    };
  } finally {
    page.cleanup();
  }
}

/**
 * A font without a Unicode map gives private-use or replacement characters: the text is there on
 * paper but not in the extraction, which must not pass silently.
 */
function unmappedGlyphs(p: PdfPage): Message[] {
  const count = p.runs.reduce((n, r) => n + (r.str.match(/[\ue000-\uf8ff\ufffd]/g)?.length ?? 0), 0);
  if (count === 0) return [];
  return [{ code: 'pdf-unmapped-glyphs', message: `page ${p.page}: ${count} characters have no Unicode mapping in their font and were not extracted correctly`, severity: 'warning', stage: 'extract', place: { page: p.page } }];
}

/** The pages that could not be read, as warnings in the model: what is missing and why. */
function withLostPages(model: DocModel, lost: { page: number; error: IngestError }[]): DocModel {
  const messages: Message[] = lost.map(({ page, error }) => ({
    code: 'pdf-page-unreadable',
    message: `page ${page} could not be read and is missing from the extraction: ${error.message}`,
    severity: 'warning',
    stage: 'extract',
    place: { page },
  }));
  return messages.length > 0 ? { ...model, messages: [...model.messages, ...messages] } : model;
}

/**
 * Text the pages draw but the layout placed nowhere (all of it slanted, say): an extraction that
 * ends empty although the pages have text must say so, never pass as a blank document. Per page it
 * would be noise: a blank page that keeps its running header and page number has text and no block.
 */
function unplacedText(pages: PdfPage[], blocks: Block[]): Message[] {
  if (blocks.length > 0) return [];
  const withText = pages.filter((p) => p.runs.length > 0);
  const runs = withText.reduce((n, p) => n + p.runs.length, 0);
  return [{ code: 'pdf-text-not-laid-out', message: `${runs} text runs on ${withText.length} page(s) (first: page ${withText[0]?.page}) could not be laid out into paragraphs or tables`, severity: 'warning', stage: 'extract', place: { page: withText[0]?.page } }];
}

export async function extractPdf(bytes: Uint8Array, ctx?: ExtractContext): Promise<DocModel> {
  const doc = await loadPdf(bytes);
  try {
    const pages: PdfPage[] = [];
    const scanned: number[] = [];
    // a damaged page (a bad flate stream, a page-tree entry pointing at the wrong object) costs that
    // page, not the report: the others are kept and the loss is stated where the page would be
    const lost: { page: number; error: IngestError }[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (ctx?.signal?.aborted) throw new IngestError(ErrorCode.timeout, `extraction stopped at page ${n} of ${doc.numPages}`);
      let p: PdfPage;
      try {
        p = await readPage(doc, n);
      } catch (err) {
        lost.push({ page: n, error: pdfError(err, bytes, n) });
        continue;
      }
      if (p.runs.length === 0 && p.hasImages) {
        scanned.push(n); // a scanned page: OCR reads it (extractors/ocr.ts)
        continue;
      }
      pages.push(p);
    }
    if (lost.length === doc.numPages) {
      const first = lost[0]!.error;
      throw new IngestError(first.code, lost.length > 1 ? `${first.message} (none of the other ${lost.length - 1} pages can be read either)` : first.message, { cause: first });
    }
    if (scanned.length === doc.numPages) return await extractScannedPdf(bytes, ctx);
    if (!pages.some((p) => p.runs.length > 0)) {
      if (scanned.length > 0) {
        // the readable pages are scans and the others are damaged: OCR what can be read
        return withLostPages(assemble(await ocrPdfPages(bytes, scanned, ctx), 'pdf-ocr'), lost);
      }
      throw new IngestError(ErrorCode.noTextLayer, `none of the ${pages.length} readable pages has text; OCR is needed`);
    }
    const blocks = layoutDocument(pages);
    const model: DocModel = { format: 'pdf', blocks, messages: [...pages.flatMap(unmappedGlyphs), ...unplacedText(pages, blocks)] };
    const read = scanned.length > 0 ? withOcrPages(model, await ocrPdfPages(bytes, scanned, ctx)) : model;
    return withLostPages(read, lost);
  } finally {
    await doc.destroy();
  }
}
