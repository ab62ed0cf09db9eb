// Scanned pages -> DocModel: level the page, find its ruled tables, OCR them cell by cell and the
// rest as lines, then assemble the document: page numbers out, paragraphs re-joined across page
// breaks, a table that runs over a page break joined back into one (as the Word original and its
// Tika dump have it). Every OCR'd cell and paragraph keeps page, box and confidence in its Place;
// doubtful cells become 'low-confidence' messages a reviewer can find.
import { createCanvas } from '@napi-rs/canvas';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Block, Cell, DocModel, Format, Message, Paragraph, Table } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import type { ExtractContext } from '../src/formats.js';
import { cleanText } from '../src/normalize/text.js';
import { alignColumns, continueCells, type Cut, originOf, recountRowSpans, restOfEmptyRow, runsToEdge } from './page-break.js';
import { borderlessTables } from './ocr/borderless.js';
import { deskew } from './ocr/deskew.js';
import { isNoise, isPageNumber, joinLines, margins, paragraphs } from './ocr/layout.js';
import { ocrPage, type OcrCell, type OcrPage, type OcrTable } from './ocr/page.js';
import { grayFromRgba, type Gray } from './ocr/raster.js';
import { unionBox } from './ocr/recognize.js';
import { ocrWorkerCount } from './ocr/scheduler.js';

export { terminateOcr } from './ocr/scheduler.js';

/** Cells and paragraphs read with less confidence than this get a 'low-confidence' warning. */
export const LOW_CONFIDENCE = 0.6;
/** Render resolution for PDF pages: tesseract's LSTM wants 200–300 dpi for 10.5 pt CJK text. */
export const RENDER_DPI = 200;

/** A page as blocks, places in the page's own unit (PDF points or image pixels). */
export interface OcrPageBlocks {
  page: number;
  blocks: Block[];
  /** the OCR reading, for joining tables and paragraphs across page breaks */
  source: OcrPage;
  /** page unit per pixel: 72/dpi for PDF pages, 1 for images */
  unit: number;
}

/** A page raster ready for OCR, with its resolution and the unit its places are given in. */
export interface RasterPage { page: number; image: Gray; dpi: number; unit: number }

/** OCR page rasters (already decoded) into per-page blocks, pages overlapping on the worker pool. */
export async function ocrRasters(pages: RasterPage[], ctx?: Pick<ExtractContext, 'signal'>): Promise<OcrPageBlocks[]> {
  return ocrPipelined(pages.length, async (i) => pages[i]!, ctx);
}

/**
 * OCR `count` pages, each produced by `load(i)` (a decode or a render) just before it is read.
 * Pages flow through lanes, one more than the workers: while the workers read two pages, the
 * main thread renders and levels the next, and a worker done with its share of one page takes
 * jobs of the next instead of idling until the slower page ends (with pages taken two at a time,
 * a page's long PSM 3 pass left the other worker idle). Only the lanes' rasters are held at once.
 */
async function ocrPipelined(count: number, load: (i: number) => Promise<RasterPage>, ctx?: Pick<ExtractContext, 'signal'>): Promise<OcrPageBlocks[]> {
  const out = new Array<OcrPageBlocks>(count);
  let next = 0, failed = false;
  const lane = async () => {
    while (next < count && !failed) {
      ctx?.signal?.throwIfAborted();
      const i = next++;
      try {
        const p = await load(i);
        out[i] = pageBlocks(await ocrPage(deskew(p.image).image, p.page, p.dpi), p.unit);
      } catch (err) {
        failed = true; // the other lanes stop taking pages
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, ocrWorkerCount() + 1) }, lane));
  return out;
}

/** A page's OCR reading as blocks in reading order, places in the page's unit (`unit` per pixel). */
export function pageBlocks(source: OcrPage, unit: number): OcrPageBlocks {
  const scale = (b: readonly number[]): [number, number, number, number] => [b[0]! * unit, b[1]! * unit, b[2]! * unit, b[3]! * unit].map((v) => Math.round(v * 10) / 10) as [number, number, number, number];
  const items: Array<{ y: number; block: Block }> = [];
  for (const t of source.tables) {
    const text = t.cells.map((c) => c.text).join('');
    if (isPageNumber(text) || text.trim() === '') continue; // a boxed "-1-" or an empty frame
    items.push({ y: t.grid.box[1], block: tableBlock(t, source.page, source.dpi, scale) });
  }
  const borderless = borderlessTables(source.lines.filter((l) => !isNoise(l) && !isPageNumber(l.text)), source.page, unit);
  for (const t of borderless.tables) items.push({ y: t.place.box![1] / unit, block: t });
  const lines = borderless.lines;
  const { left, right } = margins(lines, source.width);
  for (const p of paragraphs(lines, left, right)) {
    items.push({
      y: p.box[1],
      block: { type: 'paragraph', text: cleanText(p.text), place: { page: source.page, box: scale(p.box), confidence: round(p.confidence) } },
    });
  }
  items.sort((a, b) => a.y - b.y);
  const blocks = items.map((i) => i.block);
  return { page: source.page, blocks, source, unit };
}

/**
 * Where each OCR'd cell's text sits (page pixels), the page's resolution, and whether the page
 * break may have cut the cell's text: what tells a row or a merged cell cut by a page break.
 */
const textPlacement = new WeakMap<Cell, { textBox: [number, number, number, number] | null; box: [number, number, number, number]; dpi: number; cut: Cut | null }>();

function tableBlock(t: OcrTable, page: number, dpi: number, scale: (b: readonly number[]) => [number, number, number, number]): Table {
  const rowCount = t.grid.ys.length - 1;
  const rows: Cell[][] = Array.from({ length: rowCount }, () => []);
  const cuts = cutCells(t, dpi);
  for (const c of t.cells) {
    const cell: Cell = {
      text: cleanText(c.text),
      col: c.col,
      colSpan: c.colSpan,
      rowSpan: c.rowSpan,
      continued: false,
      place: { page, row: c.row, col: c.col, box: scale(c.box), confidence: round(c.confidence) },
    };
    textPlacement.set(cell, { textBox: c.lines.length > 0 ? unionBox(c.lines.map((l) => l.box)) : null, box: c.box, dpi, cut: cuts.get(c) ?? null });
    rows[c.row]!.push(cell);
    // the model's convention: a vertical merge leaves an empty continued cell in each later row
    for (let r = c.row + 1; r < c.row + c.rowSpan; r++) {
      rows[r]!.push({ text: '', col: c.col, colSpan: c.colSpan, rowSpan: 1, continued: true, place: { page, row: r, col: c.col, box: scale(c.box), confidence: round(c.confidence) } });
    }
  }
  for (const row of rows) row.sort((a, b) => a.col - b.col);
  return { type: 'table', rows: rows.filter((r) => r.length > 0), confidence: round(t.grid.regularity), place: { page, box: scale(t.grid.box) } };
}

/**
 * The cells whose text runs into their bottom right corner (see runsToEdge), measured in points
 * as a text layer is. A row's padding is the least room any cell ending on its lower rule leaves
 * under its last line.
 */
function cutCells(t: OcrTable, dpi: number): Map<OcrCell, Cut> {
  const pt = 72 / dpi;
  const floors = new Map<number, number>();
  for (const c of t.cells) {
    const last = c.lines.at(-1);
    if (last) floors.set(c.row + c.rowSpan, Math.min(floors.get(c.row + c.rowSpan) ?? Infinity, (c.box[3] - last.box[3]) * pt));
  }
  const cuts = new Map<OcrCell, Cut>();
  for (const c of t.cells) {
    const lines = c.lines.map((l) => ({ text: l.text, x0: l.box[0] * pt, x1: l.box[2] * pt, bottom: l.box[3] * pt, size: (l.box[3] - l.box[1]) * pt }));
    const cut = runsToEdge(lines, c.box.map((v) => v * pt) as [number, number, number, number], floors.get(c.row + c.rowSpan) ?? 0);
    if (cut) cuts.set(c, cut);
  }
  return cuts;
}

const round = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;

/** A warning for each paragraph and cell read with less than LOW_CONFIDENCE, with its place (page, box, table, row, col). */
export function lowConfidence(blocks: Block[]): Message[] {
  const out: Message[] = [];
  for (const b of blocks) {
    if (b.type === 'paragraph') {
      if ((b.place.confidence ?? 1) < LOW_CONFIDENCE) out.push(warning(`paragraph read with confidence ${b.place.confidence}: "${b.text.slice(0, 30)}"`, b.place));
      continue;
    }
    for (const row of b.rows) {
      for (const c of row) {
        if (!c.continued && c.text !== '' && (c.place.confidence ?? 1) < LOW_CONFIDENCE) {
          out.push(warning(`table cell read with confidence ${c.place.confidence}: "${c.text.slice(0, 30)}"`, c.place));
        }
      }
    }
  }
  return out;
}

const warning = (message: string, place: Message['place']): Message => ({ code: 'low-confidence', message, severity: 'warning', stage: 'ocr', ...(place ? { place: { ...place } } : {}) });

/**
 * Pages -> one DocModel. A table that ends one page and starts the next with the same columns is
 * one table broken by the page (Word repeats nothing, LibreOffice draws the cut as a rule); a
 * paragraph that ran to the margin at the foot of a page goes on at the head of the next.
 */
export function assemble(pages: OcrPageBlocks[], format: Format): DocModel {
  const blocks: Block[] = [];
  let lastPage: OcrPageBlocks | null = null;
  for (const page of pages) {
    page.blocks.forEach((block, i) => {
      const prev = blocks[blocks.length - 1];
      if (i === 0 && prev && lastPage) {
        if (prev.type === 'table' && block.type === 'table' && cutByPageBreak(lastPage, prev, page, block)) return joinTables(prev, block, page.unit);
        if (prev.type === 'paragraph' && block.type === 'paragraph' && runsOn(lastPage, prev, page, block)) {
          prev.text = joinLines(prev.text, block.text);
          prev.place.confidence = Math.min(prev.place.confidence ?? 1, block.place.confidence ?? 1);
          return;
        }
      }
      blocks.push(block);
    });
    lastPage = page;
  }
  let tableIndex = 0;
  blocks.forEach((b, i) => {
    b.place.block = i;
    if (b.type !== 'table') return;
    const t = tableIndex++;
    b.place.table = t;
    for (const row of b.rows) for (const c of row) c.place.table = t;
  });
  return { format, blocks, messages: lowConfidence(blocks) };
}

/** Pixels two scans of one column rule may lie apart (the lean left after levelling, the rule's width). */
const COLUMN_SLACK = 12;

function columnsOf(t: Table, unit: number): number[] {
  const xs = new Set<number>();
  for (const row of t.rows) for (const c of row) if (c.place.box) { xs.add(Math.round(c.place.box[0] / unit)); xs.add(Math.round(c.place.box[2] / unit)); }
  return [...xs].sort((a, b) => a - b);
}

/**
 * One table cut by the page break: the part above runs into the foot of its page, the part below
 * starts at the head of the next, and its column rules are rules of the part above. Two forms
 * printed one per page (each a table with its own title row) end well above the foot.
 */
function cutByPageBreak(pa: OcrPageBlocks, a: Table, pb: OcrPageBlocks, b: Table): boolean {
  const bottom = (a.place.box?.[3] ?? 0) / pa.unit, top = (b.place.box?.[1] ?? Infinity) / pb.unit;
  return bottom > 0.85 * pa.source.height && top < 0.15 * pb.source.height && sameColumns(pa, a, pb, b);
}

function sameColumns(pa: OcrPageBlocks, a: Table, pb: OcrPageBlocks, b: Table): boolean {
  const ca = clusterXs(columnsOf(a, pa.unit)), cb = clusterXs(columnsOf(b, pb.unit));
  // the later part may lack a column boundary a merged cell hides; all its boundaries must exist above
  const near = (x: number, y: number) => Math.abs(x - y) <= COLUMN_SLACK;
  return cb.length >= 2 && near(ca[0]!, cb[0]!) && near(ca[ca.length - 1]!, cb[cb.length - 1]!) && cb.every((x) => ca.some((y) => near(x, y)));
}

function clusterXs(xs: number[]): number[] {
  const out: number[] = [];
  for (const x of xs) if (out.length === 0 || x - out[out.length - 1]! > COLUMN_SLACK) out.push(x);
  return out;
}

/**
 * Append the rows of a table's continuation. Both parts go on one column grid first (a part whose
 * merged cells hide a column rule numbers its columns differently). A first row that is the rest
 * of a row the break cut goes up into that row (see continueCells). A vertically merged cell cut
 * by the page break ("满意度" / "指标（10分）") shows as a cell spanning rows at the head of the
 * continuation under a cell of the last row above: its text joins the cell above and its slot
 * becomes continued. What tells it from a merged cell that merely starts on the new page ("项目管理"
 * above, "项目绩效" below, each centred in its own cell): the cut text runs into the foot of the part
 * above and starts at the top of the part below, or one of the two parts is empty.
 */
function joinTables(above: Table, below: Table, unit: number) {
  alignColumns([...above.rows, ...below.rows], COLUMN_SLACK * unit);
  const open = new Map<Cell, Cut>();
  for (const row of above.rows) for (const c of row) { const cut = textPlacement.get(c)?.cut; if (cut) open.set(c, cut); }
  const head = below.rows[0];
  if (head && (restOfEmptyRow(above.rows, head) || continueCells(above.rows, head, open))) below.rows.shift();
  const first = below.rows[0] ?? [];
  const last = above.rows[above.rows.length - 1] ?? [];
  for (const cell of first) {
    if (cell.rowSpan < 2) continue;
    const slot = last.find((c) => c.col === cell.col && c.colSpan === cell.colSpan);
    const origin = slot && (slot.continued ? originOf(above.rows, slot) : slot);
    if (!origin || !flowsOn(origin, cell)) continue;
    if (cell.text !== '') origin.text = origin.text === '' ? cell.text : `${origin.text}\n${cell.text}`;
    cell.text = '';
    cell.continued = true;
    cell.rowSpan = 1;
  }
  const offset = above.rows.length;
  below.rows.forEach((row, i) => row.forEach((c) => (c.place.row = offset + i)));
  above.rows.push(...below.rows);
  recountRowSpans(above.rows);
  above.confidence = Math.min(above.confidence, below.confidence);
}

function flowsOn(upper: Cell, lower: Cell): boolean {
  const a = textPlacement.get(upper), b = textPlacement.get(lower);
  if (!a || !b || !a.textBox || !b.textBox || upper.text === '' || lower.text === '') return true;
  const near = 0.08 * a.dpi; // about half a line of 10.5-pt text: the cell's padding, no more
  return a.box[3] - a.textBox[3] <= near && b.textBox[1] - b.box[1] <= near;
}

function runsOn(pa: OcrPageBlocks, a: Paragraph, pb: OcrPageBlocks, b: Paragraph): boolean {
  const la = pa.source.lines, lb = pb.source.lines;
  if (!a.place.box || !b.place.box || la.length === 0 || lb.length === 0) return false;
  const ma = margins(la, pa.source.width), mb = margins(lb, pb.source.width);
  const lastLine = la.filter((l) => !isNoise(l) && !isPageNumber(l.text)).at(-1);
  const em = lastLine ? lastLine.box[3] - lastLine.box[1] : 30;
  return lastLine !== undefined && ma.right - lastLine.box[2] < 1.5 * em && b.place.box[0] / pb.unit - mb.left < em;
}

// ---- inputs ------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));

type PdfDocument = Awaited<ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>['promise']>;

async function withPdf<T>(bytes: Uint8Array, use: (doc: PdfDocument) => Promise<T>): Promise<T> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(bytes), // pdfjs detaches the buffer it is given
    cMapUrl: path.join(pdfjsDir, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: path.join(pdfjsDir, 'standard_fonts') + '/',
    verbosity: 0,
    isEvalSupported: false,
  }).promise;
  try {
    return await use(doc);
  } finally {
    await doc.destroy();
  }
}

const pageNumbers = (doc: PdfDocument, pages: number[] | 'all') => (pages === 'all' ? Array.from({ length: doc.numPages }, (_, i) => i + 1) : pages);

/**
 * One 1-based page as the raster OCR reads. A scanner's PDF paints each page as one image over the
 * whole page: that image is taken as it is, at its own resolution, when it is upright and 150–320
 * dpi (no resampling, and a fifth of the CPU of a render, most of which went to drawing the
 * decoded image onto a canvas). Any other page is rendered at RENDER_DPI.
 */
async function pageRaster(doc: PdfDocument, n: number, ctx?: Pick<ExtractContext, 'signal' | 'limits'>): Promise<RasterPage> {
  ctx?.signal?.throwIfAborted();
  const page = await doc.getPage(n);
  try {
    const scan = await wholePageImage(page);
    if (scan) {
      checkPixels(n, scan.image.width, scan.image.height, scan.dpi, ctx);
      return { page: n, image: scan.image, dpi: scan.dpi, unit: 72 / scan.dpi };
    }
    return { page: n, image: await renderPage(page, n, RENDER_DPI, ctx), dpi: RENDER_DPI, unit: 72 / RENDER_DPI };
  } finally {
    page.cleanup();
  }
}

type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

function checkPixels(n: number, width: number, height: number, dpi: number, ctx?: Pick<ExtractContext, 'limits'>) {
  if (ctx?.limits && width * height > ctx.limits.maxImagePixels) {
    throw new IngestError(ErrorCode.tooManyPixels, `page ${n} is ${width}×${height} pixels at ${Math.round(dpi)} dpi, over the ${ctx.limits.maxImagePixels}-pixel limit`);
  }
}

async function renderPage(page: PdfPage, n: number, dpi: number, ctx?: Pick<ExtractContext, 'limits'>): Promise<Gray> {
  const viewport = page.getViewport({ scale: dpi / 72 });
  const width = Math.ceil(viewport.width), height = Math.ceil(viewport.height);
  checkPixels(n, width, height, dpi, ctx);
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  await page.render({ canvasContext: g, canvas, viewport } as unknown as Parameters<typeof page.render>[0]).promise;
  return grayFromRgba(g.getImageData(0, 0, width, height).data, width, height);
}

/** Operators that paint nothing: a page made of these and one image is that image. */
const NON_PAINTING = new Set(['save', 'restore', 'transform', 'dependency', 'setGState', 'beginMarkedContent', 'beginMarkedContentProps', 'endMarkedContent']);

/**
 * The page's one image when the page is nothing else and the image covers it upright at a
 * resolution OCR reads well; null otherwise (the caller renders the page).
 */
async function wholePageImage(page: PdfPage): Promise<{ image: Gray; dpi: number } | null> {
  if (page.rotate % 360 !== 0) return null;
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const name = new Map(Object.entries(OPS).map(([k, v]) => [v, k]));
  const ops = await page.getOperatorList();
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack: number[][] = [];
  let found: { id: string; ctm: number[] } | null = null;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const op = name.get(ops.fnArray[i]!);
    const args = ops.argsArray[i] as unknown[];
    if (op === 'paintImageXObject') {
      if (found) return null;
      found = { id: String(args[0]), ctm };
    } else if (op === 'save') stack.push(ctm);
    else if (op === 'restore') ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
    else if (op === 'transform') ctm = multiply(ctm, args as number[]);
    else if (!op || !NON_PAINTING.has(op)) return null;
  }
  if (!found) return null;
  const [a, b, c, d, e, f] = found.ctm as [number, number, number, number, number, number];
  const [x0, y0, x1, y1] = page.view as [number, number, number, number];
  const pageW = x1 - x0, pageH = y1 - y0;
  const covers = Math.abs(b) < 1e-6 && Math.abs(c) < 1e-6 && a > 0 && d > 0 &&
    Math.abs(e - x0) <= 0.02 * pageW && Math.abs(f - y0) <= 0.02 * pageH && Math.abs(a - pageW) <= 0.02 * pageW && Math.abs(d - pageH) <= 0.02 * pageH;
  if (!covers) return null;
  const store = found.id.startsWith('g_') ? page.commonObjs : page.objs;
  const img = await new Promise<unknown>((resolve) => store.get(found.id, resolve));
  const image = grayFromImageData(img);
  if (!image) return null;
  const dpi = image.width / (a / 72), dpiY = image.height / (d / 72);
  if (dpi < 150 || dpi > 320 || Math.abs(dpi - dpiY) > 0.02 * dpi) return null;
  return { image, dpi };
}

const multiply = (m: number[], t: number[]) => [
  t[0]! * m[0]! + t[1]! * m[2]!, t[0]! * m[1]! + t[1]! * m[3]!,
  t[2]! * m[0]! + t[3]! * m[2]!, t[2]! * m[1]! + t[3]! * m[3]!,
  t[4]! * m[0]! + t[5]! * m[2]! + m[4]!, t[4]! * m[1]! + t[5]! * m[3]! + m[5]!,
];

/** pdfjs's decoded image (ImageKind 1: 1 bit, 1 = white, rows padded to bytes; 2: RGB; 3: RGBA) as grey. */
function grayFromImageData(img: unknown): Gray | null {
  const { width, height, kind, data } = (img ?? {}) as { width?: number; height?: number; kind?: number; data?: Uint8Array | Uint8ClampedArray };
  if (!width || !height || !data) return null;
  if (kind === 3 && data.length >= width * height * 4) return grayFromRgba(data, width, height);
  const out = new Uint8Array(width * height);
  if (kind === 2 && data.length >= width * height * 3) {
    for (let i = 0, p = 0; i < out.length; i++, p += 3) out[i] = Math.round(0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!);
    return { width, height, data: out };
  }
  const stride = (width + 7) >> 3;
  if (kind === 1 && data.length >= stride * height) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = data[y * stride + (x >> 3)]! & (0x80 >> (x & 7)) ? 255 : 0;
    return { width, height, data: out };
  }
  return null;
}

/** The given 1-based pages of a PDF as the rasters OCR reads. */
export async function pdfPageRasters(bytes: Uint8Array, pages: number[] | 'all', ctx?: Pick<ExtractContext, 'signal' | 'limits'>): Promise<RasterPage[]> {
  return withPdf(bytes, async (doc) => {
    const out: RasterPage[] = [];
    for (const n of pageNumbers(doc, pages)) out.push(await pageRaster(doc, n, ctx));
    return out;
  });
}

/**
 * OCR chosen pages of a PDF (those without a text layer), for the PDF extractor. Boxes are in PDF
 * points like the text layer's. Join the result with assemble(pages, 'pdf-ocr'), or mix its
 * blocks into text-layer pages. Each page is rasterised just before it is read (a 200-dpi raster
 * is 4 MB: a 300-page scan rendered up front would be 1.2 GB).
 */
export async function ocrPdfPages(bytes: Uint8Array, pages: number[] | 'all', ctx?: Pick<ExtractContext, 'signal' | 'limits'>): Promise<OcrPageBlocks[]> {
  return withPdf(bytes, async (doc) => {
    const numbers = pageNumbers(doc, pages);
    return ocrPipelined(numbers.length, (i) => pageRaster(doc, numbers[i]!, ctx), ctx);
  });
}

/** A PDF with no text layer at all, read entirely by OCR. */
export async function extractScannedPdf(bytes: Uint8Array, ctx?: ExtractContext): Promise<DocModel> {
  return assemble(await ocrPdfPages(bytes, 'all', ctx), 'pdf-ocr');
}

/**
 * A PDF whose text layer misses some pages: those pages' OCR blocks go in page order among the
 * text-layer blocks, and the document becomes 'pdf-ocr' (some of its values were read by OCR).
 */
export function withOcrPages(model: DocModel, pages: OcrPageBlocks[]): DocModel {
  const ocr = assemble(pages, 'pdf-ocr');
  const pageOf = (b: Block) => b.place.page ?? 0;
  const blocks = [...model.blocks, ...ocr.blocks].map((b, i) => ({ b, i })).sort((x, y) => pageOf(x.b) - pageOf(y.b) || x.i - y.i).map((x) => x.b);
  let table = 0;
  blocks.forEach((b, i) => {
    b.place.block = i;
    if (b.type !== 'table') return;
    const t = table++;
    b.place.table = t;
    for (const row of b.rows) for (const c of row) c.place.table = t;
  });
  return { format: 'pdf-ocr', blocks, messages: [...model.messages, ...lowConfidence(blocks)] };
}
