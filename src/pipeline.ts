// extract(): bytes -> validated DocumentRecord. A pure function of the file's bytes (and its source
// name, for the record): no store, no clock, so any worker can run it and re-running changes nothing.
//   detect -> extractor (format backend) -> DocModel -> recognise forms, sections, document
//   -> audit -> validate
import { createHash } from 'node:crypto';
import type { Message } from '../schemas/model.js';
import { type DocumentRecord } from '../schemas/record.js';
import { detectFormat } from './detect.js';
import { ErrorCode, IngestError } from './errors.js';
import { defaultLimits, extractors, type ExtractContext, type Limits } from './formats.js';
import { recognizeForms } from './recognize/forms.js';
import { recognizeSections } from './recognize/sections.js';
import { describeDocument } from './recognize/document.js';
import { audit } from './audit.js';
import { validateRecord } from './validate.js';

/** Bumped whenever a change alters what extraction produces: stored documents of an older version are re-extracted. */
export const EXTRACTOR_VERSION = 2;

export interface ExtractOptions {
  limits?: Partial<Limits>;
  signal?: AbortSignal;
}

export async function extract(bytes: Uint8Array, source: string, options: ExtractOptions = {}): Promise<DocumentRecord> {
  const limits = { ...defaultLimits, ...options.limits };
  if (bytes.length > limits.maxFileBytes) {
    throw new IngestError(ErrorCode.tooLarge, `file is ${bytes.length} bytes, over the ${limits.maxFileBytes}-byte limit`);
  }
  const detected = detectFormat(bytes);
  if (detected === 'empty') throw new IngestError(ErrorCode.empty, 'file is empty (0 bytes)');
  const extractor = extractors[detected];
  if (!extractor) {
    throw new IngestError(ErrorCode.unsupported, `content is ${describe(detected)}, which docingest cannot read`);
  }
  const ctx: ExtractContext = { source, limits, ...(options.signal ? { signal: options.signal } : {}) };
  const model = await extractor(bytes, ctx);

  const recognized = recognizeForms(model);
  const sections = recognizeSections(model);
  const document = describeDocument(model, recognized.forms);
  const findings: Message[] = [...model.messages, ...recognized.messages, ...audit(recognized.forms)];
  if (recognized.forms.length === 0 && sections.length === 0 && model.blocks.length > 0) {
    // a stored record with nothing in it looks like success: say so, so a reviewer finds these files
    findings.push({
      code: 'nothing-recognised',
      severity: 'warning',
      stage: 'recognize',
      message: `the document has ${model.blocks.length} blocks of text and tables, but no form and no numbered section were recognised in them`,
    });
  }
  return validateRecord({
    document: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      source,
      format: model.format,
      ...document,
    },
    forms: recognized.forms,
    sections,
    warnings: findings,
  });
}

function describe(detected: string): string {
  const names: Record<string, string> = {
    zip: 'a zip archive without word/document.xml (not a .docx)',
    gif: 'a GIF image',
    bmp: 'a BMP image',
    rtf: 'RTF',
    binary: 'binary data of no known document format',
    tiff: 'a TIFF image',
    ole2: 'an OLE2 compound file that is not a Word document',
  };
  return names[detected] ?? detected;
}
