import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Block, Paragraph, Table } from '../schemas/model.js';
import { decodeHtml, extractHtml } from '../extractors/html.js';
import { htmlToModel } from '../extractors/html-model.js';
import { extractDocx } from '../extractors/docx.js';
import { defaultLimits } from '../src/formats.js';
import { ErrorCode } from '../src/errors.js';

const tables = (blocks: Block[]) => blocks.filter((b): b is Table => b.type === 'table');
const paragraphs = (blocks: Block[]) => blocks.filter((b): b is Paragraph => b.type === 'paragraph');
const grid = (t: Table | undefined) => t?.rows.map((r) => r.map((c) => c.text));
const page = (body: string) => Buffer.from(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`, 'utf8');
/** GB18030 bytes, written out: Node has no GB encoder */
const gbBytes: Record<string, number[]> = {
  项目: [0xcf, 0xee, 0xc4, 0xbf], // GBK two-byte
  '𠀀': [0x95, 0x32, 0x82, 0x36], // GB18030 four-byte (U+20000)
};

describe('decodeHtml: declared and detected charsets', () => {
  const gbPage = (meta: string) =>
    Buffer.concat([Buffer.from(`<html><head>${meta}</head><body><p>`), Buffer.from([...gbBytes['项目']!, ...gbBytes['𠀀']!]), Buffer.from('</p></body></html>')]);

  it('<meta charset="gb2312"> decodes as GB18030, so 4-byte sequences survive', () => {
    const d = decodeHtml(gbPage('<meta charset="gb2312">'));
    expect(d.encoding).toBe('gb18030');
    expect(d.text).toContain('<p>项目𠀀</p>');
    expect(d.messages).toEqual([]);
  });

  it('http-equiv Content-Type with charset=GBK', () => {
    const d = decodeHtml(gbPage('<meta http-equiv="Content-Type" content="text/html; charset=GBK">'));
    expect(d.text).toContain('项目𠀀');
  });

  it('no declaration: strict UTF-8 first, then GB18030', () => {
    expect(decodeHtml(Buffer.from('<p>项目</p>', 'utf8'))).toMatchObject({ encoding: 'utf-8', text: '<p>项目</p>' });
    expect(decodeHtml(gbPage(''))).toMatchObject({ encoding: 'gb18030' });
  });

  it('declared UTF-8 that is really GBK: decoded as GB18030 with a warning', () => {
    const d = decodeHtml(gbPage('<meta charset="utf-8">'));
    expect(d.text).toContain('项目𠀀');
    expect(d.messages).toMatchObject([{ code: 'html-charset', severity: 'warning', stage: 'extract' }]);
  });

  it('a BOM overrides the declaration', () => {
    const d = decodeHtml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<meta charset="gbk"><p>项目</p>', 'utf8')]));
    expect(d).toMatchObject({ encoding: 'utf-8' });
    expect(d.text).toContain('项目');
  });

  it('bytes that are neither UTF-8 nor GB18030 with no declaration: unreadable-file', () => {
    expect(() => decodeHtml(Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0xff, 0xff, 0x3c]))).toThrow(expect.objectContaining({ code: ErrorCode.unreadable }));
  });
});

describe('htmlToModel: tables as a text dump prints them', () => {
  it('rowspan slots become continued empty cells in later rows; colspan stays one cell; col is the grid column', () => {
    const m = extractHtml(page(`<table>
      <tr><td rowspan="3">绩效指标</td><td>一级指标</td><td colspan="2">三级指标</td><td rowspan="2">分值</td></tr>
      <tr><td rowspan="2">产出指标</td><td>数量</td><td>10</td></tr>
      <tr><td>质量</td><td>20</td><td>5</td></tr>
    </table>`));
    const [t] = tables(m.blocks);
    expect(grid(t)).toEqual([
      ['绩效指标', '一级指标', '三级指标', '分值'],
      ['', '产出指标', '数量', '10', ''],
      ['', '', '质量', '20', '5'],
    ]);
    const shape = t?.rows.map((r) => r.map((c) => [c.col, c.colSpan, c.rowSpan, c.continued]));
    expect(shape).toEqual([
      [[0, 1, 3, false], [1, 1, 1, false], [2, 2, 1, false], [4, 1, 2, false]],
      [[0, 1, 1, true], [1, 1, 2, false], [2, 1, 1, false], [3, 1, 1, false], [4, 1, 1, true]],
      [[0, 1, 1, true], [1, 1, 1, true], [2, 1, 1, false], [3, 1, 1, false], [4, 1, 1, false]],
    ]);
    expect(t?.rows[1]?.[2]?.place).toEqual({ table: 0, row: 1, col: 2 });
  });

  it('a rowspan of a wide cell leaves one continued cell as wide; a rowspan past the last row is clamped', () => {
    const [t] = tables(extractHtml(page('<table><tr><td colspan="2" rowspan="9">合并</td><td>a</td></tr><tr><td>b</td></tr></table>')).blocks);
    expect(t?.rows.map((r) => r.map((c) => [c.text, c.col, c.colSpan, c.rowSpan, c.continued]))).toEqual([
      [['合并', 0, 2, 2, false], ['a', 2, 1, 1, false]],
      [['', 0, 2, 1, true], ['b', 2, 1, 1, false]],
    ]);
  });

  it('cell text: paragraphs and <br> become line breaks, blank lines and bookmark anchors go', () => {
    const [t] = tables(extractHtml(page('<table><tr><td><p>全年</p><p>　</p><p><a name="_GoBack"></a>执行数<br/>（万元）</p></td></tr></table>')).blocks);
    expect(grid(t)).toEqual([['全年\n执行数\n（万元）']]);
  });

  it('a small grid nested in a form cell is flattened into that cell, one line per row, and gets no table index', () => {
    const m = extractHtml(page('<table><tr><td>资金</td><td>外<table><tr><td>甲</td><td>1</td></tr><tr><td>乙</td><td>2</td></tr></table></td></tr></table><table><tr><td>后</td></tr></table>'));
    const ts = tables(m.blocks);
    expect(ts.map(grid)).toEqual([[['资金', '外\n甲 1\n乙 2']], [['后']]]);
    expect(ts.map((t) => t.place.table)).toEqual([0, 1]);
    expect(m.messages).toMatchObject([{ code: 'nested-table', severity: 'info', stage: 'extract', place: { table: 0, row: 0, col: 1 } }]);
  });

  it('a layout table (portal page frame) is unwrapped: its article paragraphs and data tables come out as blocks', () => {
    const m = extractHtml(page(`<table><tr><td><a href="/">首页</a></td><td>信息公开</td></tr>
      <tr><td colspan="2"><div><h1>一、部门概况</h1><p>正文一段。</p><table><tr><td>项目名称</td><td>示例</td></tr></table><p>填表人：张三</p></div></td></tr></table>`));
    expect(m.blocks.map((b) => (b.type === 'paragraph' ? b.text : grid(b)))).toEqual([
      '首页', '信息公开', '一、部门概况', '正文一段。', [['项目名称', '示例']], '填表人：张三',
    ]);
    expect(tables(m.blocks)[0]?.place.table).toBe(0);
  });

  it('a one-column frame around a table is unwrapped; hidden elements are skipped', () => {
    const m = extractHtml(page('<table><tr><td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table><div style="display: none"><p>菜单</p></div><p hidden>隐藏</p>'));
    expect(m.blocks.map((b) => (b.type === 'paragraph' ? b.text : grid(b)))).toEqual([[['a', 'b']]]);
  });

  it('a one-cell table holding only a page number ("-1-") is layout, not a table', () => {
    const m = extractHtml(page('<table><tr><td>-1-</td></tr></table><table><tr><td>1</td></tr></table>'));
    expect(tables(m.blocks).map(grid)).toEqual([[['1']]]);
  });
});

describe('htmlToModel: paragraphs as a text dump prints them', () => {
  it('one paragraph per block, headings as hints only, empty paragraphs dropped, <br> splits lines', () => {
    const m = extractHtml(page('<h1>一、部门概况</h1><p><br/></p><p>第一行<br>第二行</p><div><span>（一）</span>主要职能</div><h2><a id="_Toc1"></a>（二）重点工作</h2>'));
    expect(paragraphs(m.blocks).map((p) => [p.text, p.headingHint])).toEqual([
      ['一、部门概况', 1],
      ['第一行', undefined],
      ['第二行', undefined],
      ['（一）主要职能', undefined],
      ['（二）重点工作', 2],
    ]);
    expect(m.blocks.map((b) => b.place.block)).toEqual([0, 1, 2, 3, 4]);
  });

  it('source line wraps collapse to one space; a literal TAB between inline elements stays a TAB', () => {
    const m = extractHtml(page('<p>其中：\n\t\t\t\t 一般公共预算</p><p><span>收入</span>\t<span>5996.78</span></p>'));
    expect(paragraphs(m.blocks).map((p) => p.text)).toEqual(['其中： 一般公共预算', '收入\t5996.78']);
  });

  it('mammoth output keeps its literal spacing (no collapsing)', () => {
    const m = htmlToModel('<p>其中：  一般</p>', { collapseWhitespace: false });
    expect(m.blocks).toMatchObject([{ type: 'paragraph', text: '其中：  一般' }]);
  });

  it('script, style and head text never become paragraphs', () => {
    const m = extractHtml(Buffer.from('<html><head><title>标题</title><style>p{}</style></head><body><script>var a=1</script><p>正文</p></body></html>'));
    expect(paragraphs(m.blocks).map((p) => p.text)).toEqual(['正文']);
  });
});

const corpus = '/work/shared/corpus';
describe.skipIf(!fs.existsSync(corpus))('LibreOffice HTML export vs the .docx of the same report', () => {
  it('every corpus report gives the same blocks, spans and merges from doc.html as from doc.docx', async () => {
    for (const name of fs.readdirSync(corpus)) {
      const dir = `${corpus}/${name}`;
      if (!fs.existsSync(`${dir}/doc.html`) || !fs.existsSync(`${dir}/doc.docx`)) continue;
      const html = extractHtml(fs.readFileSync(`${dir}/doc.html`));
      const docx = await extractDocx(fs.readFileSync(`${dir}/doc.docx`), { source: name, limits: defaultLimits });
      // LibreOffice wraps long HTML lines at spaces, so white space runs may differ: compare without it
      const shape = (blocks: Block[]) => JSON.stringify(blocks, (k, v) => (k === 'text' && typeof v === 'string' ? v.replace(/\s+/g, '') : v));
      expect(shape(html.blocks), name).toBe(shape(docx.blocks));
    }
  });
});
