// Writing results to a stream: line by line with back-pressure (an export of 50 000 indicators does not
// sit in memory), CSV by RFC 4180, and aligned tables whose CJK characters count two columns.
import type { Writable } from 'node:stream';

/** Writes each line, waiting when the stream's buffer is full. */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}

type Row = Record<string, unknown>;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvField(value: unknown): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line from the first row's columns, then one line per row; empty input gives nothing. */
export function* csvLines(rows: Iterable<Row>): Generator<string> {
  let columns: string[] | null = null;
  for (const row of rows) {
    if (!columns) {
      columns = Object.keys(row);
      yield columns.map(csvField).join(',');
    }
    yield columns.map((c) => csvField(row[c])).join(',');
  }
}

export function* jsonLines(rows: Iterable<unknown>): Generator<string> {
  for (const row of rows) yield JSON.stringify(row);
}

// East Asian wide and full-width ranges: a terminal draws them two columns wide
const wide = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += wide.test(ch) ? 2 : 1;
  return width;
}

/** An aligned text table; cell text is cut at `maxWidth` columns and new lines shown as ⏎. */
export function* tableLines(rows: Row[], maxWidth = 40): Generator<string> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const clip = (value: unknown) => {
    let text = cellText(value).replace(/\r?\n/g, '⏎').replaceAll('\t', ' ');
    if (displayWidth(text) <= maxWidth) return text;
    while (displayWidth(text) > maxWidth - 1) text = text.slice(0, -1);
    return `${text}…`;
  };
  const cells = rows.map((row) => columns.map((c) => clip(row[c])));
  const widths = columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (values: string[]) =>
    values.map((v, i) => v + ' '.repeat(widths[i]! - displayWidth(v))).join('  ').trimEnd();
  yield line(columns);
  yield line(widths.map((w) => '-'.repeat(w)));
  for (const r of cells) yield line(r);
}
