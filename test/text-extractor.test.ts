import { describe, expect, it } from 'vitest';
import type { Block, Table } from '../schemas/model.js';
import { decodeTextReport, extractText } from '../extractors/text.js';

const decodeText = (bytes: Uint8Array) => decodeTextReport(bytes).text;
import { ErrorCode, IngestError } from '../src/errors.js';

const model = (text: string) => extractText(Buffer.from(text, 'utf8'));
const tables = (blocks: Block[]) => blocks.filter((b): b is Table => b.type === 'table');
/** rows of cell texts */
const grid = (t: Table | undefined) => t?.rows.map((r) => r.map((c) => c.text));

describe('extractText: TAB-cell dumps', () => {
  it('a line starting with TAB is a cell; consecutive cells form a row', () => {
    const m = model('项目支出绩效自评表\n\t项目名称\n\t示例项目\n');
    expect(m.format).toBe('text');
    expect(m.blocks[0]).toMatchObject({ type: 'paragraph', text: '项目支出绩效自评表', place: { line: 1, block: 0 } });
    const [t] = tables(m.blocks);
    expect(grid(t)).toEqual([['项目名称', '示例项目']]);
    expect(t?.rows[0]?.[1]).toMatchObject({ col: 1, colSpan: 1, rowSpan: 1, continued: false, place: { table: 0, row: 0, col: 1, line: 3 } });
    expect(t?.place).toMatchObject({ table: 0, line: 2, block: 1 });
  });

  it('a single blank line inside a cell continues it ("项目支" / blank / "出名称")', () => {
    const [t] = tables(model('\t项目支\n\n出名称\n\t年初预算数\n').blocks);
    expect(grid(t)).toEqual([['项目支\n出名称', '年初预算数']]);
  });

  it('a line without TAB right after a cell is a line break inside it', () => {
    const [t] = tables(model('\t12580\n人\n\t100%\n').blocks);
    expect(grid(t)).toEqual([['12580\n人', '100%']]);
  });

  it('one blank line ends a row, two end the table', () => {
    const m = model('\tA\n\tB\n\n\tC\n\tD\n\n\n\tE\n');
    const ts = tables(m.blocks);
    expect(ts.map(grid)).toEqual([[['A', 'B'], ['C', 'D']], [['E']]]);
    expect(ts.map((t) => t.place.table)).toEqual([0, 1]);
    expect(ts[0]?.rows[1]?.[0]?.place).toMatchObject({ table: 0, row: 1, col: 0, line: 4 });
  });

  it('blank lines made of spaces count as blank; a TAB alone is an empty cell', () => {
    expect(tables(model('\tA\n  \n\tB\n').blocks).map(grid)).toEqual([[['A'], ['B']]]);
    expect(tables(model('\tA\n \r\n   \n\tB\n').blocks).map(grid)).toEqual([[['A']], [['B']]]);
    expect(tables(model('\tB\n\t\n\tC\n').blocks).map(grid)).toEqual([[['B', '', 'C']]]);
  });

  it('a line holding only U+3000 is content: it does not count as a blank', () => {
    // blank, "　", blank: with the U+3000 line the row ends once; without it the table would end
    expect(tables(model('\tA\n\n\u3000\n\n\tB\n').blocks).map(grid)).toEqual([[['A'], ['B']]]);
    expect(tables(model('\tA\n\n\n\tB\n').blocks).map(grid)).toEqual([[['A']], [['B']]]);
    // a padded empty cell followed by padding lines stays one empty cell
    expect(tables(model('\t100%\n\t\u3000\n\u3000\n\u3000\n\n\tX\n').blocks).map(grid)).toEqual([[['100%', ''], ['X']]]);
  });

  it('rows are ragged: a merged cell prints once', () => {
    const [t] = tables(model('\t一级指标\n\t二级指标\n\t三级指标\n\n\t产出指标（50分）\n\t数量指标\n\n\t质量指标\n').blocks);
    expect(t?.rows.map((r) => r.length)).toEqual([3, 2, 1]);
  });

  it('a paragraph after two blanks ends the table; paragraphs get block indices in order', () => {
    const m = model('一、部门概况\n\t编制数\n\t实有人数\n\n\n（一）部门职责\r\n\r\n正文第一段\r\n');
    expect(m.blocks.map((b) => b.type)).toEqual(['paragraph', 'table', 'paragraph', 'paragraph']);
    expect(m.blocks.map((b) => b.place.block)).toEqual([0, 1, 2, 3]);
    expect(m.blocks[2]).toMatchObject({ text: '（一）部门职责', place: { line: 6 } });
  });

  it('cell text is cleaned (bookmark residue, zero-width, U+3000 padding)', () => {
    const [t] = tables(model('\t[bookmark: _Toc15396600]\u3000项目名称\u200b\u3000\n').blocks);
    expect(grid(t)).toEqual([['项目名称']]);
  });

  it('a file of blank lines only gives no blocks', () => {
    expect(model('\n\n  \n').blocks).toEqual([]);
  });
});

describe('decodeText', () => {
  const text = '一、部门概况\t项目名称 金额𠀀';
  it('UTF-8 with and without BOM', () => {
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
  });
  it('UTF-16 LE and BE by BOM', () => {
    const le = Buffer.from(text, 'utf16le');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]))).toBe(text);
  });
  it('GB18030 (and so GBK) when the bytes are not UTF-8, 4-byte sequences included', () => {
    // "项目名称 金额𠀀": 𠀀 is the 4-byte sequence 95 32 82 36 that the 'gbk' decoder garbles
    expect(decodeText(Buffer.from('cfeec4bfc3fbb3c620bdf0b6ee95328236', 'hex'))).toBe('项目名称 金额𠀀');
  });
  it('bytes that are neither: unreadable-file', () => {
    const bad = Buffer.from([0x41, 0xff, 0xff, 0x41]);
    expect(() => decodeText(bad)).toThrow(IngestError);
    try {
      decodeText(bad);
    } catch (err) {
      expect((err as IngestError).code).toBe(ErrorCode.unreadable);
    }
  });
  it('the text extractor reads a GB18030 dump as a UTF-8 one', () => {
    const gb = extractText(Buffer.from('d2bba1a2b2bfc3c5b8c5bff60a09cfeec4bfc3fbb3c60a', 'hex'));
    expect(gb.blocks[0]).toMatchObject({ type: 'paragraph', text: '一、部门概况' });
    expect(grid(tables(gb.blocks)[0])).toEqual([['项目名称']]);
  });
});
