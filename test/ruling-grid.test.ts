import { describe, expect, it } from 'vitest';
import { boundaries, cluster, connectedRules, coveredLength, touches, type Ruling } from '../extractors/ruling-grid.js';

describe('ruling grid geometry shared by PDF lattices and scanned grids', () => {
  it('clusters chained positions within the tolerance into their mean', () => {
    expect(cluster([10, 12, 100, 13.5, 101], 2.5)).toEqual([(10 + 12 + 13.5) / 3, 100.5]);
  });

  it('counts overlapping spans once', () => {
    expect(coveredLength([[0, 40], [30, 60], [80, 90], [95, 200]], 10, 100)).toBe(50 + 10 + 5);
    expect(coveredLength([[0, 10]], 20, 30)).toBe(0);
  });

  it("lets a scanned rule's thickness close the gap to a crossing rule", () => {
    const h: Ruling = { at: 100, from: 0, to: 200 };
    const v: Ruling = { at: 210, from: 90, to: 300 };
    expect(touches(h, v, 8)).toBe(false);
    expect(touches(h, { ...v, half: 3 }, 8)).toBe(true);
  });

  it('groups touching rules into tables', () => {
    const hs: Ruling[] = [{ at: 0, from: 0, to: 100 }, { at: 50, from: 0, to: 100 }, { at: 500, from: 0, to: 100 }];
    const vs: Ruling[] = [{ at: 0, from: 0, to: 50 }, { at: 100, from: 0, to: 50 }];
    const groups = connectedRules(hs, vs, 2);
    expect(groups.map((g) => [g.hs.length, g.vs.length])).toEqual([[2, 2], [1, 0]]);
  });

  it('finds the slot sides the rules draw: a missing internal rule is a merged cell', () => {
    // 2×2 grid; the vertical rule at x=50 only runs through the lower row
    const hs: Ruling[] = [0, 40, 80].map((at) => ({ at, from: 0, to: 100 }));
    const vs: Ruling[] = [{ at: 0, from: 0, to: 80 }, { at: 100, from: 0, to: 80 }, { at: 50, from: 40, to: 80 }];
    const b = boundaries(hs, vs, { tol: 2, share: 0.6, inset: 0 });
    expect([b.xs, b.ys]).toEqual([[0, 50, 100], [0, 40, 80]]);
    expect([b.vertical(1, 0), b.vertical(1, 1), b.horizontal(1, 0), b.horizontal(1, 1)]).toEqual([false, true, true, true]);
    // a rule stopping short of the crossing counts with its ends left off, not without
    const short = [{ at: 50, from: 44, to: 76 }];
    expect(boundaries(hs, [...vs.slice(0, 2), ...short], { tol: 2, share: 0.9, inset: 0 }).vertical(1, 1)).toBe(false);
    expect(boundaries(hs, [...vs.slice(0, 2), ...short], { tol: 2, share: 0.9, inset: 4 }).vertical(1, 1)).toBe(true);
  });
});
