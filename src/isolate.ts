// Extraction in a pool of child processes, so one hostile file costs one document, never the run.
// Child processes rather than worker threads: a worker thread shares the process, and a native
// crash in it kills the whole run. Such crashes are real: @napi-rs/canvas 0.1.80 segfaults on a PNG
// cut inside its first 40 bytes and aborts on a JPEG cut before its scan data, and V8 aborts when a
// heap fills up. A child that dies, hangs or blows its heap is
// killed and replaced; the document it held gets a stable error code and the run goes on.
import { fork, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { DocumentRecord } from '../schemas/record.js';
import { ErrorCode, IngestError } from './errors.js';
import { defaultLimits, type Limits } from './formats.js';

export interface IsolatedOptions {
  limits?: Partial<Limits>;
  signal?: AbortSignal;
}

export interface PoolOptions {
  /** child processes working at once */
  concurrency?: number;
  /** V8 heap cap of each child, MB: a runaway document fails alone instead of starving the machine */
  heapMb?: number;
}

/** parent -> child */
export interface Job {
  type: 'extract';
  id: number;
  path: string;
  source: string;
  limits: Limits;
}
/** parent -> child: stop the job (its signal aborts), the child is killed after CANCEL_GRACE_MS */
export interface Cancel {
  type: 'cancel';
  id: number;
}
/** child -> parent */
export type Reply =
  | { type: 'ready' }
  | { type: 'done'; id: number; record: DocumentRecord }
  | { type: 'failed'; id: number; code: string; message: string };

const workerFile = new URL('./isolate-worker.ts', import.meta.url);
// An absolute loader path: `--import tsx` would resolve from the user's working directory,
// which is their archive folder, not this package.
const tsxLoader = createRequire(import.meta.url).resolve('tsx');
const knownCodes = new Set<string>(Object.values(ErrorCode));
/** how much of a child's output is kept to explain its crash */
const OUTPUT_TAIL = 4096;
/**
 * Time a cancelled job gets to clean up before its child is killed: an extractor may have started
 * processes of its own (LibreOffice runs in its own process group, which SIGKILL on our child would
 * orphan) and stops them when its signal aborts.
 */
const CANCEL_GRACE_MS = 1500;
/** Loading the pipeline takes 1–3 s on a busy 2-core machine; a child silent for this long is stuck. */
const STARTUP_TIMEOUT_MS = 60_000;

interface Pending {
  job: Job;
  resolve: (record: DocumentRecord) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
  output: string;
  /** set when we kill the child ourselves, so its exit is not reported as a crash */
  killedFor: IngestError | Error | null;
}

export class ExtractionPool {
  readonly concurrency: number;
  private readonly heapMb: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  /** one abort listener per signal, however many documents share it (a run passes one to all) */
  private readonly watching = new Map<AbortSignal, { pending: Set<Pending>; onAbort: () => void }>();
  private nextId = 1;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
    this.heapMb = options.heapMb ?? 4096;
  }

  /** Process ids of the live children (for diagnostics and for tests that crash one). */
  get workerPids(): number[] {
    return [...this.slots].flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid]));
  }

  /** Documents in a child now, and waiting for one. */
  get load(): { running: number; queued: number } {
    return { running: [...this.slots].filter((s) => s.current !== null).length, queued: this.queue.length };
  }

  async extract(path: string, source: string, options: IsolatedOptions = {}): Promise<DocumentRecord> {
    if (this.closed) throw new IngestError(ErrorCode.internal, 'extraction pool is closed');
    options.signal?.throwIfAborted();
    const limits = { ...defaultLimits, ...options.limits };
    await checkFile(path, limits);
    options.signal?.throwIfAborted();
    return new Promise<DocumentRecord>((resolve, reject) => {
      if (this.closed) return reject(new IngestError(ErrorCode.internal, 'extraction pool is closed'));
      const pending: Pending = {
        job: { type: 'extract', id: this.nextId++, path, source, limits },
        resolve,
        reject,
        signal: options.signal,
      };
      this.watch(pending);
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Kill every child; queued documents are rejected. Resolves when all children have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      this.settle(pending, new IngestError(ErrorCode.internal, 'extraction pool was closed before this document ran'));
    }
    await Promise.all(
      [...this.slots].map(
        (slot) =>
          new Promise<void>((done) => {
            if (slot.child.exitCode !== null || slot.child.signalCode !== null) return done();
            slot.child.once('exit', () => done());
            // an idle child is unref'd: without this, a top-level `await close()` would let Node end
            // the process before the exit arrives (exit code 13, unsettled top-level await)
            setRef(slot, true);
            slot.killedFor ??= new IngestError(ErrorCode.internal, 'extraction pool was closed while this document ran');
            slot.child.kill('SIGKILL');
          }),
      ),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = [...this.slots].find((s) => s.ready && s.current === null);
      if (!slot) {
        const starting = [...this.slots].filter((s) => !s.ready).length;
        // a child that is still starting will take the next queued document when it is ready
        if (this.slots.size >= this.concurrency || starting >= this.queue.length) return;
        this.spawn();
        continue;
      }
      const pending = this.queue.shift()!;
      this.start(slot, pending);
    }
  }

  private start(slot: Slot, pending: Pending): void {
    slot.current = pending;
    slot.output = '';
    setRef(slot, true);
    const { timeoutMs } = pending.job.limits;
    slot.timer = setTimeout(() => {
      const seconds = Number((timeoutMs / 1000).toFixed(3));
      this.kill(slot, new IngestError(ErrorCode.timeout, `extraction took longer than ${seconds} s`));
    }, timeoutMs);
    slot.child.send(pending.job, (err) => {
      if (err) this.kill(slot, new IngestError(ErrorCode.internal, `extractor crashed: cannot reach the worker (${err.message})`));
    });
  }

  private spawn(): void {
    const child = fork(workerFile, [], {
      execArgv: ['--import', tsxLoader, `--max-old-space-size=${this.heapMb}`],
      // piped, never inherited: a library printing to stdout would corrupt the CLI's JSONL output
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      // the cores shared out: each child reading scans with a tesseract worker per core would put
      // concurrency × cores recognisers, each with its own model in memory, for no gain in throughput
      env: { DOCINGEST_OCR_WORKERS: String(Math.max(1, Math.floor(availableParallelism() / this.concurrency))), ...process.env },
    });
    const slot: Slot = { child, ready: false, current: null, timer: null, output: '', killedFor: null };
    this.slots.add(slot);
    slot.timer = setTimeout(() => {
      const seconds = STARTUP_TIMEOUT_MS / 1000;
      this.kill(slot, new IngestError(ErrorCode.internal, `extractor crashed: the worker did not start within ${seconds} s`));
    }, STARTUP_TIMEOUT_MS);
    slot.timer.unref();
    const keepTail = (chunk: Buffer) => {
      slot.output = (slot.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    child.on('message', (reply: Reply) => this.onReply(slot, reply));
    child.on('error', (err) => {
      const reason = new IngestError(ErrorCode.internal, `extractor crashed: ${err.message}`);
      // a child that never started emits no 'exit'
      if (child.pid === undefined) {
        slot.killedFor = reason;
        this.onExit(slot, null, null);
      } else this.kill(slot, reason);
    });
    child.on('exit', (code, signal) => {
      this.slots.delete(slot); // at once, so no document is sent to it while its output drains
      void drained(child).then(() => this.onExit(slot, code, signal));
    });
  }

  private onReply(slot: Slot, reply: Reply): void {
    if (reply.type === 'ready') {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.ready = true;
      setRef(slot, false);
      this.dispatch();
      return;
    }
    const pending = slot.current;
    if (!pending || pending.job.id !== reply.id) return; // a late answer to a document we gave up on
    if (slot.killedFor) {
      // the cancelled job has cleaned up: no need to wait out the grace period
      slot.child.kill('SIGKILL');
      return;
    }
    this.release(slot);
    if (reply.type === 'done') this.settle(pending, null, reply.record);
    else this.settle(pending, new IngestError(knownCodes.has(reply.code) ? (reply.code as ErrorCode) : ErrorCode.internal, reply.message));
    this.dispatch();
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    this.slots.delete(slot);
    const pending = slot.current;
    this.release(slot);
    if (pending) {
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const detail = lastErrorLine(slot.output);
      this.settle(pending, slot.killedFor ?? new IngestError(ErrorCode.internal, `extractor crashed: ${reason}${detail ? ` (${detail})` : ''}`));
    } else if (!slot.ready && !this.closed && this.queue.length > 0) {
      // The child died or hung while starting (a broken install, a syntax error in an extractor):
      // fail one queued document with the reason instead of respawning forever.
      const next = this.queue.shift()!;
      const detail = lastErrorLine(slot.output);
      this.settle(next, slot.killedFor ?? new IngestError(ErrorCode.internal, `extractor crashed: the worker failed to start${detail ? ` (${detail})` : ''}`));
    }
    if (!this.closed) this.dispatch();
  }

  private kill(slot: Slot, reason: IngestError | Error): void {
    if (slot.killedFor) return;
    slot.killedFor = reason;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.current && slot.child.connected) {
      const cancel: Cancel = { type: 'cancel', id: slot.current.job.id };
      slot.child.send(cancel, () => undefined);
      slot.timer = setTimeout(() => slot.child.kill('SIGKILL'), CANCEL_GRACE_MS);
    } else {
      slot.child.kill('SIGKILL');
    }
  }

  private abort(pending: Pending): void {
    const reason = pending.signal?.reason instanceof Error ? pending.signal.reason : new DOMException('extraction aborted', 'AbortError');
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(pending, reason);
      return;
    }
    const slot = [...this.slots].find((s) => s.current === pending);
    if (slot) this.kill(slot, reason);
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    if (slot.ready && slot.child.connected) setRef(slot, false);
  }

  private watch(pending: Pending): void {
    const { signal } = pending;
    if (!signal) return;
    let entry = this.watching.get(signal);
    if (!entry) {
      const waiting = new Set<Pending>();
      const onAbort = () => [...waiting].forEach((p) => this.abort(p));
      entry = { pending: waiting, onAbort };
      this.watching.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.pending.add(pending);
  }

  private settle(pending: Pending, err: unknown, record?: DocumentRecord): void {
    const { signal } = pending;
    const entry = signal && this.watching.get(signal);
    if (signal && entry?.pending.delete(pending) && entry.pending.size === 0) {
      signal.removeEventListener('abort', entry.onAbort);
      this.watching.delete(signal);
    }
    if (err) pending.reject(err);
    else pending.resolve(record!);
  }
}

/**
 * The child's last words (V8's out-of-memory report) may still be in the pipes when 'exit' fires:
 * wait for them to close, but not for long, since a grandchild may hold them open.
 */
function drained(child: ChildProcess): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null && !s.closed);
  const closed = Promise.all(streams.map((s) => new Promise((done) => s!.once('close', done))));
  return Promise.race([closed, new Promise((done) => setTimeout(done, 200))]).then(() => undefined);
}

/** Refuse before reading: a 5 GB file is never loaded just to be told it is too large. */
async function checkFile(path: string, limits: Limits): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fileError(path, err);
  }
  if (!info.isFile()) throw new IngestError(ErrorCode.unreadable, `not a regular file: ${path}`);
  if (info.size > limits.maxFileBytes) {
    throw new IngestError(ErrorCode.tooLarge, `file is ${info.size} bytes, over the ${limits.maxFileBytes}-byte limit`);
  }
}

/** Why a file listed at the start of the run cannot be read now. Shared with the worker. */
export function fileError(path: string, err: unknown): IngestError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new IngestError(ErrorCode.unreadable, `file vanished: ${path}`, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new IngestError(ErrorCode.unreadable, `cannot read file: ${message}`, { cause: err });
}

/** Idle children must not keep the CLI alive; busy ones must. */
function setRef(slot: Slot, ref: boolean): void {
  const { child } = slot;
  // stdout and stderr are net.Sockets at run time, which Readable's type does not say
  const handles = [child, child.channel, child.stdout, child.stderr] as unknown as Array<{ ref?(): void; unref?(): void } | null | undefined>;
  for (const h of handles) {
    if (ref) h?.ref?.();
    else h?.unref?.();
  }
}

/**
 * The line of a dead child's output that says why: V8 ends an out-of-memory abort with
 * "FATAL ERROR: Reached heap limit … JavaScript heap out of memory" and then a native stack
 * ("1: 0xb78db3 node::OOMErrorHandler…"); an uncaught error prints its name and message, then
 * "    at …" frames and "Emitted 'error' event on …".
 */
function lastErrorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+: 0x[0-9a-f]+ /.test(l) && !/^at /.test(l));
  // "Error [ERR_…]: …" or "FATAL ERROR: …" over "Emitted 'error' event on …"
  const line = lines.findLast((l) => /^(FATAL ERROR|[A-Za-z]*Error\b)/.test(l)) ?? lines.findLast((l) => /error/i.test(l)) ?? lines.at(-1) ?? '';
  return line.slice(0, 300);
}
