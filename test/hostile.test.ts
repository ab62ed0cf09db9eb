// Hostile and broken inputs, made here in a temp folder, run the way a real run does (an ExtractionPool:
// stat, child process, timeout). Each must end in its own clear error code, or a correct record:
// never a crash of the run, never a hang, never a generic internal error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detected } from '../src/detect.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { extractors, type Limits } from '../src/formats.js';
import { ExtractionPool } from '../src/isolate.js';
import { documentXml, makeDocx, para, sampleBody, table } from './fixtures/hostile/docx.js';
import { makeEncryptedPdf, makeTextPdf } from './fixtures/hostile/pdf.js';
import { makeZip } from './fixtures/hostile/zip.js';
import { findSoffice } from '../extractors/doc.js';
import { createCanvas } from '@napi-rs/canvas';
import { chunk, makePngHeader, PNG_SIGNATURE } from './fixtures/hostile/png.js';

let dir: string;
const pool = new ExtractionPool({ concurrency: 2 });
/** generous enough for a slow shared machine, short enough that a hang fails the test, not the suite */
const timeoutMs = 60_000;

beforeAll(() => {
  // the folder name itself has spaces and Chinese characters
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest 恶意 输入 '));
});
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, data: Buffer | string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

async function run(name: string, data: Buffer | string, limits: Partial<Limits> = {}) {
  const p = write(name, data);
  return pool.extract(p, name, { limits: { timeoutMs, ...limits } });
}

async function refusal(name: string, data: Buffer | string, limits: Partial<Limits> = {}): Promise<IngestError> {
  const err = await run(name, data, limits).then(
    (r) => new Error(`expected an error, got a ${r.document.format} record`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}

/** deterministic noise: no magic, NULs included */
function noise(length: number, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0x01;
  return out;
}

const has = (format: Detected) => extractors[format] !== undefined;

describe('hostile inputs: no format needed', () => {
  it('0-byte file: empty-file', async () => {
    const err = await refusal('空文件.docx', '');
    expect([err.code, err.message]).toEqual([ErrorCode.empty, 'file is empty (0 bytes)']);
  });

  it('random bytes: unsupported-format, whatever the name says', async () => {
    const err = await refusal('random.pdf', noise(64 * 1024));
    expect([err.code, err.message]).toEqual([ErrorCode.unsupported, 'content is binary data of no known document format, which docingest cannot read']);
  });

  it('UTF-16 LE / BE and GB18030 text dumps are read, not refused', async () => {
    const dump = '一、部门概况\n\t项目名称\n\t示例项目\n';
    const files: Array<[string, Buffer]> = [
      ['utf16le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(dump, 'utf16le')])],
      ['utf16be.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(dump, 'utf16le').swap16()])],
      ['gb18030 文本.txt', Buffer.from('d2bba1a2b2bfc3c5b8c5bff60a09cfeec4bfc3fbb3c60a09cabedcfdcfeec4bf0a', 'hex')],
    ];
    for (const [name, data] of files) {
      const record = await run(name, data);
      expect(record.document, name).toMatchObject({ format: 'text', source: name });
    }
  });

  it('a dump cut inside a character or with a damaged byte is read, with a warning; Big5 and Shift-JIS are refused, not read as nonsense', async () => {
    const dump = '一、部门概况\n\t项目名称\n\t示例项目\n\t年度预算\n\t713.64\n二、绩效目标完成情况\n';
    const gb = Buffer.from('d2bba1a2b2bfc3c5b8c5bff60a09cfeec4bfc3fbb3c60a', 'hex'); // 一、部门概况 / TAB 项目名称
    const cutUtf8 = Buffer.from(`${dump.repeat(20)}完`, 'utf8').subarray(0, -1); // cut inside the last character
    const damagedGb = Buffer.concat([gb, gb, gb, gb, Buffer.from([0xff]), gb, gb, gb, gb]);
    for (const [name, data, encoding] of [['cut.txt', cutUtf8, 'utf-8'], ['damaged-gbk.txt', damagedGb, 'gb18030']] as const) {
      const record = await run(name, data);
      expect(record.document.format, name).toBe('text');
      expect(record.warnings, name).toContainEqual(expect.objectContaining({ code: 'text-encoding', message: expect.stringContaining(`1 invalid byte sequence(s) for ${encoding}`) }));
    }
    // "項目名稱 年度預算 部門概況" in Big5 and in Shift-JIS: both also decode as GB18030, into nonsense
    const big5 = Buffer.from('b6b5a5d8a657bad920a67eabd7b977bae220b3a1aaf9b7a7aa7020'.repeat(6), 'hex');
    const sjis = Buffer.from('8d8096da96bce26920944e937897618e5a20959496e58a548bb520'.repeat(6), 'hex');
    for (const [name, data] of [['big5.txt', big5], ['sjis.txt', sjis]] as const) {
      const err = await refusal(name, data);
      expect([err.code, err.message], name).toEqual([ErrorCode.unreadable, expect.stringMatching(/Big5 or Shift-JIS/)]);
    }
  });

  it('UTF-8 Chinese cut inside its last character, though also valid GB18030, is read as UTF-8 (text and HTML)', async () => {
    const title = '2022年度部门整体支出绩效自评报告';
    const body = `${'项目名称年度预算'.repeat(10)}完`;
    const cut = (s: string) => Buffer.from(s, 'utf8').subarray(0, -1);
    const text = await run('cut-cjk.txt', cut(`${title}\n${body}`));
    const html = await run('cut-cjk.html', cut(`<html><head><meta charset="utf-8"></head><body><p>${title}</p><p>${body}`));
    for (const record of [text, html]) {
      expect(record.document.title).toBe(title);
      expect(record.warnings).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/invalid byte sequence/) }));
    }
  });

  it('UTF-16 text without a BOM is read as text, not refused as binary', async () => {
    const dump = '2022年度部门整体支出绩效自评报告\n一、部门概况\n\t项目名称\n\t示例项目\n\t年度预算\n\t713.64\n';
    for (const [name, data] of [['le.txt', Buffer.from(dump, 'utf16le')], ['be.txt', Buffer.from(dump, 'utf16le').swap16()]] as const) {
      const record = await run(name, data);
      expect(record.document, name).toMatchObject({ format: 'text', title: '2022年度部门整体支出绩效自评报告', fiscalYear: 2022 });
    }
  });

  it('UTF-32 LE with its BOM (which begins like UTF-16 LE\'s) is decoded as UTF-32', async () => {
    const dump = '2022年度部门整体支出绩效自评报告\n';
    const utf32 = Buffer.alloc(4 + [...dump].length * 4);
    utf32.writeUInt32LE(0xfeff, 0);
    [...dump].forEach((ch, i) => utf32.writeUInt32LE(ch.codePointAt(0)!, 4 + i * 4));
    const record = await run('utf32.txt', utf32);
    expect(record.document).toMatchObject({ format: 'text', title: '2022年度部门整体支出绩效自评报告' });
  });

  it('a file deleted while the run is under way: unreadable-file "file vanished", the others still extract', async () => {
    const names = ['一.txt', '二 被删除.txt', '三.txt'];
    const listed = names.map((n) => write(n, `\t${n}\n`)); // the run lists its files first
    const outcomes: string[] = [];
    for (const [i, p] of listed.entries()) {
      if (i === 1) fs.rmSync(p); // gone after the listing, before its turn
      outcomes.push(
        await pool.extract(p, names[i]!, { limits: { timeoutMs } }).then(
          (r) => `ok ${r.document.source}`,
          (e: IngestError) => `${e.code} ${e.message}`,
        ),
      );
    }
    expect(outcomes).toEqual(['ok 一.txt', `${ErrorCode.unreadable} file vanished: ${listed[1]}`, 'ok 三.txt']);
  });
});

describe.skipIf(!has('docx'))('hostile .docx', () => {
  it('a well-formed .docx extracts (the baseline the hostile ones are cut from)', async () => {
    const record = await run('正常 文档.docx', makeDocx(documentXml(sampleBody)));
    expect(record.document.format).toBe('docx');
  });

  it('zip bomb, honest headers: zip-bomb from the central directory, before inflating', async () => {
    const huge = documentXml(para('x'.repeat(1000)).repeat(20_000)); // ~20 MB, deflates to ~60 KB
    const err = await refusal('bomb.docx', makeDocx(huge), { maxUnzippedBytes: 5 * 1024 * 1024 });
    expect(err.code).toBe(ErrorCode.zipBomb);
    expect(err.message).toMatch(/over the 5242880-byte limit/);
  });

  it('zip bomb that lies about its size in the headers: zip-bomb when inflating passes the limit', async () => {
    const huge = documentXml(para('x'.repeat(1000)).repeat(20_000));
    const data = makeDocx(huge, { declaredSize: 4096 });
    expect(data.length).toBeLessThan(200_000);
    const err = await refusal('lying-bomb.docx', data, { maxUnzippedBytes: 5 * 1024 * 1024 });
    expect(err.code).toBe(ErrorCode.zipBomb);
    expect(err.message).toMatch(/5242880-byte limit/);
  });

  it('billion laughs in document.xml: no expansion, no hang', async () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const prolog = `<!DOCTYPE w:document [${levels.join('')}]>`;
    const data = makeDocx(documentXml(para('&lol9;') + table([['项目名称', '示例项目']]), prolog));
    const outcome = await run('laughs.docx', data).then(
      (r) => ({ ok: true as const, size: JSON.stringify(r).length }),
      (e: IngestError) => ({ ok: false as const, code: e.code, message: e.message }),
    );
    // either refused as a damaged document, or read with the entity left unexpanded
    if (outcome.ok) expect(outcome.size).toBeLessThan(1_000_000);
    else expect(outcome.code, outcome.message).toBe(ErrorCode.corrupt);
  });

  it('a .docx cut before any byte of word/document.xml: truncated-file, not "unsupported zip"; an .xlsx renamed .docx is named as one', async () => {
    const whole = makeDocx(documentXml(sampleBody.repeat(50)));
    const err = await refusal('cut-early.docx', whole.subarray(0, 100)); // only [Content_Types].xml has begun
    expect([err.code, err.message]).toEqual([ErrorCode.truncated, expect.stringMatching(/cut short/)]);
    const xlsx = makeZip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'xl/workbook.xml', data: '<workbook/>' }]);
    const wrong = await refusal('表格.docx', xlsx);
    expect([wrong.code, wrong.message]).toEqual([ErrorCode.unsupported, 'content is an Excel workbook (.xlsx), not a Word document']);
  });

  it('truncated .docx (a download cut short): truncated-file', async () => {
    const whole = makeDocx(documentXml(sampleBody.repeat(50)));
    const err = await refusal('truncated.docx', whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(err.code).toBe(ErrorCode.truncated);
    expect(err.message).toMatch(/cut short/);
  });

  it('tables nested 3,000 deep in document.xml: corrupt-file, not a crash', async () => {
    const body = '<w:tbl><w:tr><w:tc>'.repeat(3000) + para('最深处') + '</w:tc></w:tr></w:tbl>'.repeat(3000);
    const err = await refusal('nested.docx', makeDocx(documentXml(body)));
    expect(err.code).toBe(ErrorCode.corrupt);
  });

  it('document.xml that is not XML: corrupt-file', async () => {
    const err = await refusal('garbled.docx', makeDocx(noise(4096)));
    expect(err.code).toBe(ErrorCode.corrupt);
    // one line: `docingest failures` prints one failure a line (xmldom appends "\n@#[line:…]")
    expect(err.message).not.toMatch(/[\n\t]/);
  });
});

describe.skipIf(!has('doc'))('hostile .doc', () => {
  it('an OLE2 header followed by garbage: a clear refusal, not an internal error', async () => {
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), noise(8 * 1024)]);
    const err = await refusal('garbage.doc', ole2);
    expect([ErrorCode.corrupt, ErrorCode.truncated]).toContain(err.code);
  });

  it('an OLE2 header listing more FAT sectors than it has (a damaged count): corrupt-file, not truncated-file', async () => {
    const doc = Buffer.from(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/word/report.doc')));
    doc.writeUInt32LE(doc.readUInt32LE(0x2c) + 1, 0x2c); // the next header slot holds the FREE marker
    const err = await refusal('fat-count.doc', doc);
    expect([err.code, err.message]).toEqual([ErrorCode.corrupt, expect.stringMatching(/marker 0xffffffff/)]);
  });

  it.skipIf(!findSoffice())('a .doc LibreOffice cannot load (a Word 6 header on Word 97 content): corrupt-file, not missing-tool', async () => {
    const doc = Buffer.from(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/word/report.doc')));
    let fib = 512;
    while (!(doc[fib] === 0xec && doc[fib + 1] === 0xa5)) fib += 512;
    doc.writeUInt16LE(0xa5dc, fib);
    doc.writeUInt16LE(101, fib + 2);
    const err = await refusal('word6.doc', doc);
    expect([err.code, err.message]).toEqual([ErrorCode.corrupt, expect.stringMatching(/^LibreOffice cannot convert this Word 6\.0\/95 document: soffice produced no \.docx/)]);
    expect(err.message).not.toMatch(/javaldx|apt-get/);
  });

  it.skipIf(!findSoffice())('RTF saved under a .doc name (export systems do so) is read through LibreOffice, not refused', async () => {
    const rtf = '{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0 2022\\u24180?\\u24230?\\par}'; // 2022年度
    const record = await run('导出.doc', rtf);
    expect(record.document.format).toBe('doc');
    expect(record.warnings).toContainEqual(expect.objectContaining({ code: 'rtf-converted' }));
    expect(record.document.fiscalYear).toBe(2022);
  });

  it('an OLE2 file cut inside its 512-byte header: truncated-file', async () => {
    const err = await refusal('cut.doc', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]));
    expect(err.code).toBe(ErrorCode.truncated);
  });
});

describe.skipIf(!has('pdf'))('hostile .pdf', () => {
  const lines = ['Budget 713.64', 'Rate 135.5%'];

  it('a PDF named .docx is read as a PDF', async () => {
    const record = await run('实为PDF.docx', makeTextPdf(lines));
    expect(record.document.format).toBe('pdf');
  });

  it('encrypted PDF: encrypted', async () => {
    const err = await refusal('encrypted.pdf', makeEncryptedPdf(lines));
    expect(err.code).toBe(ErrorCode.encrypted);
    expect(err.message).toMatch(/password/);
  });

  it('truncated PDF: truncated-file', async () => {
    const whole = makeTextPdf(lines);
    const err = await refusal('truncated.pdf', whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(err.code).toBe(ErrorCode.truncated);
    expect(err.message).toMatch(/truncated/);
  });

  it('a PDF header followed by garbage: a clear refusal, not an internal error', async () => {
    const err = await refusal('garbage.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), noise(32 * 1024)]));
    expect([ErrorCode.corrupt, ErrorCode.truncated]).toContain(err.code);
  });
});

describe.skipIf(!has('html'))('hostile .html', () => {
  it('HTML named .pdf is read as HTML', async () => {
    const record = await run('实为网页.pdf', '<!DOCTYPE html><html><body><p>项目支出绩效自评表</p><table><tr><td>项目名称</td><td>示例</td></tr></table></body></html>');
    expect(record.document.format).toBe('html');
  });

  it('HTML saved as .doc (old web systems export so) and UTF-16 HTML named .txt are read as HTML', async () => {
    const page = '<html><body><p>项目支出绩效自评表</p><table><tr><td>项目名称</td><td>示例</td></tr></table></body></html>';
    expect((await run('导出.doc', page)).document.format).toBe('html');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page, 'utf16le')]);
    expect((await run('unicode-page.txt', utf16)).document.format).toBe('html');
  });

  it('a wrong <meta charset> (iso-8859-1 on a GBK page, gb2312 on a UTF-8 one) does not turn the page into nonsense', async () => {
    // 项目支出绩效自评表 / 项目名称 / 713.64 in GBK, after a declaration that is wrong
    const gbkBody = (meta: string) => Buffer.concat([
      Buffer.from(`<html><head>${meta}</head><body><p>`),
      Buffer.from('cfeec4bfd6a7b3f6bca8d0a7d7d4c6c0b1ed', 'hex'),
      Buffer.from('</p><table><tr><td>'),
      Buffer.from('cfeec4bfc3fbb3c6', 'hex'),
      Buffer.from('</td><td>713.64</td></tr></table></body></html>'),
    ]);
    const utf8Body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>项目支出绩效自评表</p><table><tr><td>项目名称</td><td>713.64</td></tr></table></body></html>';
    const pages: Array<[string, Buffer]> = [
      ['gbk-declared-latin1.html', gbkBody('<meta charset="iso-8859-1">')],
      ['gbk-declared-big5.html', gbkBody('<meta charset="big5">')],
      ['utf8-declared-gb2312.html', Buffer.from(utf8Body, 'utf8')],
    ];
    for (const [name, data] of pages) {
      const record = await run(name, data);
      expect(JSON.stringify(record), name).toContain('项目支出绩效自评表');
      expect(record.warnings, name).toContainEqual(expect.objectContaining({ code: 'html-charset', message: expect.stringMatching(/^page declares .* but its bytes are/) }));
    }
  });

  it('tables nested 5,000 deep: corrupt-file, not a stack overflow; 300 deep still reads', async () => {
    const nested = (depth: number) => `<html><body>${'<table><tr><td>'.repeat(depth)}最深处${'</td></tr></table>'.repeat(depth)}</body></html>`;
    const err = await refusal('nested.html', nested(5000));
    expect([err.code, err.message]).toEqual([ErrorCode.corrupt, 'HTML nests elements more than 2000 levels deep']);
    expect((await run('nested-300.html', nested(300))).document.format).toBe('html');
  });
});

describe.skipIf(!has('png'))('hostile images', () => {
  it('a PNG whose header claims 50,000 × 50,000 pixels: image-too-large, refused by its header', async () => {
    const started = Date.now();
    const err = await refusal('huge.png', makePngHeader(50_000, 50_000));
    expect(err.code).toBe(ErrorCode.tooManyPixels);
    expect(err.message).toMatch(/50000/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  // @napi-rs/canvas segfaults (PNG) or aborts on a Rust panic (JPEG) on these instead of throwing:
  // the image extractor must refuse them before decoding, so they get their own code, not "crashed"
  it('a PNG cut before its image data: truncated-file; a PNG without IDAT: corrupt-file', async () => {
    const cut = await refusal('cut.png', makePngHeader(100, 100).subarray(0, 33));
    expect([cut.code, cut.message]).toEqual([ErrorCode.truncated, 'PNG is cut short before its image data']);
    const header = makePngHeader(100, 100).subarray(8, 33); // the IHDR chunk
    const noData = await refusal('no-idat.png', Buffer.concat([PNG_SIGNATURE, header, chunk('IEND', Buffer.alloc(0))]));
    expect([noData.code, noData.message]).toEqual([ErrorCode.corrupt, 'PNG has no image data (no IDAT chunk)']);
  });

  it('a JPEG cut before its start-of-scan header: truncated-file', async () => {
    const canvas = createCanvas(200, 100);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 200, 100);
    const jpeg = await canvas.encode('jpeg', 80);
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect(sos).toBeGreaterThan(0);
    const err = await refusal('cut.jpg', jpeg.subarray(0, sos + 6));
    expect(err.code).toBe(ErrorCode.truncated);
    expect(err.message).toMatch(/^JPEG is cut short before its image data/);
  });

  // a decoder fills the missing rows of an image cut inside its data with blank: OCR would find no
  // text and the scan would pass as an empty document
  it('a PNG or JPEG cut inside its image data (no IEND chunk, no end-of-image marker): truncated-file', async () => {
    const canvas = createCanvas(300, 200);
    const g = canvas.getContext('2d');
    for (let y = 0; y < 200; y += 4) {
      g.fillStyle = y % 8 ? '#fff' : '#333';
      g.fillRect(0, y, 300, 4);
    }
    const png = await canvas.encode('png');
    const pngCut = await refusal('cut-data.png', png.subarray(0, Math.floor(png.length * 0.5)));
    expect([pngCut.code, pngCut.message]).toEqual([ErrorCode.truncated, expect.stringMatching(/^PNG is cut short inside its image data: no IEND/)]);
    const jpeg = await canvas.encode('jpeg', 90);
    const jpegCut = await refusal('cut-data.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.8)));
    expect([jpegCut.code, jpegCut.message]).toEqual([ErrorCode.truncated, expect.stringMatching(/^JPEG is cut short inside its image data/)]);
  });
});
