// Format detection by content (Tika's Detector): the file name is never trusted, because archives
// are full of .doc files that are really .docx, HTML saved as .xls, PDFs named .docx.

export type Detected =
  | 'docx' | 'doc' | 'pdf' | 'png' | 'jpeg' | 'tiff' | 'html' | 'text'
  | 'zip' | 'ole2' | 'gif' | 'bmp' | 'rtf' | 'binary' | 'empty';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);

export function detectFormat(bytes: Uint8Array): Detected {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'pdf'; // %PDF
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x42, 0x4d]) && bytes.length > 26 && bytes[14] !== undefined && bytes[14] >= 12 && bytes[15] === 0) return 'bmp';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // entry names are stored in clear in the local and central headers
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('word/document.xml') ? 'docx' : 'zip';
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'doc';
  // a PDF may carry a few bytes of junk before its header
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (/^\s*\{\\rtf/.test(head)) return 'rtf';
  if (looksLikeHtml(bytes)) return 'html';
  return looksLikeText(bytes) ? 'text' : 'binary';
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = headText(bytes, 4096).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  // an XML prolog may precede anything (XHTML puts its DOCTYPE next); fragments cut out of a portal
  // page start with their first element
  return /^(<\?xml[^>]*>\s*)?(<!doctype html|<html|<head|<meta|<body|<!--|<table|<div|<p[\s>]|<h[1-6][\s>]|<center|<font|<title|<style)/.test(head) && /<(html|body|table|p|div)[\s>]/.test(headText(bytes, 65536).toLowerCase());
}

/** The first bytes as text: UTF-16 by its BOM (Word saves "Unicode" web pages so), else one char per byte. */
function headText(bytes: Uint8Array, end: number): string {
  const b = Buffer.from(bytes.subarray(0, end));
  const even = (from: number) => Buffer.from(b.subarray(from, from + ((b.length - from) & ~1)));
  if (b[0] === 0xff && b[1] === 0xfe) return even(2).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) return even(2).swap16().toString('utf16le');
  const utf16 = utf16WithoutBom(bytes);
  if (utf16 === 'utf-16le') return even(0).toString('utf16le');
  if (utf16 === 'utf-16be') return even(0).swap16().toString('utf16le');
  return b.toString('latin1');
}

/**
 * UTF-16 without a BOM (some export tools and scripts write "Unicode" text so): the high byte of every
 * ASCII character (digits, TABs, line breaks, which every dump and page has) is a NUL, at odd offsets
 * in LE and even ones in BE. The other offset holds NULs only for U+xx00 characters ("一", U+3000),
 * so few. The sample must also read as text: almost only ASCII, CJK and full-width characters, which
 * rules out binary tables of 16-bit numbers.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 8192) & ~1;
  if (n < 16) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== 0) continue;
    if (i & 1) odd++;
    else even++;
  }
  const pairs = n / 2;
  const label = odd >= pairs * 0.1 && even * 4 < odd ? 'utf-16le' : even >= pairs * 0.1 && odd * 4 < even ? 'utf-16be' : null;
  if (label === null) return null;
  // a surrogate pair cut at the sample's end decodes as one U+FFFD: not a reason to refuse
  const text = new TextDecoder(label).decode(bytes.subarray(0, n));
  let plausible = 0;
  for (const ch of text) if (/[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u9fff\uff00-\uffef]/u.test(ch)) plausible++;
  return plausible >= text.length * 0.95 ? label : null;
}

/** UTF-16 (by BOM or by its NULs) is text; otherwise text has no NULs and few control bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return true;
  if (utf16WithoutBom(bytes) !== null) return true;
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control / sample.length < 0.01;
}
