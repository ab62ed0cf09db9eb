// One report in four formats (test/fixtures/word: report.txt written by hand in the text-dump layout,
// report.html, and report.docx / report.doc made from it by LibreOffice, see make.sh) must give the
// same forms and sections: nothing after the extractors may depend on the format.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSoffice } from '../extractors/doc.js';
import { extract } from '../src/pipeline.js';

const fixture = (ext: string) => fs.readFileSync(new URL(`./fixtures/word/report.${ext}`, import.meta.url));

/** Provenance differs by format (a dump has line numbers, a .docx has none): compare values only. */
function content(record: Awaited<ReturnType<typeof extract>>) {
  const withoutPlaces = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'sources' || k === 'place' ? undefined : x)));
  return { forms: withoutPlaces(record.forms), sections: withoutPlaces(record.sections) };
}

describe('format parity: the same report as .txt, .html, .docx and .doc', () => {
  it('the text dump yields a form and the narrative sections (the reference)', async () => {
    const reference = content(await extract(fixture('txt'), 'report.txt'));
    expect(reference.forms).toHaveLength(1);
    expect(reference.forms[0]).toMatchObject({ kind: 'project-self-eval', name: '溪口镇林下经济示范基地建设' });
    expect(reference.forms[0].indicators).toHaveLength(4);
    expect(reference.sections.map((s: { heading: string }) => s.heading)).toEqual(['一、项目基本情况', '二、绩效目标完成情况', '三、存在的问题及改进措施']);
  });

  it.each(['html', 'docx'])('.%s gives the same forms and sections as the text dump', async (ext) => {
    const reference = content(await extract(fixture('txt'), 'report.txt'));
    const record = await extract(fixture(ext), `report.${ext}`);
    expect(record.document.format).toBe(ext);
    expect(content(record)).toEqual(reference);
  });

  it.skipIf(findSoffice() === null)('.doc (through LibreOffice) gives the same forms and sections as the text dump', async () => {
    const reference = content(await extract(fixture('txt'), 'report.txt'));
    const record = await extract(fixture('doc'), 'report.doc');
    expect(record.document.format).toBe('doc');
    expect(content(record)).toEqual(reference);
  });
});
