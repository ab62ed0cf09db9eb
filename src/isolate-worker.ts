// One child process of the extraction pool (src/isolate.ts): reads the file it is sent, runs
// extract() on it and answers with the record, or with the error's code and message (an
// IngestError's class does not cross a process boundary; its code must).
import { readFile } from 'node:fs/promises';
import { asIngestError } from './errors.js';
import { fileError, type Cancel, type Job, type Reply } from './isolate.js';
import { extract } from './pipeline.js';

const send = (reply: Reply) => process.send?.(reply);
let current: Job | null = null;
let controller: AbortController | null = null;

process.on('message', (message: Job | Cancel) => {
  if (message.type === 'cancel') {
    if (current?.id === message.id) controller?.abort(new Error('extraction cancelled'));
    return;
  }
  current = message;
  controller = new AbortController();
  void run(message, controller.signal).then((reply) => {
    current = null;
    controller = null;
    send(reply);
  });
});

async function run(job: Job, signal: AbortSignal): Promise<Reply> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(job.path);
  } catch (err) {
    return failed(job, fileError(job.path, err));
  }
  try {
    return { type: 'done', id: job.id, record: await extract(bytes, job.source, { limits: job.limits, signal }) };
  } catch (err) {
    return failed(job, err);
  }
}

function failed(job: Job, err: unknown): Reply {
  const { code, message } = asIngestError(err);
  return { type: 'failed', id: job.id, code, message };
}

// No uncaughtException handler on purpose: a library that throws from a callback of its own
// (tesseract.js does, see STACK.md) leaves this process in an unknown state, so it must die. Node
// prints the error to stderr and exits; the pool reports it as "extractor crashed" with that line.

// the parent is gone (killed, or closed the pool): nothing left to work for
process.on('disconnect', () => process.exit(0));

send({ type: 'ready' });
