// Legacy .doc (OLE2): LibreOffice converts it to .docx, then the .docx path builds the model, so
// tables keep their merges. Without LibreOffice, word-extractor still reads the text of Word 97+
// files, but tables come out flattened: the model says so in a warning instead of guessing a grid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Block, DocModel, Message } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import type { ExtractContext } from '../src/formats.js';
import { cleanText } from '../src/normalize/text.js';
import { docxToModel, errorText } from './docx.js';
import { classifyWordOle, type WordFlavour } from './ole2.js';

/** Upper bound for one conversion, below the per-document limit: a hung soffice must not eat it all. */
const SOFFICE_TIMEOUT_MS = 120_000;
const INSTALL_HINT = 'install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)';

export async function extractDoc(bytes: Uint8Array, ctx: ExtractContext): Promise<DocModel> {
  const flavour = classifyWordOle(bytes);
  const soffice = findSoffice();
  if (!soffice) {
    const failure = 'soffice not found on PATH';
    if (flavour !== 'word97') throw new IngestError(ErrorCode.missingTool, `${versionName(flavour)} document needs LibreOffice to convert it (${failure}); ${INSTALL_HINT}`);
    return fallbackText(bytes, failure, ErrorCode.missingTool);
  }
  const converted = await convertToDocx(soffice, bytes, ctx);
  if ('docx' in converted) return docxToModel(converted.docx, ctx, 'doc');
  // LibreOffice is there and ran: a file it cannot load is damaged (or not really Word), a missing tool is not the reason
  const code = converted.timedOut ? ErrorCode.timeout : ErrorCode.corrupt;
  if (flavour !== 'word97') throw new IngestError(code, `LibreOffice cannot convert this ${versionName(flavour)} document: ${converted.failure}`);
  return fallbackText(bytes, converted.failure, code);
}

/**
 * RTF: Word's "Save as RTF", and what many export systems write under a .doc name. LibreOffice
 * converts it as it converts a .doc; the record's format is 'doc', the family users file it under.
 */
export async function extractRtf(bytes: Uint8Array, ctx: ExtractContext): Promise<DocModel> {
  const soffice = findSoffice();
  if (!soffice) throw new IngestError(ErrorCode.missingTool, `RTF needs LibreOffice to convert it (soffice not found on PATH); ${INSTALL_HINT}`);
  const converted = await convertToDocx(soffice, bytes, ctx);
  if (!('docx' in converted)) {
    throw new IngestError(converted.timedOut ? ErrorCode.timeout : ErrorCode.corrupt, `LibreOffice cannot convert this RTF: ${converted.failure}`);
  }
  const model = await docxToModel(converted.docx, ctx, 'doc');
  const note: Message = { code: 'rtf-converted', message: 'content is RTF, read through LibreOffice; stored with format "doc"', severity: 'info', stage: 'extract' };
  return { ...model, messages: [note, ...model.messages] };
}

// word-extractor reads only the Word 97 format
const versionName = (flavour: WordFlavour) => (flavour === 'word6-95' ? 'Word 6.0/95' : 'Word 2.0 or older');

/** soffice from $DOCINGEST_SOFFICE (tests point it elsewhere), else the first on PATH. */
export function findSoffice(): string | null {
  const override = process.env.DOCINGEST_SOFFICE;
  if (override !== undefined) return isExecutable(override) ? override : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['soffice', 'libreoffice']) {
      const candidate = path.join(dir, name);
      if (dir !== '' && isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * One conversion in a fresh temporary directory with its own LibreOffice profile: soffice instances
 * sharing a profile hand their work to whichever instance holds the profile lock, or fail, so
 * parallel workers would collide. The directory is removed afterwards.
 */
async function convertToDocx(soffice: string, bytes: Uint8Array, ctx: ExtractContext): Promise<{ docx: Uint8Array } | { failure: string; timedOut: boolean }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-doc-'));
  try {
    const input = path.join(dir, 'input.doc');
    const outDir = path.join(dir, 'out');
    fs.writeFileSync(input, bytes);
    const args = [
      `-env:UserInstallation=${pathToFileURL(path.join(dir, 'profile')).href}`,
      '--headless', '--invisible', '--norestore', '--nolockcheck', '--nodefault', '--nologo',
      '--convert-to', 'docx:MS Word 2007 XML', '--outdir', outDir, input,
    ];
    // 80% of the document's limit: a conversion that hangs still leaves time for the text fallback,
    // and soffice is killed here before the pool would kill this process and orphan soffice's group
    const timeoutMs = Math.min(Math.floor(ctx.limits.timeoutMs * 0.8), SOFFICE_TIMEOUT_MS);
    const run = await runProcess(soffice, args, timeoutMs, ctx.signal, dir);
    const output = path.join(outDir, 'input.docx');
    if (fs.existsSync(output)) return { docx: fs.readFileSync(output) };
    // "Warning: failed to launch javaldx" is printed by every run without Java: not the reason
    const said = run.stderr.split('\n').filter((l) => l.trim() !== '' && !/javaldx/.test(l)).join('; ').slice(-300);
    const failure = run.timedOut ? `soffice did not finish within ${run.timeoutMs} ms` : `soffice produced no .docx (exit ${run.code ?? run.signal}: ${said || 'no message'})`;
    return { failure, timedOut: run.timedOut };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  timeoutMs: number;
}

/** Run a command in its own process group, killing the whole group (oosplash and soffice.bin) on timeout or abort. */
function runProcess(command: string, args: string[], timeoutMs: number, signal: AbortSignal | undefined, home: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new IngestError(ErrorCode.timeout, 'extraction was aborted before LibreOffice started'));
      return;
    }
    // HOME points into the temporary directory too: LibreOffice writes caches there
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: home } });
    let stderr = '';
    let timedOut = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = () => killGroup();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code: null, signal: null, stderr: err.message, timedOut: false, timeoutMs });
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new IngestError(ErrorCode.timeout, 'extraction was aborted while LibreOffice was converting'));
      else resolve({ code, signal: sig, stderr, timedOut, timeoutMs });
    });
  });
}

interface WordExtractorDocument {
  getBody(): string;
}
type WordExtractorClass = new () => { extract(source: Buffer): Promise<WordExtractorDocument> };

/** Text without structure: one paragraph per line, table rows flattened to their cells' text. */
async function fallbackText(bytes: Uint8Array, failure: string, code: ErrorCode): Promise<DocModel> {
  const WordExtractor = createRequire(import.meta.url)('word-extractor') as WordExtractorClass;
  let body: string;
  try {
    const doc = await new WordExtractor().extract(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    body = doc.getBody();
  } catch (err) {
    const reason = errorText(err);
    const hint = code === ErrorCode.missingTool ? `; ${INSTALL_HINT}` : '';
    throw new IngestError(code, `cannot convert the .doc (${failure}) and word-extractor cannot read it (${reason})${hint}`, { cause: err });
  }
  const blocks: Block[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    // a table row is its cells' text, each ended by a TAB
    const text = cleanText(line.split('\t').map((cell) => cell.trim()).filter((cell) => cell !== '').join(' '));
    if (text !== '') blocks.push({ type: 'paragraph', text, place: { block: blocks.length } });
  }
  return {
    format: 'doc',
    blocks,
    messages: [{
      code: 'doc-structure-lost',
      message: `LibreOffice could not convert the .doc (${failure}): text read with word-extractor, tables flattened to lines${code === ErrorCode.missingTool ? `; ${INSTALL_HINT}` : ''}`,
      severity: 'warning',
      stage: 'extract',
    }],
  };
}
