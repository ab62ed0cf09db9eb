// Runs the real CLI (bin/docingest.js) as a user would: a separate node process in a working folder.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const bin = path.join(import.meta.dirname, '..', '..', 'bin', 'docingest.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `docingest …args` in the folder `cwd()` names at call time (a test's temp dir made in beforeAll). */
export function cliIn(cwd: () => string, timeout = 180_000): (...args: string[]) => CliResult {
  return (...args) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: cwd(), encoding: 'utf8', timeout });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
