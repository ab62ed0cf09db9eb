// What `docingest ingest` tells the person or the log watching it, on stderr (stdout carries the
// one summary line, so `docingest ingest … > last-run.txt` keeps just that).
//   - on a terminal: a bar redrawn in place — done/total, rate, ETA, failures — with each failure
//     (and with --progress each file) printed above it;
//   - otherwise (cron, CI, a pipe) or with --log-json: JSON lines (src/log.ts). Without --log-json only
//     warnings are written, so a clean nightly run prints nothing there and cron mails nothing.
import type { WriteStream } from 'node:tty';
import type { IngestEvent, IngestSummary } from '../ingest.js';
import { jsonLogger, type Logger } from '../log.js';

export interface Reporter {
  onEvent(event: IngestEvent): void;
  /** the run ended (or failed): the bar is removed, the summary logged */
  finish(summary: IngestSummary | null): void;
}

export interface ReporterOptions {
  /** a line per file, not only per failure */
  eachFile: boolean;
  /** JSON lines even on a terminal, at level info (run start and summary too) */
  json: boolean;
}

export function makeReporter(stderr: NodeJS.WriteStream, options: ReporterOptions): Reporter {
  if (stderr.isTTY && !options.json) return new BarReporter(stderr as WriteStream, options.eachFile);
  return new LogReporter(jsonLogger(stderr, { level: options.json || options.eachFile ? 'info' : 'warn' }), options.eachFile);
}

function failureText(event: Extract<IngestEvent, { type: 'file' }>): string {
  const e = event.error!;
  return `failed: ${event.source}: [${e.code}] ${e.message}${event.cached ? ' (stored failure for these bytes; --retry-failed to try again)' : ''}`;
}

class LogReporter implements Reporter {
  constructor(
    private readonly log: Logger,
    private readonly eachFile: boolean,
  ) {}

  onEvent(event: IngestEvent): void {
    if (event.type === 'start') {
      this.log.info(`ingest started: ${event.total} files`, { event: 'start', total: event.total });
      return;
    }
    const fields = { event: 'file', source: event.source, status: event.status, ms: event.ms, done: event.done, total: event.total };
    if (event.status === 'failed' && event.error) {
      this.log.warn(failureText(event), { ...fields, code: event.error.code, error: event.error.message, ...(event.cached ? { cached: true } : {}) });
    } else if (this.eachFile) {
      this.log.info(`[${event.done}/${event.total}] ${event.status}: ${event.source} (${event.ms} ms)`, fields);
    }
  }

  finish(summary: IngestSummary | null): void {
    if (!summary) return;
    const { failures: _, ...counts } = summary;
    this.log.info(`ingest ${summary.aborted ? 'interrupted' : 'done'}: ${summary.total} files`, { event: 'summary', ...counts });
  }
}

/** Redraws at most this often: a terminal redrawn for each of 10 000 unchanged files slows the run. */
const REDRAW_MS = 100;

class BarReporter implements Reporter {
  private total = 0;
  private done = 0;
  private failed = 0;
  private readonly startedAt = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: WriteStream,
    private readonly eachFile: boolean,
  ) {}

  onEvent(event: IngestEvent): void {
    if (event.type === 'start') {
      this.total = event.total;
      this.draw(true);
      return;
    }
    this.done = event.done;
    if (event.status === 'failed') {
      this.failed++;
      this.above(failureText(event));
    } else if (this.eachFile) {
      this.above(`[${event.done}/${event.total}] ${event.status}: ${event.source} (${event.ms} ms)`);
    }
    this.draw(event.done === event.total);
  }

  finish(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  private above(line: string): void {
    this.out.write(`${this.drawn ? '\r\x1b[K' : ''}${line}\n`);
    this.drawn = false;
    this.draw(true);
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const line = progressLine({ done: this.done, total: this.total, failed: this.failed, elapsedMs: now - this.startedAt }, this.out.columns || 80);
    this.out.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }
}

export interface ProgressState {
  done: number;
  total: number;
  failed: number;
  elapsedMs: number;
}

/** "[#######-------------]  120/2000   6%  35.2 files/s  ETA 0:53  2 failed", cut to `columns`. */
export function progressLine(state: ProgressState, columns = 80): string {
  const { done, total, failed, elapsedMs } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = done > 0 && rate > 0 ? duration(((total - done) / rate) * 1000) : '?';
  const tail =
    ` ${String(done).padStart(String(total).length)}/${total} ${String(Math.floor(fraction * 100)).padStart(3)}%` +
    `  ${rate.toFixed(rate < 10 ? 1 : 0)} files/s  ETA ${eta}${failed > 0 ? `  ${failed} failed` : ''}`;
  const width = Math.max(10, Math.min(30, columns - tail.length - 3));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${tail}`.slice(0, Math.max(1, columns - 1));
}

/** 53 s -> "0:53", 3725 s -> "1:02:05" */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
