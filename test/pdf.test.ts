import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Block, type Cell, DocModel, type Table } from '../schemas/model.js';
import { extractPdf, loadPdf, readPage } from '../extractors/pdf.js';
import { type PageLine, startsParagraph } from '../extractors/pdf/lines.js';
import { extractText } from '../extractors/text.js';
import { ErrorCode } from '../src/errors.js';
import { squash } from '../src/normalize/text.js';

// ---- a tiny PDF writer: Courier text (0.6 em per character), thin filled rectangles as rules ----
const H = 842;
const text = (x: number, top: number, s: string, size = 10) => `BT /F1 ${size} Tf ${x} ${H - top} Td (${s}) Tj ET`;
/** a 0.5pt rule drawn as a filled rectangle, the way Word and WPS export borders */
const hRule = (x0: number, x1: number, top: number) => `${x0} ${H - top - 0.25} ${x1 - x0} 0.5 re f`;
const vRule = (x: number, top0: number, top1: number) => `${x - 0.25} ${H - top1} 0.5 ${top1 - top0} re f`;

/** F2 is Courier whose Unicode map sends "A" to the Kangxi radical ⽬ (U+2F6C) and "B" to a private-use code. */
const TO_UNICODE = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <41> <2F6C> <42> <E000> <43> <6807> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end`;

/** `pageEntries[i]` is added to page i's dictionary (a /Rotate); `kids` replaces the page-tree kids (a damaged tree). */
function makePdf(pages: string[][], pageEntries: string[] = [], kids?: string): Uint8Array {
  const objs: string[] = [];
  const first = 6; // page objects start here
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = `<< /Type /Pages /Kids [${kids ?? pages.map((_, i) => `${first + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objs[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>';
  objs[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 5 0 R >>';
  objs[5] = `<< /Length ${TO_UNICODE.length} >>\nstream\n${TO_UNICODE}\nendstream`;
  pages.forEach((ops, i) => {
    const content = ops.join('\n');
    objs[first + i * 2] = `<< /Type /Page ${pageEntries[i] ?? ''} /Parent 2 0 R /MediaBox [0 0 595 ${H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${first + 1 + i * 2} 0 R >>`;
    objs[first + 1 + i * 2] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let n = 1; n < objs.length; n++) {
    offsets[n] = out.length;
    out += `${n} 0 obj\n${objs[n]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

const tables = (m: DocModel) => m.blocks.filter((b): b is Table => b.type === 'table');
const paragraphs = (m: DocModel) => m.blocks.filter((b) => b.type === 'paragraph').map((b) => b.text);
const rowTexts = (t: Table) => t.rows.map((r) => r.map((c) => (c.continued ? '^' : c.text)));

/** Two pages: a header on both, two paragraphs, a ruled table that runs over the page break with its header row repeated, page numbers. */
function reportPdf(): Uint8Array {
  const header = (top: number) => [text(76, top + 14, 'Item'), text(334, top + 14, 'Amount')];
  const page1 = [
    text(72, 40, 'Annual Report 2022', 8),
    text(72, 100, 'The fund covered the basic medical insurance of all residents in'),
    text(72, 114, 'the county and its payments were made in time for every month of'),
    text(72, 128, 'the year.'),
    text(96, 142, 'A second paragraph starts with an indent.'),
    // table rows at 600..780, 20pt each; row 0 merges columns 0-1, column 0 of rows 1-2 is merged
    ...header(600),
    text(76, 634, 'Fund'), text(204, 634, 'Budget'), text(334, 634, '713.64'),
    text(204, 654, 'Rate'), text(334, 654, '95%'),
    ...[0, 1, 2, 3, 4, 5].flatMap((k) => [text(76, 674 + k * 20, `Line ${k + 1}`), text(204, 674 + k * 20, `a${k + 1}`), text(334, 674 + k * 20, `b${k + 1}`)]),
    ...[600, 620, 660, 680, 700, 720, 740, 760, 780].map((y) => hRule(72, 460, y)),
    hRule(200, 460, 640),
    vRule(72, 600, 780), vRule(460, 600, 780), vRule(330, 600, 780), vRule(200, 620, 780),
    text(280, 815, '- 1 -'),
  ];
  const page2 = [
    text(72, 40, 'Annual Report 2022', 8),
    ...header(72),
    text(76, 106, 'Line 7'), text(204, 106, 'a7'), text(334, 106, 'b7'),
    ...[72, 92, 112].map((y) => hRule(72, 460, y)),
    vRule(72, 72, 112), vRule(460, 72, 112), vRule(330, 72, 112), vRule(200, 92, 112),
    text(72, 160, 'End of the report.'),
    text(280, 815, '- 2 -'),
  ];
  return makePdf([page1, page2]);
}

describe('extractPdf on generated PDFs', () => {
  it('rebuilds a ruled table drawn with filled rectangles, with spans, continued slots and places', async () => {
    const model = DocModel.parse(await extractPdf(reportPdf()));
    const [t, ...rest] = tables(model);
    expect(rest).toHaveLength(0); // the part on page 2 joined the table
    expect(rowTexts(t!)).toEqual([
      ['Item', 'Amount'],
      ['Fund', 'Budget', '713.64'],
      ['^', 'Rate', '95%'],
      ...[1, 2, 3, 4, 5, 6, 7].map((k) => [`Line ${k}`, `a${k}`, `b${k}`]),
    ]);
    const item = t!.rows[0]![0]!;
    expect(item).toMatchObject({ col: 0, colSpan: 2, rowSpan: 1, continued: false });
    expect(t!.rows[1]![0]).toMatchObject({ rowSpan: 2, continued: false });
    expect(t!.rows[2]![0]).toMatchObject({ col: 0, continued: true, text: '' });
    expect(item.place).toMatchObject({ page: 1, table: 0, row: 0, col: 0 });
    expect(item.place.box![0]).toBeCloseTo(72, 0);
    expect(item.place.box![1]).toBeCloseTo(600, 0);
    expect(item.place.box![2]).toBeCloseTo(330, 0);
    const line7 = t!.rows[9]![0]!;
    expect(line7.place).toMatchObject({ page: 2, row: 9 });
    for (const cell of t!.rows.flat()) expect(cell.place.box).toHaveLength(4);
  });

  it('joins wrapped lines into paragraphs and drops headers and page numbers', async () => {
    const model = await extractPdf(reportPdf());
    expect(paragraphs(model)).toEqual([
      'The fund covered the basic medical insurance of all residents in the county and its payments were made in time for every month of the year.',
      'A second paragraph starts with an indent.',
      'End of the report.',
    ]);
    const first = model.blocks[0] as Block;
    expect(first.place.page).toBe(1);
    expect(first.place.box![1]).toBeLessThan(100);
    expect(first.place.box![3]).toBeGreaterThan(120);
  });

  it('joins the rest of a row cut by the page break to the row above', async () => {
    const grid = (top: number, rows: number) => [
      ...Array.from({ length: rows + 1 }, (_, k) => hRule(72, 460, top + k * 40)),
      ...[72, 300, 460].map((x) => vRule(x, top, top + rows * 40)),
    ];
    const page1 = [
      text(76, 714, 'Budget'), text(304, 714, '713.64'),
      // the cut text fills its cell down to the page break
      text(76, 762, 'Payments of the fund were made every'), text(76, 774, 'month and reached all of the insured'), text(304, 768, 'Done'),
      ...grid(700, 2),
    ];
    const page2 = [text(76, 86, 'residents in time.'), text(76, 126, 'Score'), text(304, 126, '10'), ...grid(72, 2)];
    const [t] = tables(await extractPdf(makePdf([page1, page2])));
    expect(rowTexts(t!)).toEqual([
      ['Budget', '713.64'],
      ['Payments of the fund were made every\nmonth and reached all of the insured\nresidents in time.', 'Done'],
      ['Score', '10'],
    ]);
    expect(t!.rows[2]![0]!.place).toMatchObject({ page: 2, row: 2 });
  });

  it('joins a cut row when the next page numbers its columns differently and the row leaves padding under the text', async () => {
    // page 1: the cut text stops 30pt above the page-break rule (a padded row); page 2 splits the
    // first column in its second row, so its lattice numbers the same x range 0-1 there
    const page1 = [
      text(76, 714, 'Budget'), text(304, 714, '713.64'),
      text(76, 752, 'Payments of the fund were made every'), text(76, 764, 'month and reached all of the insured'), text(304, 752, 'Done'),
      ...[700, 740, 800].map((y) => hRule(72, 460, y)), ...[72, 300, 460].map((x) => vRule(x, 700, 800)),
    ];
    const page2 = [
      text(76, 86, 'residents in time.'),
      text(76, 126, 'Score'), text(204, 126, 'max'), text(304, 126, '10'),
      ...[72, 112, 152].map((y) => hRule(72, 460, y)), ...[72, 300, 460].map((x) => vRule(x, 72, 152)), vRule(200, 112, 152),
    ];
    const [t, ...rest] = tables(await extractPdf(makePdf([page1, page2])));
    expect(rest).toHaveLength(0);
    expect(rowTexts(t!)).toEqual([
      ['Budget', '713.64'],
      ['Payments of the fund were made every\nmonth and reached all of the insured\nresidents in time.', 'Done'],
      ['Score', 'max', '10'],
    ]);
    // one column grid for both parts: the wide cells span the split column
    expect(t!.rows[0]!.map((c) => [c.col, c.colSpan])).toEqual([[0, 2], [2, 1]]);
    expect(t!.rows[2]!.map((c) => [c.col, c.colSpan])).toEqual([[0, 1], [1, 1], [2, 1]]);
    // the same padded row with a value under "Done" on the next page: a row sized to its text, then a new row
    const [u] = tables(await extractPdf(makePdf([page1, [...page2, text(304, 86, 'Pending')]])));
    expect(rowTexts(u!).map((r) => r.filter((c) => c !== ''))).toEqual([
      ['Budget', '713.64'],
      ['Payments of the fund were made every\nmonth and reached all of the insured', 'Done'],
      ['residents in time.', 'Pending'],
      ['Score', 'max', '10'],
    ]);
  });

  it('drops the empty rest of a split row and carries a merge over the page break', async () => {
    // rows 2-4 of column 0 are one merged cell ("Group"): no rules between them in that column
    const page1 = [
      text(76, 714, 'Head'), text(204, 714, 'Value'),
      text(76, 750, 'Group'), text(204, 734, 'a'), text(204, 754, 'b'), text(204, 774, 'b2'),
      ...[700, 720, 780].map((y) => hRule(72, 460, y)), hRule(200, 460, 740), hRule(200, 460, 760),
      vRule(72, 700, 780), vRule(200, 700, 780), vRule(460, 700, 780),
    ];
    const page2 = [
      // the bordered, empty rest of the last row, then the merge goes on beside "c"
      text(204, 100, 'c'),
      ...[72, 84, 104].map((y) => hRule(72, 460, y)), vRule(72, 72, 104), vRule(200, 72, 104), vRule(460, 72, 104),
      text(76, 124, 'Total'), text(204, 124, '9'), hRule(72, 460, 130), vRule(72, 104, 130), vRule(200, 104, 130), vRule(460, 104, 130),
    ];
    const [t, ...rest] = tables(await extractPdf(makePdf([page1, page2])));
    expect(rest).toHaveLength(0);
    expect(rowTexts(t!)).toEqual([['Head', 'Value'], ['Group', 'a'], ['^', 'b'], ['^', 'b2'], ['^', 'c'], ['Total', '9']]);
    expect(t!.rows[1]![0]!.rowSpan).toBe(4);
  });

  it('joins a one-ideograph tail to a short label cut by the page break, not a label of its own', async () => {
    // a narrow first column: "Level" fills it on one line, as "部门名" of "部门名称" does
    const cutTable = (tail: string[]) => {
      const page1 = [
        text(76, 714, 'Unit'), text(114, 714, 'Health bureau'),
        text(76, 774, 'Level'), text(114, 774, 'Output'),
        ...[700, 720, 780].map((y) => hRule(72, 460, y)), ...[72, 110, 460].map((x) => vRule(x, 700, 780)),
      ];
      const page2 = [...tail, text(76, 106, 'Rate'), text(114, 106, '95%'), ...[72, 92, 112].map((y) => hRule(72, 460, y)), ...[72, 110, 460].map((x) => vRule(x, 72, 112))];
      return makePdf([page1, page2]);
    };
    // F2 prints "C" as 标
    const [joined] = tables(await extractPdf(cutTable([`BT /F2 10 Tf 76 ${H - 86} Td (C) Tj ET`])));
    expect(rowTexts(joined!)).toEqual([['Unit', 'Health bureau'], ['Level\n标', 'Output'], ['Rate', '95%']]);
    const [own] = tables(await extractPdf(cutTable([text(76, 86, 'Cost')])));
    expect(rowTexts(own!)).toEqual([['Unit', 'Health bureau'], ['Level', 'Output'], ['Cost', ''], ['Rate', '95%']]);
  });

  it('finds a borderless table whose cells wrap above and below the row, and a merged row above it', async () => {
    const page = [
      text(72, 60, 'Self-evaluation form'),
      // a row that does not fit the columns: its value is centred over two of them
      text(72, 90, 'Name'), text(300, 90, 'Rural sewage treatment'),
      text(72, 104, 'Level'), text(150, 104, 'Indicator'), text(300, 104, 'Target'), text(400, 104, 'Actual'),
      text(150, 119, 'Villages with'), text(72, 126, 'Output'), text(300, 126, '>=25'), text(400, 126, '27'), text(150, 133, 'sewage works'),
      text(72, 148, 'Output'), text(150, 148, 'Cost per village'), text(300, 148, '<=60'), text(400, 148, '57.8'),
      text(150, 163, 'Share of works'), text(72, 170, 'Effect'), text(300, 170, '>=85%'), text(400, 170, '88%'), text(150, 177, 'running'),
      text(72, 230, 'Preparer: Li      Date: 2024-06-24      Phone: 0730-5218876'),
    ];
    const model = await extractPdf(makePdf([page]));
    const [t, ...rest] = tables(model);
    expect(rest).toHaveLength(0);
    expect(t!.confidence).toBeLessThan(1);
    expect(rowTexts(t!)).toEqual([
      ['Name', 'Rural sewage treatment'],
      ['Level', 'Indicator', 'Target', 'Actual'],
      ['Output', 'Villages with\nsewage works', '>=25', '27'],
      ['Output', 'Cost per village', '<=60', '57.8'],
      ['Effect', 'Share of works\nrunning', '>=85%', '88%'],
    ]);
    expect(t!.rows[0]![1]).toMatchObject({ col: 1, colSpan: 3 });
    expect(paragraphs(model)).toEqual(['Self-evaluation form', 'Preparer: Li Date: 2024-06-24 Phone: 0730-5218876']);
  });

  it('keeps a single cell cut off at the top of the next page in its table; another box is a text frame', async () => {
    const page1 = [
      text(76, 734, 'Budget'), text(304, 734, '713.64'),
      text(76, 766, 'Note: figures in 10k yuan.'),
      ...[720, 750, 780].map((y) => hRule(72, 460, y)), vRule(72, 720, 780), vRule(460, 720, 780), vRule(300, 720, 750),
    ];
    const page2 = [
      text(76, 86, 'Source: final accounts.'), ...[72, 100].map((y) => hRule(72, 460, y)), vRule(72, 72, 100), vRule(460, 72, 100),
      text(106, 200, 'Framed text.'), ...[186, 206].map((y) => hRule(100, 300, y)), vRule(100, 186, 206), vRule(300, 186, 206),
    ];
    const model = await extractPdf(makePdf([page1, page2]));
    expect(tables(model).map(rowTexts)).toEqual([[['Budget', '713.64'], ['Note: figures in 10k yuan.'], ['Source: final accounts.']]]);
    expect(paragraphs(model)).toEqual(['Framed text.']);
  });

  it('takes a box closing the page for the first row of the table opening the next page', async () => {
    const page1 = [text(72, 100, 'Basic data.'), text(76, 774, 'Staff (persons)'), ...[760, 780].map((y) => hRule(72, 460, y)), vRule(72, 760, 780), vRule(460, 760, 780)];
    const page2 = [
      text(76, 86, 'Authorized'), text(304, 86, '56'), text(76, 106, 'Actual'), text(304, 106, '52'),
      ...[72, 92, 112].map((y) => hRule(72, 460, y)), ...[72, 300, 460].map((x) => vRule(x, 72, 112)),
    ];
    const model = await extractPdf(makePdf([page1, page2]));
    expect(tables(model).map(rowTexts)).toEqual([[['Staff (persons)'], ['Authorized', '56'], ['Actual', '52']]]);
    expect(paragraphs(model)).toEqual(['Basic data.']);
  });

  it('reads a label turned by a quarter inside its cell', async () => {
    const page = [
      `BT /F1 10 Tf 0 1 -1 0 90 ${H - 747} Tm (Fund) Tj ET`, // reads bottom to top, inside the first cell
      text(104, 720, 'Budget'), text(254, 720, '713.64'),
      text(104, 750, 'Executed'), text(254, 750, '700'),
      ...[700, 760].map((y) => hRule(72, 400, y)), hRule(100, 400, 730),
      ...[72, 100, 250, 400].map((x) => vRule(x, 700, 760)),
    ];
    const [t] = tables(await extractPdf(makePdf([page])));
    expect(rowTexts(t!)).toEqual([['Fund', 'Budget', '713.64'], ['^', 'Executed', '700']]);
  });

  it('closes an open-sided table (no outer vertical borders) at the ends of its horizontal rules', async () => {
    const page = [
      text(76, 720, 'Fund'), text(204, 720, 'Budget'), text(334, 720, 'Executed'),
      text(76, 740, 'A'), text(204, 740, '526'), text(334, 740, '713.64'),
      ...[700, 725, 745].map((y) => hRule(72, 460, y)),
      ...[200, 330].map((x) => vRule(x, 700, 745)),
    ];
    const [t] = tables(await extractPdf(makePdf([page])));
    expect(rowTexts(t!)).toEqual([['Fund', 'Budget', 'Executed'], ['A', '526', '713.64']]);
    expect(t!.place.box![0]).toBeCloseTo(72, 0);
    expect(t!.confidence).toBe(1);
  });

  it('finds a table without rules by its columns, with a lower confidence', async () => {
    const rows = [['Name', 'Budget', 'Executed'], ['Fund A', '526', '713.64'], ['Fund B', '', '20'], ['Fund C', '0', '0']];
    const pdf = makePdf([[text(72, 80, 'Funds of the year:'), ...rows.flatMap((r, k) => r.map((s, c) => text(72 + c * 150, 110 + k * 16, s)))]]);
    const model = await extractPdf(pdf);
    const [t] = tables(model);
    expect(t!.confidence).toBeLessThan(1);
    expect(rowTexts(t!)).toEqual(rows);
    expect(t!.rows[2]![1]!.place.box).toHaveLength(4); // an empty cell still has its slot
    expect(paragraphs(model)).toEqual(['Funds of the year:']);
  });

  it('reads a page whose content is turned 90° and prints fake bold once', async () => {
    const table = [
      text(76, 86, 'Item'), text(334, 86, 'Amount'),
      text(76, 106, 'Fund'), text(204, 106, 'Budget'), text(334, 106, '713.64'),
      ...[72, 92, 112].map((y) => hRule(72, 460, y)),
      vRule(72, 72, 112), vRule(460, 72, 112), vRule(330, 72, 112), vRule(200, 92, 112),
      text(72, 160, 'Bold words'), text(72.3, 160, 'Bold words'),
    ];
    const model = await extractPdf(makePdf([['q 0 1 -1 0 842 0 cm', ...table, 'Q']]));
    expect(rowTexts(tables(model)[0]!)).toEqual([['Item', 'Amount'], ['Fund', 'Budget', '713.64']]);
    expect(paragraphs(model)).toEqual(['Bold words']);
  });

  it('maps Kangxi radicals to ideographs and warns about characters without a Unicode mapping', async () => {
    const model = await extractPdf(makePdf([['BT /F2 10 Tf 72 700 Td (AC) Tj ET', 'BT /F2 10 Tf 72 600 Td (BB) Tj ET']]));
    expect(paragraphs(model)[0]).toBe('目标'); // U+76EE, not the radical U+2F6C
    expect(model.messages).toEqual([expect.objectContaining({ code: 'pdf-unmapped-glyphs', severity: 'warning', place: { page: 1 } })]);
    expect(model.messages[0]!.message).toMatch(/page 1: 2 characters/);
  });

  it('reports a scanned page as images without text runs (the OCR path takes it)', async () => {
    const image = 'q 200 0 0 200 72 500 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q';
    const doc = await loadPdf(makePdf([[image], [text(72, 100, 'Page two has text.')]]));
    try {
      expect(await readPage(doc, 1)).toMatchObject({ page: 1, runs: [], hasImages: true, width: 595, height: H });
      expect(await readPage(doc, 2)).toMatchObject({ page: 2, hasImages: false, runs: [{ str: 'Page two has text.' }] });
    } finally {
      await doc.destroy();
    }
  });

  it('reads a page turned by /Rotate 90 or 270 through the viewport, upright', async () => {
    const page = [text(72, 100, 'Item'), text(300, 100, 'Amount'), text(72, 130, 'A sideways page keeps its text.')];
    const model = await extractPdf(makePdf([page, page], ['/Rotate 90', '/Rotate 270']));
    expect(paragraphs(model).filter((p) => p.includes('sideways'))).toHaveLength(2);
    expect(model.blocks.map((b) => b.place.page)).toContain(2);
    expect(model.messages).toEqual([]);
  });

  it('keeps the readable pages of a PDF with a damaged page and names the lost page in a warning', async () => {
    const pages = [[text(72, 100, 'Page one survives.')], [text(72, 100, 'Page two is lost.')]];
    // the second kid points at no object (a flipped byte in an object number)
    const model = await extractPdf(makePdf(pages, [], '6 0 R 99 0 R'));
    expect(paragraphs(model)).toEqual(['Page one survives.']);
    expect(model.messages).toEqual([expect.objectContaining({ code: 'pdf-page-unreadable', severity: 'warning', stage: 'extract', place: { page: 2 } })]);
    expect(model.messages[0]!.message).toMatch(/page 2 could not be read/);
    // when no page can be read, nothing is kept: the file is corrupt
    const none = await extractPdf(makePdf(pages, [], '98 0 R 99 0 R')).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: ErrorCode.corrupt, message: expect.stringMatching(/page 1/) });
  });

  it('warns when the pages have text but none of it could be laid out; slanted text alone is no text layer', async () => {
    // a running header and a page number on every page and nothing else: all of it is page furniture
    const furniture = (n: number) => [text(72, 40, 'Annual Report 2022', 8), text(280, 815, `- ${n} -`)];
    const model = await extractPdf(makePdf([furniture(1), furniture(2), furniture(3)]));
    expect(model.blocks).toEqual([]);
    expect(model.messages).toEqual([expect.objectContaining({ code: 'pdf-text-not-laid-out', severity: 'warning', place: { page: 1 } })]);
    const slanted = 'BT /F1 40 Tf 0.7071 0.7071 -0.7071 0.7071 150 300 Tm (DRAFT COPY) Tj ET';
    await expect(extractPdf(makePdf([[slanted]]))).rejects.toMatchObject({ code: ErrorCode.noTextLayer });
    // beside other text the watermark is left out without a warning
    const withBody = await extractPdf(makePdf([[slanted, text(72, 100, 'Body text.')]]));
    expect([paragraphs(withBody), withBody.messages]).toEqual([['Body text.'], []]);
  });

  it('maps truncated and corrupt files to their error codes', async () => {
    const whole = reportPdf();
    const cut = await extractPdf(whole.subarray(0, whole.length >> 1)).catch((e: unknown) => e);
    expect(cut).toMatchObject({ code: ErrorCode.truncated });
    const junk = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4000, 0x41), Buffer.from('\n%%EOF\n')]));
    const bad = await extractPdf(junk).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: ErrorCode.corrupt });
    expect((bad as Error).message).toMatch(/PDF/);
  });
});

const hasSoffice = (() => {
  try {
    execFileSync('which', ['soffice'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSoffice)('extractPdf on LibreOffice output', () => {
  let dir = '';
  const html = `<html><body><p>预算支出绩效自评表</p><p>　　为加强医疗保障基金管理，提高资金使用效益，根据有关规定开展绩效自评，现将有关情况报告如下，请审阅并提出宝贵意见，谢谢。</p>
<table border="1" cellspacing="0"><tr><td colspan="2">项目名称</td><td>医保经费</td></tr><tr><td rowspan="2">资金</td><td>年初预算数</td><td>713.64</td></tr><tr><td>执行率</td><td>95%</td></tr></table></body></html>`;
  const run = (args: string[]) => execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--infilter=HTML (StarWriter)', ...args, '--outdir', dir, path.join(dir, 'page.html')], { stdio: 'ignore', timeout: 120_000 });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-test-'));
    fs.writeFileSync(path.join(dir, 'page.html'), html);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads CJK text, paragraphs without spaces between characters and a merged-cell table', async () => {
    run(['--convert-to', 'pdf:writer_pdf_Export']);
    const model = await extractPdf(new Uint8Array(fs.readFileSync(path.join(dir, 'page.pdf'))));
    expect(paragraphs(model).map(squash)).toEqual(['预算支出绩效自评表', squash('为加强医疗保障基金管理，提高资金使用效益，根据有关规定开展绩效自评，现将有关情况报告如下，请审阅并提出宝贵意见，谢谢。')]);
    expect(paragraphs(model)[1]).not.toMatch(/[\u4e00-\u9fff] [\u4e00-\u9fff]/);
    const [t] = tables(model);
    expect(rowTexts(t!)).toEqual([
      ['项目名称', '医保经费'],
      ['资金', '年初预算数', '713.64'],
      ['^', '执行率', '95%'],
    ]);
    expect(t!.rows[0]![0]!.colSpan).toBe(2);
  }, 120_000);

  it('refuses a password-protected PDF', async () => {
    fs.mkdirSync(path.join(dir, 'enc'), { recursive: true });
    execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--infilter=HTML (StarWriter)', '--convert-to', 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}', '--outdir', path.join(dir, 'enc'), path.join(dir, 'page.html')], { stdio: 'ignore', timeout: 120_000 });
    const err = await extractPdf(new Uint8Array(fs.readFileSync(path.join(dir, 'enc', 'page.pdf')))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.encrypted });
  }, 120_000);
});

describe('startsParagraph', () => {
  const frame = { left: 72, right: 523, pitch: 1.5 };
  // a line of `text` at the margin, 12pt, `n`-th line of page 1; full width unless x1 is given
  const line = (n: number, text: string, x1 = 523, x0 = 72): PageLine => ({ runs: [], text, x0, x1, top: 100 + n * 18 - 10, bottom: 100 + n * 18 + 2, base: 100 + n * 18, size: 12, page: 1 });
  const full = line(0, '填表人：孟雅琪      填报日期：2024 年 6 月 12 日      联系电话：0817-3325016');

  it('starts a paragraph at an attachment label, a form title or a chapter heading after a full line', () => {
    expect(startsParagraph(full, line(1, '附件 2', 110), frame, null)).toBe(true);
    expect(startsParagraph(full, line(1, '2023 年度部门整体支出绩效自评表', 400, 150), frame, null)).toBe(true);
    const title = line(0, '青岗县农业农村局 2023 年度高标准农田建设项目绩效自评报告', 515, 80);
    expect(startsParagraph(title, line(1, '一、项目基本情况', 170), frame, null)).toBe(true);
  });

  it('keeps the wrapped tail of a sentence in its paragraph', () => {
    const wrapping = line(0, '全县各乡镇均按时完成了年度任务，其中第一季度和第');
    expect(startsParagraph(wrapping, line(1, '一、二季度完成情况较好。', 220), frame, 72)).toBe(false);
    expect(startsParagraph(wrapping, line(1, '二季度的资金拨付进度明显快于上年同期，全年预算执行率达到 98.6%，较上年提高 3 个百分点', 523), frame, 72)).toBe(false);
    expect(startsParagraph(line(0, '项目绩效评价结果详见附件 2 所列的项目支出绩效自评'), line(1, '表', 84), frame, 72)).toBe(false);
  });

  it('joins a sentence over a page break but never over a page that was not read (damaged, or a scan read by OCR)', () => {
    const last = { ...line(40, '全县各乡镇均按时完成了年度任务，其中第一季度和第'), page: 1 };
    const tail = { ...line(0, '二季度的资金拨付进度明显快于上年同期，全年预算执行率达到 98.6%，较上年提高 3 个百分点'), page: 2 };
    expect(startsParagraph(last, tail, frame, 72)).toBe(false);
    expect(startsParagraph(last, { ...tail, page: 3 }, frame, 72)).toBe(true);
  });
});

// ---- the shared corpus: doc.pdf was printed from the same report as dump-gbk.txt ----
const CORPUS = '/work/shared/corpus';
const folders = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((d) => fs.existsSync(path.join(CORPUS, d, 'doc.pdf')) && fs.existsSync(path.join(CORPUS, d, 'dump-gbk.txt'))) : [];
const rowKey = (r: Cell[]) => r.map((c) => squash(c.text)).join('|');

describe.skipIf(folders.length === 0)('extractPdf on the shared corpus', () => {
  it.each(folders)('%s: the rows and paragraphs of the text dump', async (folder) => {
    const pdf = DocModel.parse(await extractPdf(new Uint8Array(fs.readFileSync(path.join(CORPUS, folder, 'doc.pdf')))));
    const dump = extractText(new Uint8Array(fs.readFileSync(path.join(CORPUS, folder, 'dump-gbk.txt'))));
    const pdfRows = new Set(tables(pdf).flatMap((t) => t.rows.map(rowKey)));
    const dumpRows = tables(dump).flatMap((t) => t.rows.map(rowKey));
    if (dumpRows.length === 0) expect(pdfRows.size).toBe(0);
    else expect(dumpRows.filter((r) => pdfRows.has(r)).length / dumpRows.length).toBeGreaterThanOrEqual(0.97);
    const pdfParas = new Set(paragraphs(pdf).map(squash));
    const dumpParas = paragraphs(dump).map(squash).filter(Boolean);
    expect(dumpParas.filter((p) => pdfParas.has(p)).length / dumpParas.length).toBeGreaterThanOrEqual(0.97);
    for (const b of pdf.blocks) {
      const places = b.type === 'table' ? b.rows.flat().map((c) => c.place) : [b.place];
      for (const p of places) {
        expect(p.page).toBeGreaterThan(0);
        expect(p.box).toHaveLength(4);
      }
    }
  }, 60_000);
});
