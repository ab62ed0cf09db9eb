// A run over files and folders: list (folders recursed, sorted), then per file: hash, skip what the
// store already holds for these bytes and this extractor version, extract, save or record the failure,
// go on. Extraction runs N at a time; every write happens on this thread, one document per
// transaction, so the database has a single writer and a run stopped at any point leaves each
// document either fully stored or as it was. Progress is reported through a callback, never printed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import PQueue from 'p-queue';
import type { DocumentRecord } from '../schemas/record.js';
import { asIngestError, ErrorCode } from './errors.js';
import type { Limits } from './formats.js';
import { ExtractionPool } from './isolate.js';
import { extract, EXTRACTOR_VERSION } from './pipeline.js';
import type { Failure, IngestTarget } from './store/index.js';

export type FileStatus = 'new' | 'updated' | 'unchanged' | 'failed';

export type IngestEvent =
  | { type: 'start'; total: number }
  | {
      type: 'file';
      source: string;
      status: FileStatus;
      /** set when status is 'failed' */
      error?: { code: string; message: string };
      /** the failure is the stored one of an earlier run (same bytes, same extractor): not retried */
      cached?: boolean;
      done: number;
      total: number;
      ms: number;
    };

export interface IngestOptions {
  /** documents extracted at once (default: the number of cores) */
  concurrency?: number;
  /** re-extract even documents stored with the same bytes and extractor version */
  force?: boolean;
  /** re-extract files whose stored failure is for these very bytes (a timeout on a busy machine) */
  retryFailed?: boolean;
  /** stops the run: files not yet saved are left as they were; resolves with `aborted: true` */
  signal?: AbortSignal;
  onProgress?: (event: IngestEvent) => void;
  limits?: Partial<Limits>;
  /**
   * 'process' (default): each document is extracted in a child process, so a parser that crashes or
   * hangs costs that document only. 'none': in this thread (faster start, for tests and tiny runs).
   */
  isolation?: 'process' | 'none';
  /** extra folder entries to skip (the store's own files are always skipped) */
  exclude?: string[];
}

export interface IngestSummary {
  total: number;
  new: number;
  updated: number;
  unchanged: number;
  failed: number;
  failures: Failure[];
  aborted: boolean;
  ms: number;
}

/** A path named on the command line that does not exist: a usage error, not a document failure. */
export class InputPathError extends Error {
  override readonly name = 'InputPathError';
  readonly code = 'path-not-found';
}

export async function ingest(store: IngestTarget, paths: string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const files = await listFiles(paths, [...ownFiles(store.file), ...(options.exclude ?? [])]);
  const summary: IngestSummary = { total: files.length, new: 0, updated: 0, unchanged: 0, failed: 0, failures: [], aborted: false, ms: 0 };
  onProgress?.({ type: 'start', total: files.length });

  const pool = options.isolation === 'none' ? null : new ExtractionPool({ concurrency });
  // The one place extraction is called; everything else here is bookkeeping.
  const extractOptions = { ...(options.limits ? { limits: options.limits } : {}), ...(signal ? { signal } : {}) };
  const extractFile = async (file: string): Promise<DocumentRecord> =>
    pool ? pool.extract(file, file, extractOptions) : extract(await fs.readFile(file), file, extractOptions);

  const queue = new PQueue({ concurrency });
  const onAbort = () => queue.clear();
  signal?.addEventListener('abort', onAbort, { once: true });
  /** an error of the store itself (disk full, database locked too long): stops the run, is rethrown */
  let fatal: { error: unknown } | null = null;
  let done = 0;
  const report = (source: string, status: FileStatus, t0: number, extra: { error?: Failure; cached?: boolean } = {}) => {
    summary[status]++;
    if (extra.error) summary.failures.push(extra.error);
    done++;
    onProgress?.({
      type: 'file',
      source,
      status,
      ...(extra.error ? { error: { code: extra.error.code, message: extra.error.message } } : {}),
      ...(extra.cached ? { cached: true } : {}),
      done,
      total: files.length,
      ms: Math.round(performance.now() - t0),
    });
  };

  const ingestOne = async (source: string) => {
    if (signal?.aborted || fatal) return;
    const t0 = performance.now();
    let meta: { size: number | null; mtime: string | null; extractorVersion: number };
    let sha256: string;
    try {
      const info = await fs.stat(source);
      meta = { size: info.size, mtime: info.mtime.toISOString(), extractorVersion: EXTRACTOR_VERSION };
      sha256 = await hashFile(source);
    } catch (err) {
      const failure = { source, sha256: null, ...fileFailure(err) };
      await store.markFailed(source, null, failure, { size: null, mtime: null, extractorVersion: EXTRACTOR_VERSION });
      report(source, 'failed', t0, { error: failure });
      return;
    }
    const stored = await store.fileBySource(source);
    if (stored && stored.sha256 === sha256 && stored.extractorVersion === EXTRACTOR_VERSION && !options.force) {
      if (stored.status === 'ok') return report(source, 'unchanged', t0);
      if (!options.retryFailed) {
        const failure = { source, sha256, code: stored.errorCode ?? ErrorCode.internal, message: stored.error ?? '' };
        return report(source, 'failed', t0, { error: failure, cached: true });
      }
    }
    let record: DocumentRecord;
    try {
      record = await extractFile(source);
    } catch (err) {
      if (signal?.aborted) return; // stopped, not failed: the file keeps what it had
      const e = asIngestError(err);
      const failure = { source, sha256, code: e.code, message: e.message };
      await store.markFailed(source, sha256, failure, meta);
      report(source, 'failed', t0, { error: failure });
      return;
    }
    if (signal?.aborted || fatal) return;
    const { replaced } = await store.saveDocument(record, meta);
    report(source, replaced ? 'updated' : 'new', t0);
  };

  try {
    for (const file of files) {
      queue.add(() => ingestOne(file)).catch((error: unknown) => {
        fatal ??= { error };
        queue.clear();
      });
    }
    await queue.onIdle();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (pool) {
      // Idle children are unref'd, so awaiting their exit alone would let Node end the process with an
      // unsettled promise (exit code 13) under a top-level await; the timer keeps the loop alive.
      const keepAlive = setInterval(() => {}, 1000);
      await pool.close().finally(() => clearInterval(keepAlive));
    }
  }
  if (fatal) throw (fatal as { error: unknown }).error;
  summary.aborted = signal?.aborted ?? false;
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/**
 * The files under the given paths: folders recursed (hidden entries skipped), sorted by path, each
 * listed once. A folder's files are named by joining it with their relative path, so the stored source
 * is the path as the user wrote it.
 */
export async function listFiles(paths: string[], exclude: string[] = []): Promise<string[]> {
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const found = new Map<string, string>(); // resolved -> as given
  const seenDirs = new Set<string>();
  const walk = async (dir: string) => {
    const real = await fs.realpath(dir);
    if (seenDirs.has(real)) return; // a symlink loop
    seenDirs.add(real);
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => compare(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = path.join(dir, entry.name);
      const info = await fs.stat(child).catch(() => null); // follows symlinks; a dangling one is skipped
      if (info?.isDirectory()) await walk(child);
      else if (info?.isFile()) add(child);
    }
  };
  const add = (file: string) => {
    const resolved = path.resolve(file);
    if (!skip.has(resolved) && !found.has(resolved)) found.set(resolved, file);
  };
  for (const given of paths) {
    const info = await fs.stat(given).catch(() => null);
    if (!info) throw new InputPathError(`no such file or folder: ${given}`);
    if (info.isDirectory()) await walk(given);
    else add(given);
  }
  return [...found.values()].sort(compare);
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ownFiles(dbFile: string): string[] {
  return dbFile === ':memory:' ? [] : [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`];
}

function fileFailure(err: unknown): { code: string; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.unreadable, message: `cannot read file: ${message}` };
}
