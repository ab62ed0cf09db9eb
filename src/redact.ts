// Personal data out of a record before it is stored (`ingest --redact`): the preparer's name and phone
// number become null, the date stays (it dates the report, not a person). A name or number read into a
// preparer may also stand in free text — a closing paragraph "填表人：何立 联系电话：0745-5550121" that
// a layout put inside a section — so every string of the record loses those exact values too, and a
// phone number after a 电话/手机/联系方式 label anywhere in free text is removed even when no preparer
// was recognised. Figures are never touched: only labelled numbers and exact preparer values go.
import type { DocumentRecord } from '../schemas/record.js';

export const REDACTED = '〔已隐去〕';

// "联系电话：0745-5550121", "手机 138 0000 1234", "联系方式:(0745)5550121"
const labelledPhone = /((?:联系)?(?:电话|手机|联系方式)\s*[:：]?\s*)(\(?\+?\d[\d\s()（）-]{5,}\d)/g;

export function redactRecord(record: DocumentRecord): DocumentRecord {
  const values = new Set<string>();
  const forms = record.forms.map((form) => {
    if (!form.preparer) return form;
    for (const v of [form.preparer.name, form.preparer.phone]) if (v && v.trim().length >= 2) values.add(v.trim());
    return { ...form, preparer: { ...form.preparer, name: null, phone: null } };
  });
  // longest first, so a full number is removed before a shorter value inside it
  const exact = [...values].sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => {
    let out = text.replace(labelledPhone, (_, label: string) => `${label}${REDACTED}`);
    for (const v of exact) out = out.replaceAll(v, REDACTED);
    return out;
  };
  const scrubbed = scrubStrings({ ...record, forms }, scrub);
  // the path and the hash identify the file in the store: never rewritten
  return { ...scrubbed, document: { ...scrubbed.document, source: record.document.source, sha256: record.document.sha256 } };
}

/** Applies `scrub` to every string value of a plain JSON value (the record's keys are left alone). */
function scrubStrings<T>(value: T, scrub: (text: string) => string): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubStrings(v, scrub)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubStrings(v, scrub)])) as T;
  }
  return value;
}
