import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Block, Paragraph, Table } from '../schemas/model.js';
import { extractDocx } from '../extractors/docx.js';
import { extractText } from '../extractors/text.js';
import { defaultLimits, type ExtractContext } from '../src/formats.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { contentTypes, documentXml, makeDocx, packageRels, para } from './fixtures/hostile/docx.js';
import { makeZip } from './fixtures/hostile/zip.js';

const fixture = fs.readFileSync(new URL('./fixtures/word/report.docx', import.meta.url));
const ctx = (limits: Partial<ExtractContext['limits']> = {}): ExtractContext => ({ source: 't.docx', limits: { ...defaultLimits, ...limits } });
const tables = (blocks: Block[]) => blocks.filter((b): b is Table => b.type === 'table');
const paragraphs = (blocks: Block[]) => blocks.filter((b): b is Paragraph => b.type === 'paragraph');
const grid = (t: Table | undefined) => t?.rows.map((r) => r.map((c) => c.text));
const shape = (t: Table | undefined) => t?.rows.map((r) => r.map((c) => `${c.col}${c.continued ? '^' : ''}${c.colSpan > 1 ? `x${c.colSpan}` : ''}:${c.text}`));

async function refusal(p: Promise<unknown>): Promise<IngestError> {
  const err = await p.then(() => new Error('expected an IngestError'), (e: unknown) => e);
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}

/** A table from raw <w:tr> XML with a grid of `cols` columns. */
const tbl = (cols: number, rows: string) =>
  `<w:tbl><w:tblGrid>${'<w:gridCol w:w="1000"/>'.repeat(cols)}</w:tblGrid>${rows}</w:tbl>`;
const tc = (text: string, props = '') => `<w:tc><w:tcPr>${props}</w:tcPr>${para(text)}</w:tc>`;

describe('extractDocx: the fixture report (LibreOffice-made .docx)', () => {
  it('vertical merges become continued cells, horizontal merges one wide cell, as the dump prints them', async () => {
    const m = await extractDocx(fixture, ctx());
    expect(m.format).toBe('docx');
    const [t] = tables(m.blocks);
    expect(shape(t)?.slice(2, 6)).toEqual([
      ['0:项目资金\n（万元）', '1:', '2:年初预算数', '3:全年预算数', '4:全年执行数', '5:分值', '6:执行率', '7x2:得分'],
      ['0^:', '1:年度资金总额', '2:80', '3:120', '4:114', '5:10', '6:95%', '7x2:9.5'],
      ['0^:', '1:其中：当年财政拨款', '2:80', '3:100', '4:96', '5:', '6:96%', '7x2:'],
      ['0^:', '1:其他资金', '2:0', '3:20', '4:18', '5:', '6:90%', '7x2:'],
    ]);
    expect(grid(t)?.[12]).toEqual(['', '', '社会效益指标', '技术培训人次', '≥300人次', '326人次', '10', '9', '培训与农忙冲突\n下年度错峰安排']);
    expect(t?.rows[12]?.[1]).toMatchObject({ continued: true, col: 1, place: { table: 0, row: 12, col: 1 } });
  });

  it('paragraphs: one per Word paragraph, bookmarks gone, headings as hints', async () => {
    const m = await extractDocx(fixture, ctx());
    const ps = paragraphs(m.blocks);
    expect(ps.slice(0, 3).map((p) => p.text)).toEqual(['附件2', '项目支出绩效自评表', '（2023年度）']);
    expect(ps.find((p) => p.text === '一、项目基本情况')?.headingHint).toBe(1);
    expect(ps.find((p) => p.text.startsWith('溪口镇林下经济'))?.text).toBe('溪口镇林下经济示范基地建设项目由青溪县林业技术推广站实施，全年预算120万元。');
  });

  it('is deterministic: the same bytes give the same model', async () => {
    expect(await extractDocx(fixture, ctx())).toEqual(await extractDocx(fixture, ctx()));
  });
});

describe('extractDocx: table grids mammoth gets wrong, repaired', () => {
  it('w:gridBefore: a vertical merge in a row that starts late continues the right column', async () => {
    const xml = documentXml(tbl(3,
      `<w:tr>${tc('甲')}${tc('乙', '<w:vMerge w:val="restart"/>')}${tc('丙')}</w:tr>` +
      `<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>${tc('', '<w:vMerge/>')}${tc('丁')}</w:tr>`));
    const m = await extractDocx(makeDocx(xml), ctx());
    // unrepaired, mammoth merges the continuation into 甲 (column 0) and puts 丁 in column 1
    expect(shape(tables(m.blocks)[0])).toEqual([['0:甲', '1:乙', '2:丙'], ['1^:', '2:丁']]);
    expect(tables(m.blocks)[0]?.rows[0]?.[1]?.rowSpan).toBe(2);
    expect(m.messages.filter((x) => x.code === 'docx-table-grid')).toEqual([]);
  });

  it('legacy w:hMerge pieces become one wide cell', async () => {
    const xml = documentXml(tbl(3,
      `<w:tr>${tc('合并', '<w:hMerge w:val="restart"/>')}${tc('', '<w:hMerge/>')}${tc('右')}</w:tr>` +
      `<w:tr>${tc('a')}${tc('b')}${tc('c')}</w:tr>`));
    const m = await extractDocx(makeDocx(xml), ctx());
    expect(shape(tables(m.blocks)[0])).toEqual([['0x2:合并', '2:右'], ['0:a', '1:b', '2:c']]);
  });

  it('a row that does not fill the table grid gets a warning with the table location', async () => {
    const xml = documentXml(para('前言') + tbl(4,
      `<w:tr>${tc('a')}${tc('b')}${tc('c')}${tc('d')}</w:tr>` +
      `<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>${tc('x')}</w:tr>`));
    const m = await extractDocx(makeDocx(xml), ctx());
    expect(m.messages.filter((x) => x.code === 'docx-table-grid')).toMatchObject([
      { severity: 'warning', stage: 'extract', place: { table: 0 }, message: expect.stringMatching(/table 1, row 2/) },
    ]);
  });
});

describe('extractDocx: Word auto-numbering printed as a text dump prints it', () => {
  const numbering =
    '<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    '<w:abstractNum w:abstractNumId="0">' +
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>' +
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>' +
    '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>' +
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>';
  const numbered = (numId: number, ilvl: number, text: string) =>
    `<w:p><w:pPr><w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr></w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;

  it('labels from w:lvlText with counters per level; Chinese counting in arabic, then a space; bullets as "· "', async () => {
    const body = numbered(1, 0, '部门概况') + numbered(1, 1, '主要职能') + numbered(1, 1, '机构设置') + numbered(1, 0, '收支情况') +
      numbered(1, 1, '收入') + numbered(2, 0, '要点') + para('正文');
    const data = makeZip([
      { name: '[Content_Types].xml', data: contentTypes },
      { name: '_rels/.rels', data: packageRels },
      { name: 'word/document.xml', data: documentXml(body) },
      { name: 'word/numbering.xml', data: numbering },
    ]);
    const m = await extractDocx(data, ctx());
    expect(paragraphs(m.blocks).map((p) => p.text)).toEqual(['1、 部门概况', '（1） 主要职能', '（2） 机构设置', '2、 收支情况', '（1） 收入', '· 要点', '正文']);
  });
});

describe('extractDocx: messages and refusals', () => {
  it("mammoth's messages become model messages; unknown styles are info", async () => {
    const xml = documentXml('<w:p><w:pPr><w:pStyle w:val="ReportBody"/></w:pPr><w:r><w:t>正文</w:t></w:r></w:p>');
    const m = await extractDocx(makeDocx(xml), ctx());
    expect(m.messages).toEqual([
      { code: 'docx-conversion', message: expect.stringMatching(/ReportBody was referenced but not defined/), severity: 'info', stage: 'extract' },
      { code: 'docx-conversion', message: expect.stringMatching(/Unrecognised paragraph style.*ReportBody/), severity: 'info', stage: 'extract' },
    ]);
  });

  it('content mammoth skips (imported chunks, embedded objects) is reported, not silently lost', async () => {
    const xml = documentXml(para('正文') + '<w:altChunk r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>' +
      '<w:p><w:r><w:object w:dxaOrig="100" w:dyaOrig="100"/></w:r></w:p>');
    const m = await extractDocx(makeDocx(xml), ctx());
    expect(m.messages.filter((x) => x.code === 'docx-unread-content').map((x) => x.message)).toEqual([
      expect.stringMatching(/^1 imported document chunk/),
      expect.stringMatching(/^1 embedded object/),
    ]);
  });

  it('declared sizes over the limit: zip-bomb before inflating', async () => {
    const err = await refusal(extractDocx(fixture, ctx({ maxUnzippedBytes: 1000 })));
    expect(err.code).toBe(ErrorCode.zipBomb);
    expect(err.message).toMatch(/declares \d+ uncompressed bytes .* over the 1000-byte limit/);
  });

  it('sizes that lie: zip-bomb while inflating, at the limit', async () => {
    const data = makeDocx(documentXml(para('数'.repeat(1000)).repeat(200)), { declaredSize: 100 });
    const err = await refusal(extractDocx(data, ctx({ maxUnzippedBytes: 100_000 })));
    expect([err.code, err.message]).toEqual([ErrorCode.zipBomb, expect.stringMatching(/inflates past the 100000-byte limit/)]);
  });

  it('cut short: truncated-file, saying so', async () => {
    const err = await refusal(extractDocx(fixture.subarray(0, fixture.length - 200), ctx()));
    expect(err.code).toBe(ErrorCode.truncated);
    expect(err.message).toMatch(/cut short/);
  });

  it('damaged compressed data: corrupt-file naming the part', async () => {
    const data = Buffer.from(makeDocx(documentXml(para('正文'.repeat(500)))));
    const at = data.indexOf('word/document.xml') + 'word/document.xml'.length; // the first local header's data
    for (let i = at + 10; i < at + 40; i++) data[i] = 0x55;
    const err = await refusal(extractDocx(data, ctx()));
    expect(err.code).toBe(ErrorCode.corrupt);
    expect(err.message).toMatch(/word\/document\.xml/);
  });

  it('a zip without word/document.xml: corrupt-file', async () => {
    const data = makeDocx(documentXml(para('x')));
    data.write('word/documenX.xml', data.indexOf('word/document.xml'));
    data.write('word/documenX.xml', data.lastIndexOf('word/document.xml'));
    const err = await refusal(extractDocx(data, ctx()));
    expect([err.code, err.message]).toEqual([ErrorCode.corrupt, expect.stringMatching(/no word\/document\.xml/)]);
  });
});

const corpus = '/work/shared/corpus';
describe.skipIf(!fs.existsSync(corpus))('corpus .docx vs the text dump of the same report', () => {
  it('paragraphs come out as in the dump: same texts in the same order', async () => {
    for (const name of fs.readdirSync(corpus)) {
      const dir = `${corpus}/${name}`;
      if (!fs.existsSync(`${dir}/doc.docx`) || !fs.existsSync(`${dir}/dump-gbk.txt`)) continue;
      const docx = await extractDocx(fs.readFileSync(`${dir}/doc.docx`), ctx());
      const dump = extractText(fs.readFileSync(`${dir}/dump-gbk.txt`));
      const texts = (blocks: Block[]) => paragraphs(blocks).map((p) => p.text.replace(/\s+/g, ''));
      expect(texts(docx.blocks), name).toEqual(texts(dump.blocks));
    }
  });
});
