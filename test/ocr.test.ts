import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cell, Paragraph, Table } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { defaultLimits } from '../src/formats.js';
import { extractImage, imageSize } from '../extractors/image.js';
import { assemble, lowConfidence, ocrRasters, pageBlocks, pdfPageRasters, RENDER_DPI, terminateOcr, type OcrPageBlocks } from '../extractors/ocr.js';
import type { OcrCell, OcrPage } from '../extractors/ocr/page.js';
import { estimateSkew } from '../extractors/ocr/deskew.js';
import { buildGrids } from '../extractors/ocr/grid.js';
import { isPageNumber, paragraphs } from '../extractors/ocr/layout.js';
import { shearLevel, type Gray } from '../extractors/ocr/raster.js';
import { findRules } from '../extractors/ocr/rules.js';
import { decodeTiff } from '../extractors/ocr/tiff.js';
import { fixOcrLine, fixOcrText, joinWords, type OcrLine } from '../extractors/ocr/recognize.js';
import { fixCellLine, withoutOverlaps } from '../extractors/ocr/page.js';
import { borderlessTables } from '../extractors/ocr/borderless.js';

const fixture = new URL('./fixtures/ocr-table.png', import.meta.url);
const ctx = { source: 'ocr-table.png', limits: defaultLimits };

afterAll(() => terminateOcr());

/** A white raster with black rectangles drawn in. */
function page(width: number, height: number, rects: Array<[number, number, number, number]>): Gray {
  const data = new Uint8Array(width * height).fill(255);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) data.fill(0, y * width + x0, y * width + x1);
  return { width, height, data };
}

describe('image header checks', () => {
  it('refuses a PNG that claims 50,000×50,000 pixels before decoding it', async () => {
    const png = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(50_000, 16);
    png.writeUInt32BE(50_000, 20);
    expect(imageSize(png)).toEqual({ width: 50_000, height: 50_000 });
    const err = await extractImage(png, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe(ErrorCode.tooManyPixels);
  });

  it('reads JPEG and TIFF sizes from their headers', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x09, 0x1b, 0x06, 0x72, 1, 0, 0, 0]);
    expect(imageSize(jpeg)).toEqual({ width: 1650, height: 2331 });
    expect(imageSize(tiff(3, 2, [0, 128, 255, 255, 128, 0]))).toEqual({ width: 3, height: 2 });
  });
});

/** A one-strip, uncompressed 8-bit grey little-endian TIFF. */
function tiff(width: number, height: number, pixels: number[], compression = 1): Buffer {
  const entries: Array<[number, number, number]> = [[256, 3, width], [257, 3, height], [258, 3, 8], [259, 3, compression], [262, 3, 1], [273, 4, 8 + 2 + 8 * 12 + 4], [277, 3, 1], [279, 4, pixels.length]];
  const b = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + pixels.length);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    b.writeUInt16LE(tag, at); b.writeUInt16LE(type, at + 2); b.writeUInt32LE(1, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8); else b.writeUInt32LE(value, at + 8);
  });
  Buffer.from(pixels).copy(b, 10 + entries.length * 12 + 4);
  return b;
}

describe('TIFF', () => {
  it('decodes an uncompressed grey page', () => {
    const [img] = decodeTiff(tiff(3, 2, [0, 128, 255, 255, 128, 0]));
    expect(img && [...img.data]).toEqual([0, 128, 255, 255, 128, 0]);
  });
  it('refuses CCITT G4 with a clear error instead of garbage', () => {
    expect(() => decodeTiff(tiff(3, 2, [0, 0, 0, 0, 0, 0], 4))).toThrow(/CCITT/);
  });
});

describe('ruling lines and grids', () => {
  // 3×3 grid; the rule between (0,1) and (0,2) is missing (colSpan 2), and so is the one
  // between (1,0) and (2,0) (rowSpan 2)
  const xs = [50, 250, 450, 650], ys = [50, 150, 250, 350];
  const rects: Array<[number, number, number, number]> = [];
  for (const y of ys) rects.push([xs[0]!, y, xs[3]! + 2, y + 2]);
  rects.push([xs[0]!, ys[0]!, xs[0]! + 2, ys[3]!], [xs[3]!, ys[0]!, xs[3]! + 2, ys[3]! + 2]);
  rects.push([xs[1]!, ys[0]!, xs[1]! + 2, ys[3]!]);
  rects.push([xs[2]!, ys[1]!, xs[2]! + 2, ys[3]!]);
  const withoutInner = rects.filter((r) => !(r[1] === ys[2] && r[3] === ys[2]! + 2));
  withoutInner.push([xs[1]!, ys[2]!, xs[3]! + 2, ys[2]! + 2]); // the row rule only right of column 0
  const img = page(720, 400, withoutInner);

  it('finds the grid with its column and row spans', () => {
    const rules = findRules(img);
    const grids = buildGrids(rules.horizontal, rules.vertical);
    expect(grids).toHaveLength(1);
    const spans = grids[0]!.cells.map((c) => [c.row, c.col, c.rowSpan, c.colSpan]);
    expect(spans).toEqual([[0, 0, 1, 1], [0, 1, 1, 2], [1, 0, 2, 1], [1, 1, 1, 1], [1, 2, 1, 1], [2, 1, 1, 1], [2, 2, 1, 1]]);
  });

  it('does not take a glyph stroke touching two rules for a column rule', () => {
    // a 3-px stroke from rule to rule in a tight row, with the rest of a glyph beside it
    const glyph = page(720, 400, [...withoutInner, [120, 152, 123, 250], [110, 190, 140, 193]]);
    const rules = findRules(glyph);
    expect(buildGrids(rules.horizontal, rules.vertical)[0]!.xs).toHaveLength(4);
  });

  it('finds a table drawn in light grey hairlines only when asked for faint rules, and only its long rules', () => {
    // paper 238, black text blocks, the grid in 1-px rules of grey 160 (lighter than Otsu's threshold)
    const faint = { width: 720, height: 400, data: new Uint8Array(720 * 400).fill(238) };
    const paint = ([x0, y0, x1, y1]: [number, number, number, number], v: number) => { for (let y = y0; y < y1; y++) faint.data.fill(v, y * 720 + x0, y * 720 + x1); };
    for (const [x0, y0, x1, y1] of rects) paint([x0, y0, x0 === x1 - 2 ? x0 + 1 : x1, y0 === y1 - 2 ? y0 + 1 : y1], 160);
    for (let k = 0; k < 9; k++) paint([80 + (k % 3) * 200, 80 + Math.floor(k / 3) * 100, 160 + (k % 3) * 200, 110 + Math.floor(k / 3) * 100], 20);
    const strict = findRules(faint);
    expect(buildGrids(strict.horizontal, strict.vertical).filter((g) => g.cells.length > 0)).toHaveLength(0);
    const light = findRules(faint, 200, true);
    expect(light.threshold).toBe(strict.threshold); // cells are still told empty at the text's threshold
    expect(buildGrids(light.horizontal, light.vertical)[0]!.cells.length).toBeGreaterThanOrEqual(6);
  });

  it('measures the lean of a page', () => {
    const lines = page(1200, 900, Array.from({ length: 12 }, (_, i) => [100, 80 + i * 60, 1100, 83 + i * 60] as [number, number, number, number]));
    expect(estimateSkew(shearLevel(lines, -0.6))).toBeCloseTo(0.6, 1);
    expect(Math.abs(estimateSkew(lines))).toBeLessThan(0.05);
  });
});

describe('page furniture and text joining', () => {
  it('knows page numbers', () => {
    for (const s of ['-1-', '- 12 -', '— 3 —', '第 2 页', '2 / 15']) expect(isPageNumber(s)).toBe(true);
    for (const s of ['1、机构情况', '-', '2023']) expect(isPageNumber(s)).toBe(false);
  });
  it("fixes chi_sim's misreadings that a form cannot mean", () => {
    expect(fixOcrText('〈共性)')).toBe('（共性)');
    expect(fixOcrText('项目效|益|')).toBe('项目效益');
    expect(fixOcrLine('效益指标《30分)')).toBe('效益指标（30分）');
    expect(fixOcrLine('满意度指标《10分》')).toBe('满意度指标（10分）');
    expect(fixOcrLine('《项目支出绩效评价指标评分表》')).toBe('《项目支出绩效评价指标评分表》');
    expect(fixOcrLine('计划成本X100%。')).toBe('计划成本×100%。');
    expect(fixOcrLine('时间]x 100%')).toBe('时间]×100%');
    expect(fixOcrLine('Model X100% and AX5%')).toBe('Model X100% and AX5%');
    expect(fixOcrLine('附牛2预算支出绩效自评表')).toBe('附件2预算支出绩效自评表');
    expect(fixCellLine('之95%')).toBe('≥95%');
    expect(fixCellLine('三4200个')).toBe('≥4200个');
    expect(fixCellLine('三级指标')).toBe('三级指标');
    expect(fixCellLine('85%0')).toBe('85%');
    expect(fixCellLine('百分之95')).toBe('百分之95');
    expect(fixCellLine(']0')).toBe('10');
  });
  it('joins Chinese words without spaces, Latin words with one', () => {
    expect(joinWords(['年度', '资金', '总额'])).toBe('年度资金总额');
    expect(joinWords(['Word', 'Excel'])).toBe('Word Excel');
  });
});

describe('assembling pages', () => {
  const cell = (text: string, row: number, col: number, rowSpan = 1, x0 = col * 100): Cell => ({
    text, col, colSpan: 1, rowSpan, continued: false, place: { page: 1, row, col, box: [x0, row * 20, x0 + 100, row * 20 + 20 * rowSpan], confidence: 0.9 },
  });
  const table = (rows: Cell[][], pageNo: number, box: [number, number, number, number] = [0, 1200, 300, 1300]): Table => {
    for (const r of rows) for (const c of r) c.place.page = pageNo;
    return { type: 'table', rows, confidence: 1, place: { page: pageNo, box } };
  };
  const source = { width: 1000, height: 1400, dpi: 200, tables: [], lines: [] };

  it('joins a table cut by a page break and carries a cut vertical merge up', () => {
    const p1: OcrPageBlocks = { page: 1, unit: 1, source: { page: 1, ...source }, blocks: [table([[cell('满意度', 0, 0), cell('群众满意度', 0, 1), cell('5', 0, 2)]], 1)] };
    const continuation = table([[cell('指标（10分）', 0, 0, 2), cell('政策知晓率', 0, 1), cell('4', 0, 2)], [{ ...cell('', 1, 0), continued: true }, cell('……', 1, 1), cell('', 1, 2)]], 2);
    continuation.place.box = [0, 60, 300, 200];
    const p2: OcrPageBlocks = { page: 2, unit: 1, source: { page: 2, ...source }, blocks: [continuation] };
    const model = assemble([p1, p2], 'image-ocr');
    expect(model.blocks).toHaveLength(1);
    const t = model.blocks[0] as Table;
    expect(t.rows.map((r) => r.map((c) => (c.continued ? '^' : c.text)))).toEqual([['满意度\n指标（10分）', '群众满意度', '5'], ['^', '政策知晓率', '4'], ['^', '……', '']]);
    expect(t.rows[0]![0]!.rowSpan).toBe(3);
    expect(t.rows[2]![1]!.place.row).toBe(2);
  });

  it('joins the rest of a row cut by the page break to the row above, by where the cut text sits', () => {
    // three columns 300 px wide; a line is 30 px tall (10.8 pt at 200 dpi)
    const ocrCell = (row: number, col: number, y0: number, y1: number, lines: Array<[string, number, number, number]>): OcrCell => ({
      row, col, rowSpan: 1, colSpan: 1, box: [col * 300 + 100, y0, col * 300 + 400, y1], confidence: 0.95,
      text: lines.map((l) => l[0]).join('\n'),
      lines: lines.map(([text, x0, x1, top]) => ({ text, box: [col * 300 + 100 + x0, top, col * 300 + 100 + x1, top + 30] as [number, number, number, number] })),
    });
    const ocrPage = (page: number, rowYs: number[], cells: OcrCell[]): OcrPage => ({
      page, width: 1200, height: 1400, dpi: 200, lines: [],
      tables: [{ grid: { box: [100, rowYs[0]!, 1000, rowYs.at(-1)!], ys: rowYs, xs: [100, 400, 700, 1000], cells, regularity: 1 }, cells }],
    });
    const p1 = ocrPage(1, [1200, 1300, 1380], [
      ocrCell(0, 0, 1200, 1300, [['效益指标', 100, 220, 1235]]), ocrCell(0, 1, 1200, 1300, [['群众满意度', 80, 230, 1235]]), ocrCell(0, 2, 1200, 1300, [['95%', 120, 180, 1235]]),
      // the cut cell: two lines, the second running to the right and down to the rule
      ocrCell(1, 0, 1300, 1380, [['可持续影响', 60, 240, 1322]]), ocrCell(1, 1, 1300, 1380, [['打通医保服务群众', 6, 294, 1304], ['的“最后一公', 6, 292, 1346]]), ocrCell(1, 2, 1300, 1380, [['100%', 110, 190, 1322]]),
    ]);
    const p2 = ocrPage(2, [40, 90, 190], [
      ocrCell(0, 0, 40, 90, []), ocrCell(0, 1, 40, 90, [['里”。', 6, 70, 44]]), ocrCell(0, 2, 40, 90, []),
      ocrCell(1, 0, 90, 190, [['满意度', 90, 210, 125]]), ocrCell(1, 1, 90, 190, [['服务对象满意度', 40, 260, 125]]), ocrCell(1, 2, 90, 190, [['90%', 120, 180, 125]]),
    ]);
    const model = assemble([pageBlocks(p1, 1), pageBlocks(p2, 1)], 'image-ocr');
    expect(model.blocks).toHaveLength(1);
    const t = model.blocks[0] as Table;
    expect(t.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['效益指标', '群众满意度', '95%'],
      ['可持续影响', '打通医保服务群众\n的“最后一公\n里”。', '100%'],
      ['满意度', '服务对象满意度', '90%'],
    ]);
    expect(t.rows[2]!.map((c) => c.place.row)).toEqual([2, 2, 2]);

    // the same second page under a cell whose last line stops short of the right edge: not cut, a row of its own
    const whole = ocrPage(1, [1200, 1300, 1380], [
      ...p1.tables[0]!.cells.slice(0, 4), ocrCell(1, 1, 1300, 1380, [['打通医保服务群众', 6, 294, 1304], ['的“最', 6, 100, 1346]]), p1.tables[0]!.cells[5]!,
    ]);
    const apart = assemble([pageBlocks(whole, 1), pageBlocks(p2, 1)], 'image-ocr').blocks[0] as Table;
    expect(apart.rows).toHaveLength(4);
  });

  it('keeps apart two forms printed one per page', () => {
    const form = (pageNo: number) => table([[cell('项目名称', 0, 0), cell('医疗保障服务', 0, 1), cell('10', 0, 2)]], pageNo, [0, 100, 300, 900]);
    const pages = [1, 2].map((n): OcrPageBlocks => ({ page: n, unit: 1, source: { page: n, ...source }, blocks: [form(n)] }));
    expect(assemble(pages, 'image-ocr').blocks).toHaveLength(2);
  });

  it('warns about cells read with low confidence, with their place', () => {
    const low = cell('吴芍', 0, 0);
    low.place.confidence = 0.41;
    const messages = lowConfidence([table([[low, cell('13762795777', 0, 1)]], 3)]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ code: 'low-confidence', stage: 'ocr', severity: 'warning', place: { page: 3, row: 0, col: 0, box: [0, 0, 100, 20], confidence: 0.41 } });
  });
});

describe('OCR of a page image (tesseract, chi_sim, offline)', () => {
  it('reads the table cell by cell with spans, the line above it, and a confidence everywhere', async () => {
    const realFetch = globalThis.fetch;
    let fetches = 0;
    globalThis.fetch = (() => { fetches++; throw new Error('no network in OCR'); }) as typeof fetch;
    try {
      const model = await extractImage(new Uint8Array(fs.readFileSync(fixture)), ctx);
      expect(fetches).toBe(0);
      expect(model.format).toBe('image-ocr');
      const [title, t] = model.blocks as [Paragraph, Table];
      expect(title.type).toBe('paragraph');
      expect(title.text).toBe('部门整体支出绩效自评表');
      expect(t.type).toBe('table');
      expect(t.rows.map((r) => r.map((c) => c.text))).toEqual([['项目名称', '医疗保障服务'], ['执行率', '713.64', '10']]);
      expect(t.rows[0]![1]!.colSpan).toBe(2);
      for (const c of t.rows.flat()) {
        expect(c.place.page).toBe(1);
        expect(c.place.box).toHaveLength(4);
        expect(c.place.confidence).toBeGreaterThan(0.6);
        expect(c.place.confidence).toBeLessThanOrEqual(1);
      }
      expect(title.place).toMatchObject({ page: 1 });
      expect(title.place.confidence).toBeGreaterThan(0.6);
    } finally {
      globalThis.fetch = realFetch;
    }
  }, 60_000);
});

describe('OCR lines of a page', () => {
  const line = (text: string, box: [number, number, number, number], confidence = 0.9, words?: Array<[string, number, number]>): OcrLine => ({
    text, box, confidence,
    words: (words ?? [[text, box[0], box[2]]]).map(([t, x0, x1]) => ({ text: t, box: [x0, box[1], x1, box[3]] as [number, number, number, number], confidence })),
  });

  it('joins a line run to the margin with the next, unless that one opens with a heading number or is set larger', () => {
    const body = (text: string, y: number, x1 = 1560) => line(text, [160, y, x1, y + 48]);
    const paras = paragraphs([
      body('老年人健康管理1.86万人，高血压患者规范管理9320人，居民电子健康档案建', 1194),
      body('档率92.3%。', 1244, 400),
      body('全年实际支出905.1万元，预算执行率99.2%，较上年提高三个百分点，资金使用', 1300),
      line('三、存在的问题及改进措施', [161, 1352, 891, 1400]),
      body('家庭医生签约服务质量有待提升，下一步将加强基层医务人员培训，提高服务水', 1410),
      line('附件说明', [160, 1462, 500, 1540]),
    ], 160, 1570);
    expect(paras.map((p) => p.text)).toEqual([
      '老年人健康管理1.86万人，高血压患者规范管理9320人，居民电子健康档案建档率92.3%。',
      '全年实际支出905.1万元，预算执行率99.2%，较上年提高三个百分点，资金使用',
      '三、存在的问题及改进措施',
      '家庭医生签约服务质量有待提升，下一步将加强基层医务人员培训，提高服务水',
      '附件说明',
    ]);
  });

  it('tells type size by most of a line\'s words, not the few tesseract boxes a line-spacing tall', () => {
    const words = (y: number, heights: number[]) => heights.map((h, k) => ({ text: '字', box: [160 + k * 60, y, 200 + k * 60, y + h] as [number, number, number, number], confidence: 0.9 }));
    const first: OcrLine = { text: '（九）贯彻落实上级医疗保险政策规定，负责全市医疗保障', box: [160, 609, 1560, 674], confidence: 0.9, words: words(609, [30, 31, 31, 31, 32, 65, 65]) };
    const rest: OcrLine = { text: '经办业务。', box: [160, 668, 321, 733], confidence: 0.9, words: words(668, [32, 32, 65, 65]) };
    expect(paragraphs([first, rest], 160, 1570).map((p) => p.text)).toEqual(['（九）贯彻落实上级医疗保险政策规定，负责全市医疗保障经办业务。']);
  });

  it('keeps one reading where two lines lie over the same stretch, the surer one', () => {
    const kept = withoutOverlaps([line('量指标农村生活污水治理', [721, 1101, 1487, 1155], 0.8), line('数量指标和三25个27个', [692, 1101, 1480, 1166], 0.7), line('质量指标', [700, 1220, 800, 1265], 0.7)]);
    expect(kept.map((l) => l.text)).toEqual(['量指标农村生活污水治理', '质量指标']);
    // equally sure: the first stays, not neither
    expect(withoutOverlaps([line('甲', [0, 0, 100, 30]), line('乙', [2, 0, 100, 30])]).map((l) => l.text)).toEqual(['甲']);
  });

  it('finds a table without rules among the lines by its columns, and leaves the narrative lines', () => {
    const row = (y: number, cells: string[]) => line(cells.join(''), [100, y, 100 + 300 * cells.length - 150, y + 30], 0.9, cells.map((c, k) => [c, 100 + 300 * k, 250 + 300 * k]));
    const lines = [
      line('一、项目基本情况', [100, 100, 400, 130]),
      row(200, ['一级指标', '二级指标', '年度指标值']),
      row(260, ['产出指标', '数量指标', '25个']),
      row(320, ['效益指标', '社会效益', '90%']),
      line('填表人：张三', [100, 450, 400, 480]),
    ];
    const { tables, lines: rest } = borderlessTables(lines, 3, 72 / 200);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.rows.map((r) => r.map((c) => c.text))).toEqual([['一级指标', '二级指标', '年度指标值'], ['产出指标', '数量指标', '25个'], ['效益指标', '社会效益', '90%']]);
    expect(tables[0]!.rows[1]![2]!.place).toMatchObject({ page: 3, row: 1, col: 2, confidence: 0.9 });
    expect(rest.map((l) => l.text)).toEqual(['一、项目基本情况', '填表人：张三']);
  });
});

describe('OCR of a lone equals sign', () => {
  it('reads two flat bars of one length as "=", and a shorter upper stroke as something else', async () => {
    // two ruled cells; the left holds "=" (bars 18 px), the right "二" (upper stroke shorter)
    const img = page(400, 200, [[50, 50, 352, 52], [50, 150, 352, 152], [50, 50, 52, 152], [200, 50, 202, 152], [350, 50, 352, 152],
      [116, 94, 134, 97], [116, 104, 134, 107], [270, 93, 280, 96], [264, 106, 288, 109]]);
    const [out] = await ocrRasters([{ page: 1, image: img, dpi: 200, unit: 1 }]);
    const cells = (out!.blocks.find((b) => b.type === 'table') as Table).rows[0]!;
    expect(cells[0]!.text).toBe('=');
    expect(cells[1]!.text).not.toBe('=');
  }, 30_000);
});

describe('OCR of several pages at once', () => {
  it('keeps page order while pages overlap on the workers', async () => {
    // a page with a ruled two-cell table takes longer than a blank one: finishing order differs from page order
    const ruled = page(600, 300, [[50, 50, 552, 52], [50, 150, 552, 152], [50, 50, 52, 152], [300, 50, 302, 152], [550, 50, 552, 152], [100, 90, 140, 110], [350, 90, 390, 110]]);
    const blank = page(600, 300, []);
    const pages = [ruled, blank, ruled, blank].map((image, i) => ({ page: i + 1, image, dpi: 200, unit: 1 }));
    const out = await ocrRasters(pages);
    expect(out.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    expect(out.map((p) => p.source.tables.length)).toEqual([1, 0, 1, 0]);
  }, 30_000);
});

/** A PDF of grey image pages: each page `[image, placement]` draws the image with the `cm` matrix `placement` on a page of `size` points. */
function imagePdf(pages: Array<{ image: Gray; size: [number, number]; cm: string; extra?: string }>): Uint8Array {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const add = (n: number, body: string | Buffer, stream?: Buffer) => {
    offsets[n] = length;
    for (const b of [Buffer.from(`${n} 0 obj\n`), Buffer.from(body), ...(stream ? [Buffer.from('\nstream\n'), stream, Buffer.from('\nendstream')] : []), Buffer.from('\nendobj\n')]) { parts.push(b); length += b.length; }
  };
  const head = Buffer.from('%PDF-1.4\n');
  parts.push(head); length += head.length;
  add(1, '<< /Type /Catalog /Pages 2 0 R >>');
  add(2, `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 3} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  pages.forEach(({ image, size, cm, extra }, i) => {
    const n = 3 + i * 3, content = Buffer.from(`q ${cm} cm /Im0 Do Q`);
    add(n, `<< /Type /Page /Parent 2 0 R ${extra ?? ''} /MediaBox [0 0 ${size[0]} ${size[1]}] /Resources << /XObject << /Im0 ${n + 2} 0 R >> >> /Contents ${n + 1} 0 R >>`);
    add(n + 1, `<< /Length ${content.length} >>`, content);
    add(n + 2, `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${image.data.length} >>`, Buffer.from(image.data));
  });
  const count = 3 + pages.length * 3;
  const xref = length;
  parts.push(Buffer.from(`xref\n0 ${count}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

describe('rasters of scanned PDF pages', () => {
  // 300×400 pixels: 72×96 pt at 300 dpi, 108×144 pt at 200 dpi
  const scan = page(300, 400, [[30, 30, 270, 33], [30, 200, 270, 203], [150, 100, 160, 180]]);
  it("takes a page that is one upright image over the whole page as that image, at the image's own resolution", async () => {
    const [p] = await pdfPageRasters(imagePdf([{ image: scan, size: [72, 96], cm: '72 0 0 96 0 0' }]), 'all');
    expect(p).toMatchObject({ page: 1, dpi: 300 });
    expect(p!.unit).toBeCloseTo(72 / 300);
    expect(Buffer.from(p!.image.data).equals(Buffer.from(scan.data))).toBe(true);
  });

  it('renders a page whose image covers part of it, or is turned, at the render resolution', async () => {
    const pages = await pdfPageRasters(imagePdf([
      { image: scan, size: [216, 288], cm: '108 0 0 144 0 0' },
      { image: scan, size: [108, 144], cm: '108 0 0 144 0 0', extra: '/Rotate 90' },
    ]), 'all');
    expect(pages.map((p) => [p.dpi, p.image.width, p.image.height])).toEqual([[RENDER_DPI, 600, 800], [RENDER_DPI, 400, 300]]);
    // the rendered part still shows the image's rule, half the page down from its top
    const first = pages[0]!.image;
    expect(first.data[(400 + 31) * 600 + 150]).toBeLessThan(128);
  });
});

const canUnshare = await promisify(execFile)('unshare', ['-n', 'true']).then(() => true, () => false);

describe.skipIf(!canUnshare)('OCR without any network (unshare -n)', () => {
  it('starts the engine and reads the fixture in a process with no network at all', async () => {
    const root = new URL('..', import.meta.url).pathname;
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-offline-')), 'run.mts');
    fs.writeFileSync(script, `import { extractImage } from '${root}extractors/image.ts'; import { terminateOcr } from '${root}extractors/ocr.ts'; import fs from 'node:fs';
const m = await extractImage(new Uint8Array(fs.readFileSync('${root}test/fixtures/ocr-table.png')), { source: 'x', limits: { maxImagePixels: 1e8, maxUnzippedBytes: 1e9, timeoutMs: 6e4, maxFileBytes: 1e9 } });
console.log(JSON.stringify(m.blocks.map((b) => b.type))); await terminateOcr();`);
    const { stdout } = await promisify(execFile)('unshare', ['-n', path.join(root, 'node_modules/.bin/tsx'), script], { cwd: root, timeout: 50_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual(['paragraph', 'table']);
  }, 55_000);
});
