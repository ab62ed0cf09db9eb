import { describe, expect, it } from 'vitest';
import { extract } from '../src/pipeline.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('extract', () => {
  it('warns when a document has text but nothing was recognised in it', async () => {
    const record = await extract(utf8('会议纪要\n今天讨论了办公用品的采购安排。\n'), 'memo.txt');
    expect(record.forms).toEqual([]);
    expect(record.sections).toEqual([]);
    expect(record.warnings.map((w) => w.code)).toContain('nothing-recognised');
  });

  it('does not warn when a section was recognised', async () => {
    const record = await extract(utf8('一、基本情况\n本单位共有职工12人。\n'), 'report.txt');
    expect(record.sections.map((s) => s.heading)).toEqual(['一、基本情况']);
    expect(record.warnings.map((w) => w.code)).not.toContain('nothing-recognised');
  });
});
