// The intermediate document model: what every extractor produces and everything downstream reads.
// Nothing after an extractor ever looks at the original format (Docling's idea: format backends
// build one model; recognition, validation and storage stay format-blind).
import { z } from 'zod';

/** Where a block, a cell or a value came from. Fields a format cannot know stay absent. */
export const Place = z.object({
  page: z.number().int().positive().optional(), // 1-based; paginated formats only
  table: z.number().int().nonnegative().optional(), // index among the document's tables
  row: z.number().int().nonnegative().optional(),
  col: z.number().int().nonnegative().optional(),
  line: z.number().int().positive().optional(), // 1-based line of a text dump
  block: z.number().int().nonnegative().optional(), // index among the document's blocks
  /** [x0, y0, x1, y1] in page points (PDF) or pixels (images), top-left origin */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  /** 0–1; OCR only */
  confidence: z.number().min(0).max(1).optional(),
});
export type Place = z.infer<typeof Place>;

export const Cell = z.object({
  /** The cell's text; line breaks inside the cell are "\n". */
  text: z.string(),
  /** Grid column the cell starts in, when the format knows the grid. */
  col: z.number().int().nonnegative(),
  colSpan: z.number().int().positive(),
  rowSpan: z.number().int().positive(),
  /**
   * True for the slot a vertically merged cell covers in a later row. Text dumps print such slots
   * as empty cells; formats with real spans get them inserted, so every format yields the same rows.
   */
  continued: z.boolean(),
  place: Place,
});
export type Cell = z.infer<typeof Cell>;

export const Paragraph = z.object({
  type: z.literal('paragraph'),
  text: z.string(),
  /** A heading level the format claims (Word style, <h2>): a hint only, never the decision. */
  headingHint: z.number().int().optional(),
  place: Place,
});
export const Table = z.object({
  type: z.literal('table'),
  rows: z.array(z.array(Cell)),
  /** How sure the extractor is of the grid (1 for formats with real tables). */
  confidence: z.number().min(0).max(1),
  place: Place,
});
export const Block = z.discriminatedUnion('type', [Paragraph, Table]);
export type Paragraph = z.infer<typeof Paragraph>;
export type Table = z.infer<typeof Table>;
export type Block = z.infer<typeof Block>;

export const Format = z.enum(['docx', 'doc', 'pdf', 'pdf-ocr', 'image-ocr', 'html', 'text']);
export type Format = z.infer<typeof Format>;

/** A finding of any stage: what went wrong, where, which rule, which stage (vfile's message). */
export const Message = z.object({
  code: z.string(),
  message: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
  stage: z.string(),
  /** index into the export's forms, for findings about a form */
  form: z.number().int().nonnegative().optional(),
  place: Place.optional(),
});
export type Message = z.infer<typeof Message>;

export const DocModel = z.object({
  format: Format,
  blocks: z.array(Block),
  messages: z.array(Message),
});
export type DocModel = z.infer<typeof DocModel>;
