// The one place formats are listed: what detection found -> the extractor that reads it.
// Everything after an extractor works on the DocModel alone.
import type { DocModel } from '../schemas/model.js';
import type { Detected } from './detect.js';
import { extractText } from '../extractors/text.js';
import { extractDocx, refuseZip } from '../extractors/docx.js';
import { extractDoc, extractRtf } from '../extractors/doc.js';
import { extractHtml } from '../extractors/html.js';
import { extractPdf } from '../extractors/pdf.js';
import { extractImage } from '../extractors/image.js';

/** What an extractor may need beyond the bytes; extraction stays a pure function of both. */
export interface ExtractContext {
  /** path as given, for messages only: never read again */
  source: string;
  limits: Limits;
  signal?: AbortSignal;
}

export interface Limits {
  /** largest decompressed size of a zip container (.docx), bytes */
  maxUnzippedBytes: number;
  /** largest image, in pixels (width × height) */
  maxImagePixels: number;
  /** per-document wall-clock limit, ms */
  timeoutMs: number;
  /** largest input file, bytes */
  maxFileBytes: number;
}

export const defaultLimits: Limits = {
  maxUnzippedBytes: 200 * 1024 * 1024,
  maxImagePixels: 60_000_000,
  timeoutMs: 5 * 60_000,
  maxFileBytes: 200 * 1024 * 1024,
};

export type Extractor = (bytes: Uint8Array, ctx: ExtractContext) => Promise<DocModel> | DocModel;

/** Detected formats that have an extractor. Formats missing here get an 'unsupported-format' error. */
export const extractors: Partial<Record<Detected, Extractor>> = {
  text: extractText,
  docx: extractDocx,
  // no model from a zip, but a precise refusal: cut short, or which other package it is
  zip: refuseZip,
  doc: extractDoc,
  rtf: extractRtf,
  html: extractHtml,
  pdf: extractPdf,
  png: extractImage,
  jpeg: extractImage,
  tiff: extractImage,
};
