// The last stage: every record is checked against the zod schemas before it leaves extract().
// A form that fails does not crash the document and is not silently dropped: the offending values
// are nulled (or, failing that, the form is left out) and a warning says what and where.
import type { Message } from '../schemas/model.js';
import { DocumentInfo, DocumentRecord, Form, Section, Warning } from '../schemas/record.js';
import type { z } from 'zod';

export function validateRecord(input: {
  document: unknown;
  forms: unknown[];
  sections: unknown[];
  warnings: Message[];
}): DocumentRecord {
  const warnings: Message[] = [];
  const forms = keepValid(Form, input.forms, 'form', warnings);
  const sections = keepValid(Section, input.sections, 'section', warnings);
  const document = DocumentInfo.parse(input.document); // built by the pipeline itself: a failure is a bug
  const all = [...input.warnings, ...warnings].map((w) => Warning.parse(w));
  return DocumentRecord.parse({ document, forms, sections, warnings: all });
}

function keepValid<S extends z.ZodType>(schema: S, items: unknown[], what: string, warnings: Message[]): z.infer<S>[] {
  const kept: z.infer<S>[] = [];
  items.forEach((item, index) => {
    let candidate = item;
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = schema.safeParse(candidate);
      if (result.success) {
        kept.push(result.data);
        return;
      }
      const place = placeOf(item);
      for (const issue of result.error.issues) {
        warnings.push({
          code: 'validation-failed',
          severity: 'warning',
          stage: 'validate',
          message: `${what} ${index}: ${issue.path.join('.') || '(root)'}: ${issue.message}; value set to null`,
          ...(what === 'form' ? { form: kept.length } : {}),
          ...(place ? { place } : {}),
        });
      }
      const repaired = nullPaths(candidate, result.error.issues.map((i) => i.path));
      if (repaired === undefined) break;
      candidate = repaired;
    }
    warnings.push({
      code: 'validation-dropped',
      severity: 'error',
      stage: 'validate',
      message: `${what} ${index} could not be repaired to fit the schema and was left out`,
      ...(placeOf(item) ? { place: placeOf(item) } : {}),
    });
  });
  return kept;
}

function placeOf(item: unknown): Message['place'] | undefined {
  const p = (item as { place?: unknown } | null)?.place;
  return p && typeof p === 'object' ? (p as Message['place']) : undefined;
}

/** A deep copy with the value at each path set to null; undefined when a path cannot be nulled. */
function nullPaths(value: unknown, paths: PropertyKey[][]): unknown {
  const copy = structuredClone(value) as Record<PropertyKey, unknown>;
  for (const path of paths) {
    if (path.length === 0) return undefined;
    let node: Record<PropertyKey, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) node = node?.[key] as Record<PropertyKey, unknown> | undefined;
    const last = path[path.length - 1]!;
    if (!node || typeof node !== 'object') return undefined;
    if (node[last] === null) return undefined; // already null and still invalid: not nullable
    node[last] = null;
  }
  return copy;
}
