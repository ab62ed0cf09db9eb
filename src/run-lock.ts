// One ingest run at a time per database, with the `runs` table as the lock: a run claims the database
// by inserting its row ('running', its pid and host) in an IMMEDIATE transaction, after checking that
// no other row marked 'running' belongs to a live process. A lock file would do the same but outlive
// a kill -9 with nothing to say whose it was; a row names its run, and a dead run's row is recognised
// (its pid is gone) and marked 'killed' by the next run, so a crash never needs a manual unlock.
// Kept apart from src/ingest.ts so `docingest runs` can tell a dead run without loading the extractors.
import { hostname } from 'node:os';
import path from 'node:path';
import type { IngestTarget, Run, RunEnd, RunStart } from './store/index.js';

/** Another run holds the database (a nightly job still going when the next one starts). */
export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
  readonly code = 'db-busy';
  constructor(
    readonly file: string,
    readonly holder: Run,
  ) {
    super(
      `another ingest is running on ${file} (run ${holder.id}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}); ` +
        'wait for it to end, or pass --wait <seconds>',
    );
  }
}

/** Runs of this process still going, by database: the same pid alone cannot tell them from a dead one. */
const activeRuns = new Set<string>();
const runKey = (file: string, id: number) => `${path.resolve(file)}#${id}`;

/** Claims the store for a run, waiting up to `waitMs` for a live run to end; null when the store keeps no runs. */
export async function claimRun(store: IngestTarget, start: RunStart, waitMs: number, signal?: AbortSignal): Promise<number | null> {
  if (!store.beginRun) return null;
  const deadline = performance.now() + waitMs;
  for (;;) {
    const claim = await store.beginRun(start, (run) => runIsAlive(store.file, run));
    if ('id' in claim) {
      activeRuns.add(runKey(store.file, claim.id));
      return claim.id;
    }
    const left = deadline - performance.now();
    if (left <= 0 || signal?.aborted) throw new RunLockedError(store.file, claim.heldBy);
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, left)));
  }
}

export async function finishRun(store: IngestTarget, id: number, end: RunEnd): Promise<void> {
  activeRuns.delete(runKey(store.file, id));
  await store.finishRun?.(id, end);
}

/**
 * Whether the process of a run marked 'running' still exists (a kill -9 leaves its row behind). A run
 * of another host counts as alive: it cannot be checked from here, and waiting is the safe mistake.
 */
export function runIsAlive(file: string, run: Run): boolean {
  if (run.host !== hostname()) return true;
  if (run.pid === process.pid) return activeRuns.has(runKey(file, run.id));
  try {
    process.kill(run.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
