import { describe, expect, it } from 'vitest';
import { cleanText, foldWidth, isEmptyMark, isPlaceholder, parseDate, parseNumber, squash } from '../src/normalize/text.js';

describe('cleanText', () => {
  it('drops Word bookmark residue', () => {
    expect(cleanText('[bookmark: _Toc15396600]一、部门概况')).toBe('一、部门概况');
    expect(cleanText('项目[bookmark: OLE_LINK1]名称[bookmark:_GoBack]')).toBe('项目名称');
  });
  it('drops zero-width characters, soft hyphens and stray BOMs', () => {
    expect(cleanText('\ufeff项\u200b目\u200d名\u2060称\u00ad')).toBe('项目名称');
  });
  it('U+3000 and NBSP become spaces and are trimmed at line ends', () => {
    expect(cleanText('\u3000\u3000项目\u3000名称\u00a0')).toBe('项目 名称');
    expect(cleanText('\u3000')).toBe('');
  });
  it('keeps line structure: CRLF normalised, each line trimmed, outer blank lines gone', () => {
    expect(cleanText('\r\n  12580 \r\n 人\t\r\n\n')).toBe('12580\n人');
    expect(cleanText('第一行\n\n第三行')).toBe('第一行\n\n第三行');
  });
  it('keeps full-width Chinese punctuation and digits as printed', () => {
    expect(cleanText('（一）部门职责：１２．５％')).toBe('（一）部门职责：１２．５％');
  });
});

describe('foldWidth and squash', () => {
  it('full-width digits, letters and ASCII punctuation fold to half-width', () => {
    expect(foldWidth('１２．５％ＡＢｃ（）')).toBe('12.5%ABc()');
  });
  it('squash removes every kind of white space', () => {
    expect(squash('项 目\u3000名\u00a0称\n（万元）')).toBe('项目名称(万元)');
  });
});

describe('parseNumber', () => {
  it.each([
    ['5,730,218.79', 5730218.79],
    ['713.64', 713.64],
    ['135.5%', 135.5],
    ['\u3000100%', 100],
    ['≥95%', 95],
    ['≧90％', 90],
    ['１２．５％', 12.5],
    ['10分', 10],
    ['526万元', 526],
    ['-12.5', -12.5],
    ['0.95', 0.95],
    [' 3,000 ', 3000],
    ['.5', 0.5],
  ])('%j -> %d', (raw, expected) => {
    expect(parseNumber(raw)).toBe(expected);
  });

  it.each([
    ['≧**人'], ['6-9'], ['——'], ['-'], ['/'], ['无'], [''], ['\u3000'], ['…'],
    ['1,23'], ['12,3456'], ['2023年'], ['约100-200万元'], ['优'], ['100%以上'], ['1.2.3'],
  ])('%j -> null', (raw) => {
    expect(parseNumber(raw)).toBeNull();
  });

  it('null and undefined give null', () => {
    expect(parseNumber(null)).toBeNull();
    expect(parseNumber(undefined)).toBeNull();
  });
});

describe('parseDate', () => {
  it.each([
    ['2023年7月4日', '2023-07-04'],
    ['2024.6.26', '2024-06-26'],
    ['2024-06-26', '2024-06-26'],
    ['2024/6/26', '2024-06-26'],
    ['填报日期：2023 年 12 月 31 日', '2023-12-31'],
    ['２０２３年７月４日', '2023-07-04'],
    ['2023年7月', '2023-07'],
  ])('%j -> %s', (raw, expected) => {
    expect(parseDate(raw)).toBe(expected);
  });

  it.each([['2023年13月1日'], ['2023年7月32日'], ['1800年1月1日'], ['713.64'], ['无'], ['']])('%j -> null', (raw) => {
    expect(parseDate(raw)).toBeNull();
  });
});

describe('empty marks and placeholders', () => {
  it('isEmptyMark: dashes, slashes, 无', () => {
    for (const s of ['——', '-', '—', '/', '／', '无', ' 无 ', '', '……']) expect(isEmptyMark(s), s).toBe(true);
    for (const s of ['0', '无锡市', '100%', '—5']) expect(isEmptyMark(s), s).toBe(false);
  });
  it('isPlaceholder: ellipsis rows the template leaves', () => {
    for (const s of ['……', '…', '...', '。。。', '\u3000']) expect(isPlaceholder(s), s).toBe(true);
    for (const s of ['——', '项目', '1.']) expect(isPlaceholder(s), s).toBe(false);
  });
});
