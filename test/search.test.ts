import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../src/store/migrations.js';
import { RecordWriter } from '../src/store/records.js';
import { Store, type SearchHit } from '../src/store/index.js';
import { gramTokens, normalizeForSearch, parseQuery } from '../src/store/search.js';
import { benchSearch } from '../bench/search.js';
import { buildRecord } from './fixtures/build-record.js';

const meta = { size: 1, mtime: null, extractorVersion: 1 };
let dir: string;
let dbFile: string;
let store: Store;

// Every planted phrase, and next to it a near miss that must not match: the characters apart
// (预计算), reversed (算预), split over two fields of one row (预 | 算), or one character off.
const corpus = {
  a: buildRecord('a.txt', {
    title: '甲县财政局整体支出自评报告', organization: '甲县财政局', fiscalYear: 2022,
    sections: [
      { heading: '一、部门基本情况', text: '全面实施预算绩效管理。' },
      { heading: '二、高标准农田建设', text: '完成1.2万亩。' },
      { heading: '（一）鑫源项目', level: 2 },
    ],
    forms: [{
      name: '农田水利', supervisor: 'Fund Office',
      funds: [{ line: '年度资金总额', annualBudget: 800, executed: 713.64 }, { line: '当年财政拨款', executed: 713.6 }],
      indicators: [{ level1: '产出指标', level2: '数量指标', name: '新建面积', target: '资金提前预', actual: '算法优化' }],
    }],
  }),
  b: buildRecord('b.txt', {
    title: '乙县农业局报告', organization: '乙县农业局', fiscalYear: 2023,
    sections: [{ heading: '一、概况', text: '预计算完成，算预无误，建设高标准的农田和高标准农地。' }],
    forms: [{ kind: 'fund-self-eval', name: '农业发展', goals: { expected: '打造鑫农品牌', actual: null } }],
  }),
  // OCR output: a gap inside a word, which the search must see through
  c: buildRecord('c.txt', { sections: [{ heading: '1、改革情况', text: '推进预 算改革，建成高标准\n农田3万亩。', level: 3 }] }),
  d: buildRecord('d.txt', {
    forms: [
      { kind: 'scoring-table', rubric: [{ level1: '项目管理', level2: '资金管理', level3: '预算执行率', points: 5 }] },
      { kind: 'basic-data', expenses: [{ item: '公务接待费', final: 1.64 }] },
    ],
  }),
};

const key = (h: SearchHit) => `${h.source} ${h.kind} ${h.label}`;
const found = (query: string) => store.search(query, { limit: 100 }).map(key).sort();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-search-'));
  dbFile = path.join(dir, 'test.sqlite');
  store = Store.open(dbFile);
  for (const record of Object.values(corpus)) store.saveDocument(record, meta);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('search finds every planted phrase and nothing else', () => {
  it('1 character (unigram index)', () => {
    expect(found('鑫')).toEqual(['a.txt section （一）鑫源项目', 'b.txt goals null']);
  });

  it('2 characters (bigram index): not apart, reversed or across two fields; through an OCR gap', () => {
    expect(found('预算')).toEqual(['a.txt section 一、部门基本情况', 'c.txt section 1、改革情况', 'd.txt rubric 预算执行率']);
    expect(found('64')).toEqual(['a.txt fund 年度资金总额', 'd.txt expense 公务接待费']);
    expect(found('Fu')).toEqual(['a.txt form 农田水利']);
  });

  it('3+ characters (trigram index): in headings and text, across a line break, not one character off', () => {
    expect(found('高标准农田')).toEqual(['a.txt section 二、高标准农田建设', 'c.txt section 1、改革情况']);
    expect(found('713.64')).toEqual(['a.txt fund 年度资金总额']);
    expect(found('FUND')).toEqual(['a.txt form 农田水利']);
  });

  it('full-width forms are folded like the scorer folds them', () => {
    expect(found('７１３．６４')).toEqual(['a.txt fund 年度资金总额']);
  });

  it('several terms must all match, short and long mixed', () => {
    expect(found('高标准农田 预算')).toEqual(['c.txt section 1、改革情况']);
    expect(found('预算 鑫')).toEqual([]);
    expect(found('  ')).toEqual([]);
  });

  it('a hit names its document, its section or form, and shows the match in a snippet', () => {
    const [section] = store.search('绩效管理');
    expect(section).toMatchObject({ source: 'a.txt', title: '甲县财政局整体支出自评报告', kind: 'section', heading: '一、部门基本情况', form: null });
    expect(section!.snippet).toBe('全面实施预算[绩效管理]。');
    const [indicator] = store.search('新建面积');
    expect(indicator).toMatchObject({ kind: 'indicator', label: '新建面积', form: { index: 0, kind: 'project-self-eval', name: '农田水利' } });
    expect(store.search('预', { limit: 2 })).toHaveLength(2);
  });

  it('ranks a match in a heading above the same match in a longer body, whatever the paths', () => {
    store.saveDocument(buildRecord('e.txt', { sections: [{ heading: '三、其他', text: '另有桥梁维修若干处，年内全部完成验收。' }] }), meta);
    store.saveDocument(buildRecord('f.txt', { sections: [{ heading: '四、桥梁维修', text: '完成。' }] }), meta);
    expect(store.search('桥梁维修').map((h) => h.source)).toEqual(['f.txt', 'e.txt']);
    expect(store.search('桥梁').map((h) => h.source)).toEqual(['f.txt', 'e.txt']);
    expect(store.search('桥梁 维修验收').map((h) => h.source)).toEqual([]);
    expect(store.search('桥梁 全部完成').map((h) => h.source)).toEqual(['e.txt']);
  });

  it('ranks only the most recently stored matches when told to (the bound on a common term\'s cost)', () => {
    expect(store.search('预算', { rankWindow: 1 }).map(key)).toEqual(['d.txt rubric 预算执行率']);
    expect(store.search('高标准农田 预算', { rankWindow: 1 }).map(key)).toEqual(['c.txt section 1、改革情况']);
    expect(store.search('预算', { rankWindow: Infinity })).toHaveLength(3);
  });
});

describe('the index follows the stored documents', () => {
  const integrity = () => {
    const db = new Database(dbFile);
    db.exec("INSERT INTO search_trigram (search_trigram) VALUES ('integrity-check')");
    db.exec("INSERT INTO search_grams (search_grams) VALUES ('integrity-check')");
    // FTS5 cannot check contentless tables against search_entries: compare the rowids
    const ids = (sql: string) => db.prepare(sql).pluck().all();
    const entryIds = ids('SELECT id FROM search_entries ORDER BY id');
    expect(ids('SELECT rowid FROM search_grams ORDER BY rowid')).toEqual(entryIds);
    expect(ids('SELECT rowid FROM search_trigram ORDER BY rowid')).toEqual(entryIds);
    const entries = db.prepare('SELECT document_id, count(*) AS n FROM search_entries GROUP BY document_id').all();
    db.close();
    return entries;
  };

  it('replacing a document replaces its entries in both indexes', () => {
    store.saveDocument(buildRecord('c.txt', { sections: [{ heading: '1、改革情况', text: '推进改革。' }] }), meta);
    expect(found('预算')).toEqual(['a.txt section 一、部门基本情况', 'd.txt rubric 预算执行率']);
    expect(found('高标准农田')).toEqual(['a.txt section 二、高标准农田建设']);
    expect(found('改革')).toEqual(['c.txt section 1、改革情况']);
    expect(integrity()).toHaveLength(4);
  });

  it('a document that failed on re-ingest leaves the index', () => {
    store.markFailed('b.txt', null, { code: 'unreadable', message: 'x' }, meta);
    expect(found('鑫')).toEqual(['a.txt section （一）鑫源项目']);
    expect(found('农业')).toEqual([]);
    expect(integrity()).toHaveLength(3);
  });

  it('a database made before search existed is indexed when opened for writing', () => {
    const old = path.join(dir, 'v1.sqlite');
    const db = new Database(old);
    db.transaction(() => {
      db.exec(migrations[0]!.sql);
      db.pragma('user_version = 1');
      const id = db
        .prepare("INSERT INTO documents (source, status, extractor_version, ingested_at) VALUES ('old.txt', 'ok', 1, 'now')")
        .run().lastInsertRowid;
      new RecordWriter(db).write(Number(id), buildRecord('old.txt', { sections: [{ heading: '一、绩效目标', text: '' }] }));
    })();
    db.close();
    const migrated = Store.open(old);
    try {
      expect(migrated.search('绩效').map(key)).toEqual(['old.txt section 一、绩效目标']);
    } finally {
      migrated.close();
    }
  });
});

describe('normalisation and query parsing', () => {
  it('removes white space next to CJK only, folds width and case', () => {
    expect(normalizeForSearch('预 算\n执行　ＡＢ  c')).toBe('预算执行ab c');
  });

  it('sends terms under 3 characters to the grams, longer ones to the trigram index', () => {
    const q = parseQuery('预算 绩效目标 鑫');
    expect(q.terms).toEqual(['预算', '绩效目标', '鑫']);
    expect(q.trigram).toBe('"绩效目标"');
    expect(q.grams).toBe(`"${gramTokens('预算').split(' ')[1]}" AND "${gramTokens('鑫')}"`);
    expect(gramTokens('a b')).toBe(`${gramTokens('a')} ${gramTokens('b')}`); // no gram spans a space
  });
});

describe('bench/search.ts', () => {
  it('builds its synthetic archive through the store and times every query length', () => {
    const result = benchSearch(20, { rounds: 1 });
    expect(result.entries).toBeGreaterThan(20 * 30);
    for (const stats of [...Object.values(result.latency), ...Object.values(result.latencyRankAll)]) {
      expect(stats.queries).toBe(6);
      expect(stats.p95).toBeGreaterThanOrEqual(stats.p50);
    }
    expect(result.latency['2-char'].hits).toBeGreaterThan(0);
  });
});
