import { describe as group, expect, it } from 'vitest';
import { bucketSeconds, describe, toSeries } from './throughput';

group('throughput series', () => {
  it('fills every bucket from first to last, as rates per minute', () => {
    const s = toSeries(
      [
        { at: 10_000, key: 'FETCH', count: 5 },
        { at: 30_000, key: 'FETCH', count: 1 },
        { at: 30_000, key: 'EXTRACT', count: 2 },
      ],
      10,
    );
    expect(s.xs).toEqual([10, 20, 30]);
    expect(s.lines.map((l) => l.key)).toEqual(['FETCH', 'EXTRACT']);
    expect(s.lines[0].perMinute).toEqual([30, 0, 6]);
    expect(s.lines[1].perMinute).toEqual([0, 0, 12]);
  });
  it('sums the smallest hosts as other beyond the lines shown', () => {
    const points = ['a', 'b', 'c', 'd'].map((k, i) => ({ at: 0, key: k, count: 10 - i }));
    const s = toSeries(points, 60, 3);
    expect(s.lines.map((l) => [l.key, l.total])).toEqual([
      ['a', 10],
      ['b', 9],
      ['other', 15],
    ]);
  });
  it('says in words what the chart shows', () => {
    expect(describe(toSeries([], 10))).toBe('No task has finished yet.');
    expect(describe(toSeries([{ at: 0, key: 'FETCH', count: 3 }], 60))).toBe('FETCH: 3 finished, peak 3 per minute');
  });
  it('picks a bucket for the batch’s age', () => {
    expect(bucketSeconds(60_000)).toBe(2);
    expect(bucketSeconds(10 * 60_000)).toBe(10);
    expect(bucketSeconds(2 * 3_600_000)).toBe(60);
  });
});
