import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Paragraph } from '../schemas/model.js';
import { extractDoc, findSoffice } from '../extractors/doc.js';
import { extractDocx } from '../extractors/docx.js';
import { defaultLimits, type ExtractContext } from '../src/formats.js';
import { ErrorCode, IngestError } from '../src/errors.js';

const doc = fs.readFileSync(new URL('./fixtures/word/report.doc', import.meta.url));
const docx = fs.readFileSync(new URL('./fixtures/word/report.docx', import.meta.url));
const ctx = (limits: Partial<ExtractContext['limits']> = {}): ExtractContext => ({ source: 't.doc', limits: { ...defaultLimits, ...limits } });
const hasSoffice = findSoffice() !== null;

async function refusal(p: Promise<unknown>): Promise<IngestError> {
  const err = await p.then(() => new Error('expected an IngestError'), (e: unknown) => e);
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}

/** The Word file information block starts the WordDocument stream: find it at a sector start. */
function fibOffset(bytes: Buffer): number {
  for (let at = 512; at < bytes.length; at += 512) if (bytes[at] === 0xec && bytes[at + 1] === 0xa5) return at;
  throw new Error('no FIB in fixture');
}

/** Rename the WordDocument directory entry (UTF-16LE name, then its byte length at +0x40). */
function renameStream(bytes: Buffer, name: string): Buffer {
  const out = Buffer.from(bytes);
  const at = out.indexOf(Buffer.from('WordDocument', 'utf16le'));
  out.fill(0, at, at + 64);
  out.write(name, at, 'utf16le');
  out.writeUInt16LE((name.length + 1) * 2, at + 0x40);
  return out;
}

describe.skipIf(!hasSoffice)('extractDoc with LibreOffice', () => {
  it('converts to .docx and yields the same blocks as the .docx of the same report', async () => {
    const fromDoc = await extractDoc(doc, ctx());
    const fromDocx = await extractDocx(docx, ctx());
    expect(fromDoc.format).toBe('doc');
    expect(fromDoc.blocks).toEqual(fromDocx.blocks);
    expect(fromDoc.messages.filter((m) => m.severity !== 'info')).toEqual([]);
  });

  it('runs in parallel without profile collisions, leaving nothing behind in the temporary folder', async () => {
    const saved = process.env.TMPDIR;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-tmpdir-'));
    process.env.TMPDIR = tmp; // os.tmpdir() reads it on every call
    try {
      const [a, b] = await Promise.all([extractDoc(doc, ctx()), extractDoc(doc, ctx())]);
      expect(a.blocks).toEqual(b.blocks);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('extractDoc without a working LibreOffice', () => {
  let dir: string;
  const saved = process.env.DOCINGEST_SOFFICE;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-fake-soffice-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCINGEST_SOFFICE;
    else process.env.DOCINGEST_SOFFICE = saved;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fakeSoffice = (script: string) => {
    const file = path.join(dir, `soffice-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  };

  it('soffice missing: word-extractor text, tables flattened, with a warning that structure was lost', async () => {
    process.env.DOCINGEST_SOFFICE = path.join(dir, 'no-such-soffice');
    const m = await extractDoc(doc, ctx());
    expect(m.format).toBe('doc');
    expect(m.blocks.every((b) => b.type === 'paragraph')).toBe(true);
    const texts = m.blocks.map((b) => (b as Paragraph).text);
    expect(texts).toContain('一、项目基本情况');
    expect(texts).toContain('项目名称 溪口镇林下经济示范基地建设');
    expect(m.messages).toMatchObject([{ code: 'doc-structure-lost', severity: 'warning', stage: 'extract', message: expect.stringMatching(/soffice not found.*apt-get install libreoffice-writer-nogui/) }]);
  });

  it('soffice that hangs is killed at the timeout, then the text fallback runs', async () => {
    process.env.DOCINGEST_SOFFICE = fakeSoffice('sleep 60');
    const started = Date.now();
    const m = await extractDoc(doc, ctx({ timeoutMs: 2000 }));
    expect(Date.now() - started).toBeLessThan(15_000);
    // 80% of the document's limit, so the fallback still fits in it
    expect(m.messages[0]?.message).toMatch(/did not finish within 1600 ms/);
  });

  it('soffice that fails says how, in the warning', async () => {
    process.env.DOCINGEST_SOFFICE = fakeSoffice('echo "Error: source file could not be loaded" >&2; exit 1');
    const m = await extractDoc(doc, ctx());
    expect(m.messages[0]?.message).toMatch(/exit 1: Error: source file could not be loaded/);
  });

  it('Word 6/95 without LibreOffice: missing-tool naming what to install', async () => {
    process.env.DOCINGEST_SOFFICE = path.join(dir, 'no-such-soffice');
    const word95 = Buffer.from(doc);
    const fib = fibOffset(word95);
    word95.writeUInt16LE(0xa5dc, fib);
    word95.writeUInt16LE(104, fib + 2);
    const err = await refusal(extractDoc(word95, ctx()));
    expect(err.code).toBe(ErrorCode.missingTool);
    expect(err.message).toMatch(/Word 6\.0\/95 .*apt-get install libreoffice-writer-nogui/);
  });
});

describe('extractDoc: OLE2 files that are not readable Word documents', () => {
  it('fEncrypted set in the Word header: encrypted', async () => {
    const encrypted = Buffer.from(doc);
    const fib = fibOffset(encrypted);
    encrypted.writeUInt16LE(encrypted.readUInt16LE(fib + 0x0a) | 0x0100, fib + 0x0a);
    const err = await refusal(extractDoc(encrypted, ctx()));
    expect([err.code, err.message]).toEqual([ErrorCode.encrypted, expect.stringMatching(/password/)]);
  });

  it('an encrypted .docx (OLE2 envelope with EncryptedPackage): encrypted', async () => {
    const err = await refusal(extractDoc(renameStream(doc, 'EncryptedPackage'), ctx()));
    expect(err.code).toBe(ErrorCode.encrypted);
  });

  it('an OLE2 file without a WordDocument stream: unsupported-format, listing what it holds', async () => {
    const err = await refusal(extractDoc(renameStream(doc, 'Workbook'), ctx()));
    expect([err.code, err.message]).toEqual([ErrorCode.unsupported, 'content is an Excel workbook, not a Word document']);
  });

  it('a truncated OLE2 file: truncated-file', async () => {
    const err = await refusal(extractDoc(doc.subarray(0, 4096), ctx()));
    expect(err.code).toBe(ErrorCode.truncated);
    expect(err.message).toMatch(/cut short/);
  });
});
