// .html: LibreOffice "Save as HTML" exports and government portal pages. Decoding follows the
// declared charset, detects one when none is declared, then html-model.ts builds the model.
import type { DocModel, Message } from '../schemas/model.js';
import { ErrorCode, IngestError } from '../src/errors.js';
import { utf16WithoutBom } from '../src/detect.js';
import { htmlToModel } from './html-model.js';
import { damagedMessage, decodeDamaged, gb2312Share, looksLikeChineseGb } from './text.js';

export function extractHtml(bytes: Uint8Array): DocModel {
  const decoded = decodeHtml(bytes);
  const model = htmlToModel(decoded.text, { collapseWhitespace: true });
  return { format: 'html', blocks: model.blocks, messages: [...decoded.messages, ...model.messages] };
}

export interface DecodedHtml {
  text: string;
  /** the encoding used, as a WHATWG label */
  encoding: string;
  messages: Message[];
}

/**
 * BOM first (it overrides any declaration, as in browsers), then UTF-16 told by its NULs, then the declared charset
 * (<meta charset>, <meta http-equiv="Content-Type">, <?xml encoding?>), then detection: strict
 * UTF-8, then GB18030. A page declaring UTF-8 that is not valid UTF-8 is usually GBK saved by an
 * old editor: it is decoded as GB18030 when that decodes cleanly, with a warning. A page that neither
 * decodes cleanly (cut inside a character, a damaged byte) takes the one with rare invalid sequences.
 */
export function decodeHtml(bytes: Uint8Array): DecodedHtml {
  const messages: Message[] = [];
  const b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(b.subarray(3)), encoding: 'utf-8', messages };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(b.subarray(2)), encoding: 'utf-16le', messages };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(b.subarray(2)), encoding: 'utf-16be', messages };
  const utf16 = utf16WithoutBom(b);
  if (utf16 !== null) return { text: new TextDecoder(utf16).decode(b), encoding: utf16, messages };

  const declared = declaredCharset(b);
  const label = declared === undefined ? undefined : encodingFor(declared);
  if (declared !== undefined && label === undefined) {
    messages.push(charsetMessage(`declared charset "${declared}" is unknown; the encoding was detected instead`));
  }
  if (label !== undefined && label !== 'utf-8') {
    // a template's <meta> kept when the page was saved in another encoding (GB2312 declared on a
    // UTF-8 page, iso-8859-1 or Big5 on a GBK one): bytes that can only be one thing decide
    const actual = unmistakableEncoding(b);
    if (actual !== undefined && actual !== label) {
      messages.push(charsetMessage(`page declares ${declared} but its bytes are ${actual === 'utf-8' ? 'UTF-8' : 'GB18030 Chinese'}; decoded as such`));
      return { text: tryDecode(actual, b)!, encoding: actual, messages };
    }
    return { text: new TextDecoder(label).decode(b), encoding: label, messages };
  }
  const utf8 = tryDecode('utf-8', b);
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8', messages };
  // only when GB18030 makes Chinese of it: a UTF-8 page cut inside a character is often valid GB18030 too
  const chinese = looksLikeChineseGb(b);
  const gb = chinese ? tryDecode('gb18030', b) : undefined;
  if (gb !== undefined) {
    if (label === 'utf-8') messages.push(charsetMessage('page declares UTF-8 but is not valid UTF-8; decoded as GB18030'));
    return { text: gb, encoding: 'gb18030', messages };
  }
  if (label === 'utf-8') {
    // a damaged GBK page under a UTF-8 declaration is still GBK
    const best = chinese ? decodeDamaged(b, ['utf-8', 'gb18030']) : undefined;
    if (best?.encoding === 'gb18030') {
      messages.push(charsetMessage(`page declares UTF-8 but is GB18030 Chinese; ${best.invalid} invalid byte sequence(s) (a cut or damaged file) were replaced with U+FFFD`));
      return { text: best.text, encoding: 'gb18030', messages };
    }
    messages.push(charsetMessage('page declares UTF-8 but holds invalid byte sequences; they were replaced with U+FFFD'));
    return { text: new TextDecoder('utf-8').decode(b), encoding: 'utf-8', messages };
  }
  const damaged = decodeDamaged(b, chinese ? ['utf-8', 'gb18030'] : ['utf-8']);
  if (damaged === undefined) throw new IngestError(ErrorCode.unreadable, 'HTML declares no charset and is neither UTF-8 nor GB18030 Chinese');
  messages.push(damagedMessage('html-charset', damaged));
  return { text: damaged.text, encoding: damaged.encoding, messages };
}

/** The charset a page declares in its first bytes (the HTML prescan looks at 1024; old pages put long <style> first). */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 8192)).toString('latin1');
  for (const meta of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(meta);
    if (direct?.[1]) return direct[1];
  }
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)/i.exec(head);
  return xml?.[1];
}

/** A WHATWG encoding for a declared label; every GB label decodes as GB18030 (Node's 'gbk' garbles 4-byte sequences). */
function encodingFor(declared: string): string | undefined {
  const name = declared.trim().toLowerCase();
  if (/^(gb2312|gbk|gb18030|x-gbk|gb_2312-80|csgb2312|chinese|iso-ir-58|cp936|ms936|windows-936)$/.test(name)) return 'gb18030';
  // a meta tag cannot honestly declare UTF-16: the bytes it was read from were ASCII (HTML spec)
  if (/^utf-?16/.test(name)) return 'utf-8';
  try {
    return new TextDecoder(name).encoding;
  } catch {
    return undefined;
  }
}

/**
 * Strict UTF-8 holding multi-byte characters (legacy CJK bytes almost never form valid UTF-8 over a
 * page), else strict GB18030 whose characters are common Chinese; undefined when the bytes could be
 * anything (ASCII only, or another legacy encoding).
 */
function unmistakableEncoding(bytes: Uint8Array): 'utf-8' | 'gb18030' | undefined {
  const nonAscii = bytes.some((x) => x >= 0x80);
  if (!nonAscii) return undefined;
  if (tryDecode('utf-8', bytes) !== undefined) return 'utf-8';
  const { chars, share } = gb2312Share(bytes);
  return chars >= 10 && share >= 0.95 && tryDecode('gb18030', bytes) !== undefined ? 'gb18030' : undefined;
}

function tryDecode(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function charsetMessage(message: string): Message {
  return { code: 'html-charset', message, severity: 'warning', stage: 'extract' };
}
