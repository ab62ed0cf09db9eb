// Hostile and broken inputs, made here in a temp folder, run the way a real run does (extractIsolated:
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
  });
});

describe.skipIf(!has('doc'))('hostile .doc', () => {
  it('an OLE2 header followed by garbage: a clear refusal, not an internal error', async () => {
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), noise(8 * 1024)]);
    const err = await refusal('garbage.doc', ole2);
    expect([ErrorCode.corrupt, ErrorCode.truncated]).toContain(err.code);
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
});
