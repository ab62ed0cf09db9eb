// Errors that end one document's extraction. The code is stable: it is stored against the file,
// listed by `docingest failures`, and what `--retry-failed` selects on.
export const ErrorCode = {
  empty: 'empty-file',
  unsupported: 'unsupported-format',
  corrupt: 'corrupt-file',
  truncated: 'truncated-file',
  encrypted: 'encrypted',
  tooLarge: 'file-too-large',
  zipBomb: 'zip-bomb',
  tooManyPixels: 'image-too-large',
  timeout: 'timeout',
  noTextLayer: 'no-text-layer',
  missingTool: 'missing-tool',
  unreadable: 'unreadable-file',
  internal: 'internal-error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any thrown value as an IngestError, keeping a specific one as it is. */
export function asIngestError(err: unknown): IngestError {
  if (err instanceof IngestError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new IngestError(ErrorCode.internal, `unexpected failure: ${message}`, { cause: err });
}
