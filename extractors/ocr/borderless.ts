// Tables without ruling lines on a scanned page (an Excel sheet printed without gridlines): the
// page's OCR'd words become text runs, and the text-layer PDF's column finder (pdf/stream.ts)
// looks for them, so a scan and its PDF find the same borderless tables the same way.
import type { Table } from '../../schemas/model.js';
import type { Run } from '../pdf/geometry.js';
import { groupLines } from '../pdf/lines.js';
import { findStreamTables } from '../pdf/stream.js';
import { meanConfidence, type OcrLine, type OcrWord } from './recognize.js';

/**
 * The borderless tables among a page's text lines (page pixels), as table blocks placed in the
 * page's unit, and the lines left for paragraphs. A cell's confidence is its words' mean.
 */
export function borderlessTables(lines: OcrLine[], page: number, unit: number): { tables: Table[]; lines: OcrLine[] } {
  // a word takes its line's height: a glyph's own box ("一" is 4 px tall) says nothing of the line
  const wordOf = new Map<Run, OcrWord>();
  const lineOf = new Map<Run, OcrLine>();
  const runs = lines.flatMap((line) =>
    line.words.map((w) => {
      const run: Run = { str: w.text, x0: w.box[0] * unit, x1: w.box[2] * unit, base: line.box[3] * unit, size: (line.box[3] - line.box[1]) * unit };
      wordOf.set(run, w);
      lineOf.set(run, line);
      return run;
    }),
  );
  const found = findStreamTables(groupLines(runs).map((l) => ({ ...l, page })), page);
  if (found.tables.length === 0) return { tables: [], lines };
  const kept = new Set(found.lines.flatMap((l) => l.runs));
  const tables = found.tables.map((t): Table => {
    const inTable = runs.filter((r) => r.x0 >= t.box[0] - 1 && r.x1 <= t.box[2] + 1 && r.base - r.size <= t.box[3] && r.base >= t.box[1]);
    for (const row of t.rows) {
      for (const cell of row) {
        const [x0, y0, x1, y1] = cell.place.box!;
        const words = inTable.filter((r) => (r.x0 + r.x1) / 2 >= x0 && (r.x0 + r.x1) / 2 <= x1 && r.base - r.size / 2 >= y0 && r.base - r.size / 2 <= y1).map((r) => wordOf.get(r)!);
        cell.place.confidence = Math.round((words.length > 0 ? meanConfidence(words) : 1) * 1000) / 1000;
      }
    }
    return { type: 'table', rows: t.rows, confidence: t.confidence, place: { page, box: t.box } };
  });
  // a line the tables took most of is theirs
  const rest = lines.filter((l) => {
    const own = runs.filter((r) => lineOf.get(r) === l);
    return own.filter((r) => kept.has(r)).length * 2 > own.length;
  });
  return { tables, lines: rest };
}
