// One page raster -> its tables (grid from the ruling lines, OCR cell by cell) and its text lines
// outside the tables (one page-segmentation pass with the tables blanked out).
//
// Cell by cell beats one pass over the page: measured on a corpus form page (116 non-empty cells),
// cells cropped between their rules and read once with PSM 6 took 2.4 s on two workers and read
// the numbers right, where a whole-page PSM 3 pass reads rules as "|" and merges neighbouring
// cells' numbers ("100%" -> "1009%6", STACK.md §2). Doubtful cells are then read again (larger,
// on cleared paper, as one line, numbers by eng): about 1.6 s per form page in all.
import { buildGrids, type Grid, type GridCell } from './grid.js';
import { crop, inkRatio, upscale2, type Gray } from './raster.js';
import { recognizeLines, unionBox, type OcrLine } from './recognize.js';
import { findRules, type Rules } from './rules.js';
import { PSM } from './scheduler.js';

export interface OcrCell extends GridCell {
  text: string;
  /** 0–1, character-weighted mean of the words' confidences; 1 for a cell with no ink */
  confidence: number;
  /** the text's lines and where each sits in the cell (page pixels); none for an empty cell */
  lines: Array<{ text: string; box: [number, number, number, number] }>;
}

export interface OcrTable {
  grid: Grid;
  cells: OcrCell[];
}

export interface OcrPage {
  page: number;
  width: number;
  height: number;
  dpi: number;
  tables: OcrTable[];
  /** text lines outside the tables, top to bottom */
  lines: OcrLine[];
}

/** Below this share of ink a cell is empty (scan speckle, a rule's edge). */
const EMPTY_INK = 0.002;
/** A cell read with less confidence than this is read again (larger, as one line), and the better reading kept. */
const RETRY_BELOW = 0.7;
/** A number read by chi_sim with less confidence than this is read again by eng. */
const SURE = 0.9;
const NUMBER = /^[\d.,%]+$/;

export async function ocrPage(img: Gray, page: number, dpi = 200): Promise<OcrPage> {
  const { rules, grids } = tableGrids(img, dpi);
  // the page's text first: its PSM 3 pass is the page's longest job, queued last it would leave
  // the other worker idle at the end
  const [lines, tables] = await Promise.all([
    readOutside(img, grids, rules.threshold),
    Promise.all(grids.map(async (grid) => ({ grid, cells: await Promise.all(grid.cells.map((cell) => readCell(img, cell, rules.threshold, dpi))) }))),
  ]);
  return { page, width: img.width, height: img.height, dpi, tables, lines };
}

/**
 * The page's ruled tables, from the rules found at the text's threshold and the long ones found
 * at a lighter one (hairline borders printed light grey, which the text's threshold keeps only in
 * pieces). A rule found both ways is one grid line: positions are clustered.
 */
function tableGrids(img: Gray, dpi: number): { rules: Rules; grids: Grid[] } {
  const strict = findRules(img, dpi), faint = findRules(img, dpi, true);
  const rules = { ...strict, horizontal: [...strict.horizontal, ...faint.horizontal], vertical: [...strict.vertical, ...faint.vertical] };
  return { rules, grids: buildGrids(rules.horizontal, rules.vertical).filter((g) => g.cells.length > 0) };
}

async function readCell(img: Gray, cell: GridCell, threshold: number, dpi: number): Promise<OcrCell> {
  // stay clear of the rules: their edges read as "|" or "一"
  const inset = 4;
  const [x0, y0, x1, y1] = cell.box;
  const box: GridCell['box'] = [x0 + inset, y0 + inset, x1 - inset, y1 - inset];
  if (box[2] - box[0] < 4 || box[3] - box[1] < 4) return { ...cell, text: '', confidence: 1, lines: [] };
  const area = clearEdgeRules(crop(img, ...box), threshold);
  // "……" (the row a form leaves for more entries) is too little ink for tesseract, which reads "=" or "一"
  if (isDotLeader(area, threshold, dpi)) return { ...cell, text: '……', confidence: 1, lines: [] };
  if (inkRatio(img, ...box, threshold) < EMPTY_INK || !hasStroke(area, threshold, dpi)) return { ...cell, text: '', confidence: 1, lines: [] };
  const first = await recognizeLines(area, PSM.SINGLE_BLOCK, box[0], box[1]);
  const readings = [first];
  if (weakest(first) < RETRY_BELOW) {
    // some glyphs read right only larger ("一级" read "二红" at 0.30 reads "一级" at 0.96 at 2×)
    readings.push(scaleBoxes(await recognizeLines(upscale2(area), PSM.SINGLE_BLOCK), 0.5, box[0], box[1]));
  }
  if (first.length >= 2 && (weakest(first) < RETRY_BELOW || missesInk(area, first, threshold, box[1], dpi))) {
    // in a tall cell tesseract may drop a whole line without lowering the others' confidence;
    // on white paper (background above the ink threshold cleared) it keeps them. Not for every
    // cell: the cleared paper costs "%" its thin rings ("100%" -> "1009%4"). Nor for a sure
    // reading whose lines cover all the cell's ink: there no line was dropped, and on a corpus
    // document the cleared read never changed such a cell (130 of 515 cells, a third of the
    // cell reads)
    const cleaned = { ...area, data: area.data.map((v) => (v > threshold ? 255 : v)) };
    readings.push(await recognizeLines(cleaned, PSM.SINGLE_BLOCK, box[0], box[1]));
  }
  let lines = bestLines(readings);
  let confidence = cellConfidence(lines);
  const consider = (again: OcrLine[]) => {
    if (cellConfidence(again) > confidence) { lines = again; confidence = cellConfidence(again); }
  };
  if (confidence < RETRY_BELOW && lines.length <= 1) {
    // a lone short value ("3" read as "|" or "图" at 0.3–0.5) reads right as one line cropped to its ink
    const ink = inkBounds(area, threshold);
    if (ink) consider(await recognizeLines(crop(area, ...ink), PSM.SINGLE_LINE, box[0] + ink[0], box[1] + ink[1]));
  }
  if (lines.length === 1 && NUMBER.test(fixCellLine(lines[0]!.text)) && confidence < SURE) {
    // chi_sim reads "%" in these fonts as "9%", "94", "%4" ("100%" -> "1009%4"); eng reads it right
    const ink = inkBounds(area, threshold);
    const eng = ink ? await recognizeLines(crop(area, ...ink), PSM.SINGLE_LINE, box[0] + ink[0], box[1] + ink[1], 'eng') : [];
    if (eng.length === 1 && NUMBER.test(eng[0]!.text) && eng[0]!.confidence > confidence) { lines = eng; confidence = eng[0]!.confidence; }
  }
  // doubtful, or sure of two bars: "=" read as "一" over "一"
  const short = lines.reduce((n, l) => n + [...l.text].length, 0) <= 2;
  const sign = confidence < SURE || short ? equalsSign(area, threshold, dpi, box[0], box[1], confidence) : null;
  if (sign) lines = [sign];
  const read = lines.map((l) => ({ text: fixCellLine(l.text), box: l.box }));
  // "之" alone is "≥" alone, in the sign column of some indicator tables
  if (read.length === 1 && read[0]!.text === '之') read[0]!.text = '≥';
  return { ...cell, text: read.map((l) => l.text).join('\n'), confidence, lines: read };
}

/**
 * Whiten what is left of the cell's rules along its edges (a rule 4 px thick, or a residual lean,
 * leaves a dark line in the crop that reads as "|", "]" or "一"): outermost rows or columns that
 * are nearly all ink, from the edge inwards only. Further in, a tall glyph stroke in a tight row
 * ("附" in "附件2") can be mostly ink too, and must stay.
 */
function clearEdgeRules(area: Gray, threshold: number): Gray {
  const { width, height, data } = area;
  const edge = 8;
  const inkIn = (get: (i: number) => number, n: number) => { let k = 0; for (let i = 0; i < n; i++) if (get(i) <= threshold) k++; return k / n; };
  const ruleColumn = (x: number) => inkIn((y) => data[y * width + x]!, height) > 0.8;
  const ruleRow = (y: number) => inkIn((x) => data[y * width + x]!, width) > 0.8;
  const whitenColumn = (x: number) => { for (let y = 0; y < height; y++) data[y * width + x] = 255; };
  const whitenRow = (y: number) => data.fill(255, y * width, (y + 1) * width);
  // the remnant starts within a few pixels of the edge and runs inwards without a break
  const band = (n: number, isRule: (i: number) => boolean, whiten: (i: number) => void, at: (k: number) => number) => {
    let k = 0;
    while (k < 4 && k < n && !isRule(at(k))) k++;
    for (; k < Math.min(edge, n) && isRule(at(k)); k++) whiten(at(k));
  };
  band(width, ruleColumn, whitenColumn, (k) => k);
  band(width, ruleColumn, whitenColumn, (k) => width - 1 - k);
  band(height, ruleRow, whitenRow, (k) => k);
  band(height, ruleRow, whitenRow, (k) => height - 1 - k);
  eraseThinBorderStrokes(area, threshold);
  return area;
}

/**
 * A rule that leans a pixel or two spreads over two columns, none of them mostly ink, and the
 * band test misses it; tesseract then reads it into the next glyph ("人" as "和人"). So: any
 * connected stroke touching the crop's border that is long and at most a few pixels thin goes.
 */
function eraseThinBorderStrokes(area: Gray, threshold: number) {
  const { width, height, data } = area;
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(x, (height - 1) * width + x);
  for (let y = 0; y < height; y++) border.push(y * width, y * width + width - 1);
  inkComponents(area, threshold, border, (pixels, [x0, y0, x1, y1]) => {
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    if ((h >= 0.6 * height && w <= 6) || (w >= 0.6 * width && h <= 6)) for (const i of pixels) data[i] = 255;
  });
}

/**
 * Whether a cell's ink holds anything the size of a stroke (1 mm across), not only scan speckle
 * and the grain of grey paper, which tesseract reads as two doubtful glyphs ("上六" at 0.15).
 */
function hasStroke(area: Gray, threshold: number, dpi: number): boolean {
  const least = dpi * 0.04;
  let found = false;
  inkComponents(area, threshold, everyPixel(area), (_, [x0, y0, x1, y1]) => {
    if (Math.max(x1 - x0 + 1, y1 - y0 + 1) >= least) found = true;
  });
  return found;
}

function* everyPixel(area: Gray): Generator<number> {
  for (let i = 0; i < area.width * area.height; i++) yield i;
}

/** Each 4-connected component of ink reached from `seeds` (pixel indices), once, with its pixels and box. */
function inkComponents(area: Gray, threshold: number, seeds: Iterable<number>, visit: (pixels: number[], box: [number, number, number, number]) => void) {
  const { width, height, data } = area;
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  for (const start of seeds) {
    if (seen[start] || data[start]! > threshold) continue;
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    const pixels: number[] = [];
    stack.push(start);
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      pixels.push(i);
      const x = i % width, y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (const j of [x > 0 ? i - 1 : -1, x + 1 < width ? i + 1 : -1, y > 0 ? i - width : -1, y + 1 < height ? i + width : -1]) {
        if (j >= 0 && !seen[j] && data[j]! <= threshold) { seen[j] = 1; stack.push(j); }
      }
    }
    visit(pixels, [x0, y0, x1, y1]);
  }
}

/**
 * Whether the lines read leave some of the ink's rows uncovered: a text line tesseract dropped.
 * Rows with a lone dark pixel are speckle; a few stray rows are a comma's tail or a dot below the
 * line, so the uncovered rows must add up to a fair part of a glyph's height (1.5 mm).
 */
function missesInk(area: Gray, lines: OcrLine[], threshold: number, top: number, dpi: number): boolean {
  let uncovered = 0;
  const margin = 2;
  for (let y = 0; y < area.height; y++) {
    let ink = 0;
    for (let x = 0, i = y * area.width; x < area.width && ink < 2; x++, i++) if (area.data[i]! <= threshold) ink++;
    if (ink < 2) continue;
    const at = top + y;
    if (!lines.some((l) => at >= l.box[1] - margin && at <= l.box[3] + margin)) uncovered++;
  }
  return uncovered >= dpi * 0.06;
}

/**
 * A cell holding an equals sign alone (the sign column of some indicator tables) is too little ink
 * for chi_sim, which reads "到", "四", or two lines of "一", and eng reads it only now and then.
 * Its shape is plain: one glyph's worth of ink in two flat bars of one length ("二", the look-alike,
 * has a shorter upper stroke).
 */
function equalsSign(area: Gray, threshold: number, dpi: number, dx: number, dy: number, confidence: number): OcrLine | null {
  const ink = inkBounds(area, threshold);
  const glyph = dpi * 0.2; // a 10.5-pt character is 0.15 in
  if (!ink || ink[2] - ink[0] > glyph || ink[3] - ink[1] > glyph) return null;
  const bands = rowBands(crop(area, ...ink), threshold);
  const [a, b] = bands;
  const flat = (band: { height: number }) => band.height <= (ink[3] - ink[1]) / 3;
  if (bands.length !== 2 || !flat(a!) || !flat(b!) || Math.abs(a!.width - b!.width) > 0.2 * Math.max(a!.width, b!.width)) return null;
  const box: OcrLine['box'] = [dx + ink[0], dy + ink[1], dx + ink[2], dy + ink[3]];
  // the reading keeps OCR's doubt: a reviewer still finds the cell among the low-confidence ones
  return { text: '=', box, confidence, words: [{ text: '=', box, confidence }] };
}

/** A glyph's runs of inked rows, top to bottom, with their height and ink width. */
function rowBands(glyph: Gray, threshold: number): Array<{ height: number; width: number }> {
  const bands: Array<{ height: number; width: number }> = [];
  let open: { height: number; x0: number; x1: number } | null = null;
  for (let y = 0; y < glyph.height; y++) {
    let x0 = -1, x1 = -1;
    for (let x = 0; x < glyph.width; x++) if (glyph.data[y * glyph.width + x]! <= threshold) { if (x0 < 0) x0 = x; x1 = x; }
    if (x0 < 0) { if (open) bands.push({ height: open.height, width: open.x1 - open.x0 + 1 }); open = null; continue; }
    open = open ? { height: open.height + 1, x0: Math.min(open.x0, x0), x1: Math.max(open.x1, x1) } : { height: 1, x0, x1 };
  }
  if (open) bands.push({ height: open.height, width: open.x1 - open.x0 + 1 });
  return bands;
}

/** Bounding box of the ink in a raster, rows and columns with a single dark pixel (speckle) left out; null when empty. */
function inkBounds(img: Gray, threshold: number): [number, number, number, number] | null {
  const cols = new Uint32Array(img.width), rows = new Uint32Array(img.height);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x]! <= threshold) { cols[x]!++; rows[y]!++; }
    }
  }
  const x0 = cols.findIndex((n) => n >= 2), x1 = cols.findLastIndex((n) => n >= 2);
  const y0 = rows.findIndex((n) => n >= 2), y1 = rows.findLastIndex((n) => n >= 2);
  return x0 < 0 || y0 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** A single low band of at least four small, separate blobs: a row of dots. */
function isDotLeader(area: Gray, threshold: number, dpi: number): boolean {
  const ink = inkBounds(area, threshold);
  if (!ink || ink[3] - ink[1] > dpi * 0.035) return false;
  let blobs = 0, inBlob = false, widest = 0, run = 0;
  for (let x = ink[0]; x <= ink[2]; x++) {
    let dark = false;
    for (let y = ink[1]; y < ink[3] && !dark; y++) dark = area.data[y * area.width + x]! <= threshold;
    if (dark) { run++; if (!inBlob) blobs++; inBlob = true; } else { widest = Math.max(widest, run); run = 0; inBlob = false; }
  }
  widest = Math.max(widest, run);
  return blobs >= 4 && widest <= dpi * 0.03;
}

/** The confidence of a reading's least sure word: one misread glyph hides in a line's mean. */
const weakest = (lines: OcrLine[]) => (lines.length === 0 ? 0 : Math.min(...lines.flatMap((l) => l.words.map((w) => w.confidence))));

/** Boxes read on a scaled crop, back in page pixels. */
function scaleBoxes(lines: OcrLine[], k: number, dx: number, dy: number): OcrLine[] {
  const map = (b: [number, number, number, number]): [number, number, number, number] => [b[0] * k + dx, b[1] * k + dy, b[2] * k + dx, b[3] * k + dy];
  return lines.map((l) => ({ ...l, box: map(l.box), words: l.words.map((w) => ({ ...w, box: map(w.box) })) }));
}

/**
 * The best of several readings of one cell, line by line. The readings that found the most lines
 * compete (a reading that found a line the others dropped saw more); for each line the one whose
 * least sure word is surest wins: a glyph tesseract invents ("开性" read "开人性") is its least
 * sure word, so the mean over the line is no guide.
 */
function bestLines(readings: OcrLine[][]): OcrLine[] {
  const most = Math.max(...readings.map((r) => r.length));
  const rivals = readings.filter((r) => r.length === most);
  const surest = (l: OcrLine) => Math.min(...l.words.map((w) => w.confidence));
  return Array.from({ length: most }, (_, i) => rivals.map((r) => r[i]!).reduce((best, l) => (surest(l) > surest(best) ? l : best)));
}

/**
 * chi_sim's misreadings that a form cell cannot mean: "≥" read as "之" or "三" before a number
 * ("之95%", "三4200个"; neither character runs on into digits in Chinese),
 * a stray digit after a closing "%" ("85%0"; a percentage never runs on into a digit), and "1"
 * read as "]" before a digit ("]0" for the score 10).
 */
export function fixCellLine(text: string): string {
  return text.replace(/^[之三](?=\d)/, '≥').replace(/(\d%)\d$/, '$1').replace(/\](?=\d)/g, '1');
}

function cellConfidence(lines: OcrLine[]): number {
  const words = lines.flatMap((l) => l.words);
  if (words.length === 0) return 0;
  const chars = words.reduce((n, w) => n + [...w.text].length, 0);
  return words.reduce((s, w) => s + w.confidence * [...w.text].length, 0) / chars;
}

/** Lines of the page outside its tables: the tables are painted white, then one PSM 3 pass. */
async function readOutside(img: Gray, grids: Grid[], threshold: number): Promise<OcrLine[]> {
  // paper above the ink threshold goes pure white: on a page that is nearly blank once its tables
  // are painted out, tesseract's own Otsu threshold falls inside the paper's JPEG noise and it
  // finds no text at all (a form page's one "填表人：…" line came back empty)
  // (halfway between the threshold and white: nearer the threshold, glyphs lose their anti-aliased
  // edges and "自" reads "白")
  const paper = (threshold + 255) / 2;
  const blanked = { width: img.width, height: img.height, data: img.data.map((v) => (v > paper ? 255 : v)) };
  const margin = 6;
  for (const g of grids) {
    const [x0, y0, x1, y1] = g.box.map(Math.round) as [number, number, number, number];
    for (let y = Math.max(0, y0 - margin); y < Math.min(img.height, y1 + margin); y++) {
      blanked.data.fill(255, y * img.width + Math.max(0, x0 - margin), y * img.width + Math.min(img.width, x1 + margin));
    }
  }
  // only the part of the page with ink left: tesseract's layout pass over a blank page alone
  // costs 150 ms, and a form page is mostly tables
  const ink = inkBounds(blanked, threshold);
  if (!ink) return [];
  const pad = 20;
  const [x0, y0] = [Math.max(0, ink[0] - pad), Math.max(0, ink[1] - pad)];
  const lines = await recognizeLines(crop(blanked, x0, y0, ink[2] + pad, ink[3] + pad), PSM.AUTO, x0, y0);
  // a line with a doubtful word is read again on its own, at twice the size and, unless that
  // reading is sure of every word, as is; the surest reading wins ("…自评胡" on the page,
  // "…自评表" alone). The larger reading first: it wins more often (19 of 49 doubtful lines of a
  // corpus report, the plain one 11), and a line is 40 characters of recognition each time
  const reread = await Promise.all(
    lines.map(async (line) => {
      if (weakest([line]) >= RETRY_BELOW) return line;
      const [x0, y0, x1, y1] = line.box;
      const m = 4, left = Math.max(0, x0 - m), top = Math.max(0, y0 - m);
      const area = crop(blanked, x0 - m, y0 - m, x1 + m, y1 + m);
      const larger = scaleBoxes(await recognizeLines(upscale2(area), PSM.SINGLE_LINE), 0.5, left, top);
      const readings = [line, ...larger];
      if (larger.length !== 1 || weakest(larger) < RETRY_BELOW) readings.push(...(await recognizeLines(area, PSM.SINGLE_LINE, left, top)));
      return readings.reduce((best, r) => (r.confidence > best.confidence ? r : best));
    }),
  );
  const marked = await Promise.all(reread.map((line) => rereadMarker(blanked, line)));
  return withoutOverlaps(marked).sort((a, b) => a.box[1] - b.box[1]);
}

/**
 * One reading per stretch of the page: where a cell of a borderless table wraps, tesseract's
 * layout pass finds two text lines over the same row ("量指标农村生活污水治理…" and "数量指标和三25个…"),
 * and each comes back whole. A line lying mostly inside a surer one goes.
 */
export function withoutOverlaps(lines: OcrLine[]): OcrLine[] {
  const area = (b: OcrLine['box']) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  const shared = (a: OcrLine['box'], b: OcrLine['box']) => area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  const surer = (o: OcrLine, l: OcrLine) => o.confidence > l.confidence || (o.confidence === l.confidence && lines.indexOf(o) < lines.indexOf(l));
  return lines.filter((l) => !lines.some((o) => o !== l && surer(o, l) && shared(l.box, o.box) > 0.6 * area(l.box)));
}

const CJK = /[\u3400-\u9fff]/;
/** A numbering marker as headings print it: "（1）", "(2)", "3、", "4.", "1．" */
const MARKER = /^([（(]\d{1,2}[)）]|\d{1,2}[、.．])$/;

/**
 * chi_sim reads the heading marker "（1）" as "GD)", "G)", "()" or "4", which loses the heading.
 * When a line starts with something other than CJK that is not a clean marker, eng reads that
 * lead again; its reading replaces the lead only when it is a bracketed number.
 */
async function rereadMarker(img: Gray, line: OcrLine): Promise<OcrLine> {
  const firstCjk = line.words.findIndex((w) => CJK.test(w.text));
  if (firstCjk <= 0) return line;
  const lead = line.words.slice(0, firstCjk);
  const leadText = lead.map((w) => w.text).join('');
  if (MARKER.test(leadText) || /^\d{3,}/.test(leadText)) return line; // a clean marker, or a year / amount
  const [x0, y0, x1, y1] = unionBox(lead.map((w) => w.box));
  // with some paper round it and at twice the size: eng then reads "（1）" as "(1)" (0.84) where
  // the tight crop at 1× gives "@" or "(eV)"
  const m = 8;
  const eng = await recognizeLines(upscale2(crop(img, x0 - m, y0 - m, x1 + m, y1 + m)), PSM.SINGLE_LINE, 0, 0, 'eng');
  const read = eng.length === 1 ? eng[0]!.text.replace(/\s+/g, '') : '';
  const number = /^(?=.*[()（）])[(（]?(\d{1,2})[)）]?$/.exec(read);
  if (!number || eng[0]!.confidence < 0.6) return line;
  const marker = { text: `（${number[1]}）`, box: [x0, y0, x1, y1] as OcrLine['box'], confidence: eng[0]!.confidence };
  const words = [marker, ...line.words.slice(firstCjk)];
  return { ...line, text: marker.text + line.text.slice(leadText.length), words };
}
