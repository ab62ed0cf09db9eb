// Search latency over N synthetic documents saved through the store (index upkeep included):
//   npx tsx bench/search.ts [N=10000]
// Documents are made of budget-report vocabulary drawn with a Zipf-like skew, so common characters
// (预, 算, 绩, 效) sit in most rows as they do in real reports: the worst case for 1- and 2-character terms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DocumentRecord } from '../schemas/record.js';
import { Store, type SearchOptions } from '../src/store/index.js';

const words = [
  '预算', '绩效', '项目', '资金', '执行', '管理', '目标', '指标', '完成', '情况', '部门', '支出', '财政', '拨款', '年度',
  '整体', '评价', '自评', '产出', '效益', '满意度', '数量', '质量', '时效', '成本', '社会', '经济', '生态', '可持续',
  '群众', '服务', '建设', '工程', '农村', '饮水', '安全', '医疗', '保障', '基金', '参保', '人数', '覆盖率', '及时率',
  '合格率', '到位率', '执行率', '决算', '收入', '结转', '结余', '公用经费', '三公经费', '公务接待', '公车购置', '运行维护',
  '政府采购', '固定资产', '国有资产', '培训', '宣传', '信息化', '系统', '平台', '设备', '维修', '改造', '高标准农田',
  '水库', '除险加固', '林下经济', '示范基地', '乡村振兴', '产业发展', '基础设施', '公共卫生', '教育', '文化', '体育',
  '旅游', '交通', '道路', '桥梁', '环境', '治理', '污染', '防治', '监督', '检查', '整改', '问题', '措施', '改进',
  '偏差', '原因', '分析', '计划', '实施', '进度', '验收', '审计', '考核', '制度', '规范', '流程', '标准', '依据',
];
const rareChars = '鑫犇淼焱垚燚喆嘉祺瑞';

/** A seeded generator (mulberry32): the same N gives the same corpus. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeCorpus(rand: () => number) {
  const word = () => words[Math.floor(words.length * rand() ** 2)]!; // skewed to the head of the list
  const phrase = (n: number) => Array.from({ length: n }, word).join('');
  const sentence = () => `${phrase(3 + Math.floor(rand() * 6))}${Math.round(rand() * 10000) / 100}万元，${phrase(4)}。`;
  const amount = () => Math.round(rand() * 100000) / 100;
  const numerals = '一二三四五六七八';
  return (i: number): DocumentRecord => {
    const org = `${phrase(1)}县${phrase(1)}局`;
    const form = (kind: 'project-self-eval' | 'dept-self-eval') => ({
      kind, attachment: '附件2', title: `${phrase(2)}自评表`, fiscalYear: 2022, name: phrase(2), supervisor: org, implementer: org,
      funds: ['年度资金总额', '当年财政拨款', '上年结转资金', '其他资金'].map((line) => ({
        line, initialBudget: amount(), annualBudget: amount(), executed: amount(), weight: 10, executionRate: 95.5, score: 9, sources: {},
      })),
      goals: { expected: Array.from({ length: 3 }, sentence).join(''), actual: Array.from({ length: 3 }, sentence).join('') },
      indicators: Array.from({ length: 10 }, () => ({
        level1: '产出指标', level2: '数量指标', name: phrase(2), measure: null, target: `≥${Math.floor(rand() * 100)}%`,
        actual: `${Math.floor(rand() * 100)}%`, weight: 10, score: 9, note: rand() < 0.3 ? sentence() : null, sources: {},
      })),
      totalScore: 95, staffing: null, expenses: [], rubric: [], preparer: null, place: {}, sources: {},
    });
    const sections = Array.from({ length: 8 }, (_, s) => ({
      heading: `${numerals[s]}、${phrase(2)}`, level: 1,
      // one section in 50 holds a rare character: a 1-character term with few hits
      text: Array.from({ length: 4 }, sentence).join('') + (rand() < 0.02 ? rareChars[Math.floor(rand() * rareChars.length)]! : ''),
      place: {},
    }));
    return DocumentRecord.parse({
      document: { sha256: i.toString(16).padStart(64, '0'), source: `bench/${i}.txt`, format: 'text', organization: org, fiscalYear: 2022, title: `${org}${phrase(2)}报告` },
      forms: [form('dept-self-eval'), form('project-self-eval')],
      sections,
      warnings: [],
    });
  };
}

export interface LatencyStats {
  queries: number;
  p50: number;
  p95: number;
  /** mean hits returned (at most the limit) */
  hits: number;
}

export interface SearchBench {
  documents: number;
  entries: number;
  saveMs: number;
  dbBytes: number;
  openMs: number;
  /** default ranking window (the most recent 10,000 matches) */
  latency: Record<QueryLength, LatencyStats>;
  /** every match ranked (rankWindow: Infinity): the cost the window bounds */
  latencyRankAll: Record<QueryLength, LatencyStats>;
}

type QueryLength = '1-char' | '2-char' | '4-char';
const terms: Record<QueryLength, string[]> = {
  '1-char': ['预', '效', '鑫', '淼', '桥', '审'],
  '2-char': ['预算', '绩效', '资金', '水库', '审计', '桥梁'],
  '4-char': ['绩效目标', '预算执行', '公务接待', '除险加固', '乡村振兴', '审计整改'],
};

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Saves `n` synthetic documents to a fresh database and times queries of 1, 2 and 4 characters. */
export function benchSearch(n: number, options: { rounds?: number } = {}): SearchBench {
  const rounds = options.rounds ?? 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-bench-search-'));
  const file = path.join(dir, 'bench.sqlite');
  try {
    const makeRecord = makeCorpus(random(42));
    let store = Store.open(file);
    const meta = { size: null, mtime: null, extractorVersion: 1 };
    const t0 = performance.now();
    for (let i = 0; i < n; i++) store.saveDocument(makeRecord(i), meta);
    const saveMs = performance.now() - t0;
    store.close();
    // a writable open checks for unindexed documents: its cost on a full database
    const t1 = performance.now();
    store = Store.open(file);
    const openMs = performance.now() - t1;
    store.close();
    store = Store.open(file, { readonly: true });
    const entries = [...store.query('SELECT count(*) AS n FROM search_entries')][0]!.n as number;
    const measure = (searchOptions: SearchOptions) => {
      const latency = {} as Record<QueryLength, LatencyStats>;
      for (const [length, list] of Object.entries(terms) as [QueryLength, string[]][]) {
        const times: number[] = [];
        let hits = 0;
        for (const term of list) store.search(term, searchOptions); // warm the page cache
        for (let r = 0; r < rounds; r++) {
          for (const term of list) {
            const t = performance.now();
            hits += store.search(term, searchOptions).length;
            times.push(performance.now() - t);
          }
        }
        times.sort((a, b) => a - b);
        const round = (ms: number) => Math.round(ms * 100) / 100;
        latency[length] = { queries: times.length, p50: round(quantile(times, 0.5)), p95: round(quantile(times, 0.95)), hits: hits / times.length };
      }
      return latency;
    };
    const latency = measure({ limit: 20 });
    const latencyRankAll = measure({ limit: 20, rankWindow: Infinity });
    store.close();
    return { documents: n, entries, saveMs: Math.round(saveMs), dbBytes: fs.statSync(file).size, openMs: Math.round(openMs), latency, latencyRankAll };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 10_000);
  const result = benchSearch(n);
  console.log(JSON.stringify(result, null, 2));
}
