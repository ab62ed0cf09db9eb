// Table-grid features of WordprocessingML that mammoth 1.13 ignores, repaired in document.xml
// before conversion:
//   - <w:gridBefore w:val="n"/>: the row starts n grid columns late. mammoth counts the row's cells
//     from column 0, so a vertical merge (w:vMerge) in that row joins the cell of the wrong column
//     above. We insert a placeholder cell spanning the n columns; html-model.ts drops it again after
//     conversion, keeping the real cells' grid columns.
//   - legacy <w:hMerge> (Word 95-era horizontal merge, still written by some converters): each
//     merged piece is its own <w:tc>. Word shows one cell, so the pieces become one cell with the
//     summed w:gridSpan, as a modern horizontal merge would be.
//   - rows whose cells do not fill the table's <w:tblGrid> (after gridBefore/gridAfter) get a warning,
//     because their cells' columns cannot be trusted.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Message } from '../schemas/model.js';

/** Text of the placeholder cell for w:gridBefore; private-use characters never occur in reports. */
export const GRID_PLACEHOLDER = '\ue000grid-before\ue000';

export interface GridRepair {
  xml: string;
  placeholder: string;
  messages: Message[];
}

const isElement = (n: AnyNode): n is Element => n.type === 'tag';
const children = (n: Element, name?: string) => n.children.filter(isElement).filter((c) => name === undefined || c.name === name);
const child = (n: Element | undefined, name: string) => (n ? children(n, name)[0] : undefined);
const val = (n: Element | undefined) => {
  const v = Number.parseInt(n?.attribs['w:val'] ?? '', 10);
  return Number.isFinite(v) ? v : undefined;
};

export function repairWordGrid(xml: string): GridRepair {
  const result: GridRepair = { xml, placeholder: GRID_PLACEHOLDER, messages: [] };
  // the common case (Word and LibreOffice output) has none of these: skip the parse
  if (!/<w:(gridBefore|gridAfter|hMerge)\b/.test(xml)) return result;

  const $ = cheerio.load(xml, { xml: { xmlMode: true, decodeEntities: false } });
  let changed = false;
  let topLevel = -1;
  const tables = $('w\\:tbl').toArray();
  for (const tbl of tables) {
    const nested = $(tbl).parents('w\\:tbl').length > 0;
    if (!nested) topLevel++;
    const gridColumns = children(child(tbl, 'w:tblGrid') ?? tbl, 'w:gridCol').length;
    let mismatchedRow: number | undefined;
    let widthSeen: number | undefined;
    children(tbl, 'w:tr').forEach((tr, r) => {
      const trPr = child(tr, 'w:trPr');
      const before = val(child(trPr, 'w:gridBefore')) ?? 0;
      const after = val(child(trPr, 'w:gridAfter')) ?? 0;
      changed = mergeLegacyHMerge($, tr) || changed;
      if (before > 0) {
        const firstCell = children(tr).find((c) => c.name !== 'w:trPr' && c.name !== 'w:tblPrEx');
        const placeholder = `<w:tc><w:tcPr><w:gridSpan w:val="${before}"/></w:tcPr><w:p><w:r><w:t>${GRID_PLACEHOLDER}</w:t></w:r></w:p></w:tc>`;
        if (firstCell) $(firstCell).before(placeholder);
        else $(tr).append(placeholder);
        $(child(trPr, 'w:gridBefore')).remove();
        changed = true;
      }
      const spanned = children(tr, 'w:tc').reduce((sum, tc) => sum + (val(child(child(tc, 'w:tcPr'), 'w:gridSpan')) ?? 1), 0);
      const width = spanned + after; // the placeholder is already among the cells
      widthSeen ??= width;
      const expected = gridColumns > 0 ? gridColumns : widthSeen;
      if (width !== expected && mismatchedRow === undefined) mismatchedRow = r;
    });
    if (mismatchedRow !== undefined && !nested) {
      result.messages.push({
        code: 'docx-table-grid',
        message: `table ${topLevel + 1}, row ${mismatchedRow + 1}: cells do not fill the table grid of ${gridColumns} columns; columns in this table may be shifted`,
        severity: 'warning',
        stage: 'extract',
        place: { table: topLevel },
      });
    }
  }
  if (changed) result.xml = $.xml();
  return result;
}

/** Fold hMerge continuation cells into the cell that starts the merge; true when something changed. */
function mergeLegacyHMerge($: cheerio.CheerioAPI, tr: Element): boolean {
  let changed = false;
  let owner: Element | undefined;
  for (const tc of children(tr, 'w:tc')) {
    const tcPr = child(tc, 'w:tcPr');
    const hMerge = child(tcPr, 'w:hMerge');
    if (!hMerge || !tcPr) {
      owner = undefined;
      continue;
    }
    const restart = hMerge.attribs['w:val'] === 'restart';
    $(hMerge).remove();
    changed = true;
    if (restart || !owner) {
      owner = tc;
      continue;
    }
    const span = val(child(tcPr, 'w:gridSpan')) ?? 1;
    const ownerPr = child(owner, 'w:tcPr');
    const ownerSpan = child(ownerPr, 'w:gridSpan');
    const total = (val(ownerSpan) ?? 1) + span;
    if (ownerSpan) ownerSpan.attribs['w:val'] = String(total);
    else if (ownerPr) $(ownerPr).prepend(`<w:gridSpan w:val="${total}"/>`);
    // text typed into a continuation piece is still shown by Word: keep its paragraphs
    const paragraphs = children(tc).filter((c) => c.name !== 'w:tcPr' && $(c).text().trim() !== '');
    if (paragraphs.length > 0) $(owner).append(paragraphs);
    $(tc).remove();
  }
  return changed;
}
