// A run over files and folders: list (folders recursed, sorted), then per file: skip what the store
// already holds for this path, size and mtime without reading it; else hash, skip what it holds for
// these bytes; else extract, save or record the failure, go on. Extraction runs N at a time; every
// write happens on this thread, one document per transaction, so the database has a single writer and
// a run killed at any point (even kill -9) leaves each document either fully stored or as it was: the
// next run picks up where it stopped and ends with the database an uninterrupted run makes.
// One run at a time per database: the `runs` table is the lock (src/run-lock.ts). Progress is reported
// through a callback, never printed.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats as FileStats } from 'node:fs';
import fs from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import PQueue from 'p-queue';
import type { DocumentRecord } from '../schemas/record.js';
import { asIngestError, ErrorCode } from './errors.js';
import type { Limits } from './formats.js';
import { ExtractionPool } from './isolate.js';
import { extract, EXTRACTOR_VERSION } from './pipeline.js';
import { redactRecord } from './redact.js';
import { claimRun, finishRun } from './run-lock.js';
import type { Failure, FileMeta, IngestTarget, StageTimes, StoredFile } from './store/index.js';

export { RunLockedError } from './run-lock.js';

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
  /** store no preparer names or phone numbers (see src/redact.ts) */
  redact?: boolean;
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
  /** ms to wait for another run on the same database to end; default 0: throw RunLockedError at once */
  waitMs?: number;
  /** how the run is described in the runs table (the CLI passes its command line); default: the paths */
  runArguments?: unknown;
}

export interface IngestSummary {
  total: number;
  new: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** files read to compute their hash: 0 on a re-run over a tree nobody touched */
  hashed: number;
  failures: Failure[];
  aborted: boolean;
  ms: number;
  stages: StageTimes;
  /** the id of this run in the store's runs table (null for a store that keeps no runs) */
  runId: number | null;
}

/** A path named on the command line that does not exist: a usage error, not a document failure. */
export class InputPathError extends Error {
  override readonly name = 'InputPathError';
  readonly code = 'path-not-found';
}

/**
 * An mtime this close to the moment it was read is not trusted for skipping: the file may be written
 * again within the same clock tick and keep its size (git's "racily clean" entries). Such a file is
 * stored without an mtime, so the next run hashes it once more instead of missing a change.
 */
const RACY_MTIME_MS = 2000;

export async function ingest(store: IngestTarget, paths: string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const redact = options.redact ?? false;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const stages: StageTimes = { listMs: 0, hashMs: 0, extractMs: 0, storeMs: 0 };
  const files = await listFiles(paths, [...ownFiles(store.file), ...(options.exclude ?? [])]);
  stages.listMs = performance.now() - started;
  const summary: IngestSummary = {
    total: files.length, new: 0, updated: 0, unchanged: 0, failed: 0, hashed: 0, failures: [], aborted: false, ms: 0, stages, runId: null,
  };
  const runId = await claimRun(store, {
    arguments: options.runArguments ?? {
      paths, concurrency, force: options.force ?? false, retryFailed: options.retryFailed ?? false, redact, limits: options.limits ?? {},
    },
    pid: process.pid,
    host: hostname(),
  }, options.waitMs ?? 0, signal);
  summary.runId = runId;
  onProgress?.({ type: 'start', total: files.length });

  const pool = options.isolation === 'none' ? null : new ExtractionPool({ concurrency });
  // The one place extraction is called; everything else here is bookkeeping.
  const extractOptions = { ...(options.limits ? { limits: options.limits } : {}), ...(signal ? { signal } : {}) };
  const extractFile = async (file: string): Promise<DocumentRecord> => {
    const record = await (pool ? pool.extract(file, file, extractOptions) : extract(await fs.readFile(file), file, extractOptions));
    return redact ? redactRecord(record) : record;
  };
  const timed = async <T>(stage: Exclude<keyof StageTimes, 'listMs'>, work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      stages[stage] += performance.now() - t;
    }
  };

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
  /** what is stored for these bytes is what this run would store: report it, or say it must be redone */
  const reuse = (source: string, stored: StoredFile, t0: number): boolean => {
    if (stored.status === 'ok') {
      report(source, 'unchanged', t0);
      return true;
    }
    if (options.retryFailed) return false;
    const failure = { source, sha256: stored.sha256, code: stored.errorCode ?? ErrorCode.internal, message: stored.error ?? '' };
    report(source, 'failed', t0, { error: failure, cached: true });
    return true;
  };

  const ingestOne = async (source: string) => {
    if (signal?.aborted || fatal) return;
    const t0 = performance.now();
    let info: FileStats;
    try {
      info = await timed('hashMs', () => fs.stat(source));
    } catch (err) {
      const failure = { source, sha256: null, ...fileFailure(err) };
      await timed('storeMs', () => store.markFailed(source, null, failure, { size: null, mtime: null, extractorVersion: EXTRACTOR_VERSION, redacted: redact }));
      report(source, 'failed', t0, { error: failure });
      return;
    }
    const meta: FileMeta = { size: info.size, mtime: trustedMtime(info), extractorVersion: EXTRACTOR_VERSION, redacted: redact };
    const stored = await store.fileBySource(source);
    // stored by the extractor and settings of this run: the bytes decide whether it is done
    const current = stored && !options.force && stored.extractorVersion === EXTRACTOR_VERSION && stored.redacted === redact ? stored : undefined;
    if (current && current.mtime !== null && current.mtime === meta.mtime && current.size === meta.size && reuse(source, current, t0)) return;

    let sha256: string;
    try {
      sha256 = await timed('hashMs', () => hashFile(source));
      summary.hashed++;
    } catch (err) {
      const failure = { source, sha256: null, ...fileFailure(err) };
      await timed('storeMs', () => store.markFailed(source, null, failure, { ...meta, size: null, mtime: null }));
      report(source, 'failed', t0, { error: failure });
      return;
    }
    if (current && current.sha256 === sha256) {
      // same bytes, new mtime (copied, touched, restored from a backup): remembered, so the next run reads nothing
      if (current.mtime !== meta.mtime || current.size !== meta.size) await timed('storeMs', () => store.updateFileMeta?.(source, meta));
      if (reuse(source, current, t0)) return;
    }
    let record: DocumentRecord;
    try {
      record = await timed('extractMs', () => extractFile(source));
    } catch (err) {
      if (signal?.aborted) return; // stopped, not failed: the file keeps what it had
      const e = asIngestError(err);
      const failure = { source, sha256, code: e.code, message: e.message };
      await timed('storeMs', () => store.markFailed(source, sha256, failure, meta));
      report(source, 'failed', t0, { error: failure });
      return;
    }
    if (signal?.aborted || fatal) return;
    // the extractor read the file again: if it changed since the hash, its mtime no longer describes these bytes
    const saved = record.document.sha256 === sha256 ? meta : { ...meta, mtime: null };
    const { replaced } = await timed('storeMs', () => store.saveDocument(record, saved));
    report(source, replaced ? 'updated' : 'new', t0);
  };

  let runError: unknown = null;
  try {
    for (const file of files) {
      queue.add(() => ingestOne(file)).catch((error: unknown) => {
        fatal ??= { error };
        queue.clear();
      });
    }
    await queue.onIdle();
  } catch (err) {
    runError = err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // close() re-refs idle children while it waits for their exit, so a top-level await stays alive
    if (pool) await pool.close();
  }
  if (fatal) runError ??= (fatal as { error: unknown }).error;
  summary.aborted = signal?.aborted ?? false;
  summary.ms = Math.round(performance.now() - started);
  for (const stage of Object.keys(stages) as (keyof StageTimes)[]) stages[stage] = Math.round(stages[stage]);
  if (runId !== null) {
    const { total, hashed } = summary;
    const end = {
      status: runError ? ('failed' as const) : summary.aborted ? ('interrupted' as const) : ('done' as const),
      counts: { total, new: summary.new, updated: summary.updated, unchanged: summary.unchanged, failed: summary.failed, hashed },
      stages,
      ...(runError ? { error: runError instanceof Error ? runError.message : String(runError) } : {}),
    };
    try {
      await finishRun(store, runId, end);
    } catch (err) {
      runError ??= err; // the store's own failure (disk full) is the one to report
    }
  }
  if (runError) throw runError;
  return summary;
}

function trustedMtime(info: FileStats): string | null {
  const age = Date.now() - info.mtimeMs;
  return age >= RACY_MTIME_MS ? info.mtime.toISOString() : null;
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
