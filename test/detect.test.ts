import { describe, expect, it } from 'vitest';
import { detectFormat } from '../src/detect.js';

const bytes = (...parts: Array<number[] | string | Buffer>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p))));

describe('detectFormat: by content, never by name', () => {
  it.each([
    ['pdf', bytes('%PDF-1.7\n1 0 obj')],
    ['png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF')],
    ['tiff', bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])],
    ['tiff', bytes([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8])],
    ['gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['doc', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], new Array(504).fill(0))],
    ['rtf', bytes('  {\\rtf1\\ansi 项目}')],
  ])('%s magic', (expected, data) => {
    expect(detectFormat(data)).toBe(expected);
  });

  it('BMP needs a plausible DIB header size after the "BM" magic', () => {
    const bmp = Buffer.alloc(60);
    bmp.write('BM');
    bmp[14] = 40; // BITMAPINFOHEADER
    expect(detectFormat(bmp)).toBe('bmp');
    // a text file that happens to start with "BM" is text
    expect(detectFormat(bytes('BM项目支出绩效自评表，2023年度，单位：万元'))).toBe('text');
  });

  it('a zip is a .docx only when it holds word/document.xml', () => {
    const local = (name: string) => bytes([0x50, 0x4b, 0x03, 0x04], new Array(26).fill(0), name);
    expect(detectFormat(local('word/document.xml'))).toBe('docx');
    expect(detectFormat(bytes(local('[Content_Types].xml'), 'PK\x01\x02', 'word/document.xml'))).toBe('docx');
    expect(detectFormat(local('xl/workbook.xml'))).toBe('zip');
  });

  it('a PDF header after a few bytes of junk is still a PDF', () => {
    expect(detectFormat(bytes([0x0d, 0x0a, 0x00, 0x00], '%PDF-1.4\n'))).toBe('pdf');
  });

  it.each([
    ['doctype', '<!DOCTYPE html>\n<html><body><p>项目</p></body></html>'],
    ['bare html tag with leading space', '\n  <HTML><BODY><TABLE><TR><TD>1</TD></TR></TABLE></BODY></HTML>'],
    ['UTF-8 BOM', '\uFEFF<html><body><div>x</div></body></html>'],
    ['XML prolog (XHTML)', '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>'],
    ['comment first (Word "Save as Web Page")', '<!-- saved from url --><html><body><p>x</p></body></html>'],
    ['fragment starting with <meta>', '<meta charset="gbk"><table><tr><td>1</td></tr></table>'],
    ['XML prolog then DOCTYPE (XHTML 1.0)', '<?xml version="1.0" encoding="gb2312"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>'],
    ['fragment starting with <table> (cut out of a portal page)', '<table border="1"><tr><td>项目名称</td><td>1</td></tr></table>'],
  ])('HTML: %s', (_name, html) => {
    expect(detectFormat(Buffer.from(html, 'utf8'))).toBe('html');
  });

  it('HTML saved as UTF-16 ("Unicode" web page) is HTML, not a text dump', () => {
    const page = '<html><head><meta charset="unicode"></head><body><p>项目</p></body></html>';
    expect(detectFormat(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page, 'utf16le')]))).toBe('html');
    expect(detectFormat(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(page, 'utf16le').swap16()]))).toBe('html');
    // an odd byte count (a cut-off file) must not throw
    expect(detectFormat(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page, 'utf16le'), Buffer.from([0x41])]))).toBe('html');
  });

  it('an HTML-looking start without any block element is not HTML', () => {
    expect(detectFormat(bytes('<!-- 注释 -->\n一、部门概况\n'))).toBe('text');
  });

  it('text: UTF-8 Chinese, GB18030 bytes, UTF-16 with BOM', () => {
    expect(detectFormat(bytes('一、部门概况\n\t项目名称\n'))).toBe('text');
    expect(detectFormat(Buffer.from('d2bba1a2b2bfc3c5b8c5bff6', 'hex'))).toBe('text'); // 一、部门概况 in GB18030
    expect(detectFormat(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('项目\n', 'utf16le')]))).toBe('text');
    expect(detectFormat(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('项目\n', 'utf16le').swap16()]))).toBe('text');
  });

  it('UTF-16 without a BOM is text (and HTML when it is a page); 16-bit binary numbers are not', () => {
    const dump = '一、部门概况\n\t项目名称\n\t年度预算\n\t713.64\n';
    expect(detectFormat(Buffer.from(dump, 'utf16le'))).toBe('text');
    expect(detectFormat(Buffer.from(dump, 'utf16le').swap16())).toBe('text');
    expect(detectFormat(Buffer.from('<html><body><p>项目</p></body></html>', 'utf16le'))).toBe('html');
    const samples = Buffer.alloc(4096);
    for (let i = 0; i < samples.length; i += 2) samples[i] = (i * 37) & 0xff; // little-endian values below 256
    expect(detectFormat(samples)).toBe('binary');
  });

  it('binary: NUL bytes or many control bytes; empty: no bytes', () => {
    expect(detectFormat(bytes('abc', [0], 'def'))).toBe('binary');
    expect(detectFormat(Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 8 === 0 ? 0x01 : 0x41))))).toBe('binary');
    expect(detectFormat(new Uint8Array(0))).toBe('empty');
  });

  it('reads a view into a larger buffer from its own offset', () => {
    const backing = Buffer.from('xxxx%PDF-1.4 word/document.xml');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, backing.length - 4);
    expect(detectFormat(view)).toBe('pdf');
    // the entry name sits in the backing store before the view: this zip holds no document.xml
    const zipBacking = Buffer.concat([Buffer.from('word/document.xml'), Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from('a.txt')]);
    expect(detectFormat(zipBacking.subarray(17))).toBe('zip');
  });
});
