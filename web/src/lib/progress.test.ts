import { describe, expect, it } from 'vitest';
import { addSample, batchTotals, eta, etaWindowMs, formatDuration, stageProgress } from './progress';

describe('stage progress from counts', () => {
  it('counts finished states as done and draws them first', () => {
    const p = stageProgress({ SUCCEEDED: 40, FAILED: 3, BLOCKED: 1, PENDING: 14, RUNNING: 2 });
    expect(p.total).toBe(60);
    expect(p.done).toBe(44);
    expect(p.open).toBe(16);
    expect(p.fraction).toBeCloseTo(44 / 60);
    expect(p.segments.map((s) => s.state)).toEqual(['SUCCEEDED', 'FAILED', 'BLOCKED', 'RUNNING', 'PENDING']);
    expect(p.segments.reduce((a, s) => a + s.fraction, 0)).toBeCloseTo(1);
  });

  it('a stage without tasks is 0 % and has no segments', () => {
    const p = stageProgress(undefined);
    expect(p).toMatchObject({ total: 0, done: 0, fraction: 0, segments: [] });
  });

  it('sums a batch across stages', () => {
    const t = batchTotals({ MANIFEST: { SUCCEEDED: 1 }, FETCH: { SUCCEEDED: 5, FAILED: 2, RETRY_WAIT: 3 } });
    expect(t).toMatchObject({ total: 11, succeeded: 6, failed: 2, open: 3 });
  });
});

describe('ETA from throughput', () => {
  it('is the open tasks over the rate seen', () => {
    // 20 tasks finished in 10 s: 2 per second, 30 left: 15 s.
    expect(eta([{ at: 0, done: 10 }, { at: 5_000, done: 20 }, { at: 10_000, done: 30 }], 30)).toBe(15_000);
  });
  it('has nothing to say without two samples or without progress, and is 0 when nothing is open', () => {
    expect(eta([{ at: 0, done: 1 }], 5)).toBeNull();
    expect(eta([{ at: 0, done: 1 }, { at: 9_000, done: 1 }], 5)).toBeNull();
    expect(eta([], 0)).toBe(0);
  });
  it('keeps only the window, so a slowdown shows', () => {
    let s = [{ at: 0, done: 0 }];
    s = addSample(s, { at: 30_000, done: 100 });
    s = addSample(s, { at: etaWindowMs + 40_000, done: 110 });
    expect(s[0].at).toBe(30_000);
    expect(eta(s, 10)).toBe(70_000);
  });
  it('does not pile up samples of the same moment', () => {
    const s = addSample([{ at: 1_000, done: 5 }], { at: 1_200, done: 5 });
    expect(s).toHaveLength(1);
  });
  it('formats durations for people', () => {
    expect(formatDuration(15_000)).toBe('15 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3_600_000 + 60_000)).toBe('3 h 1 min');
  });
});
