import { formatNumber } from './format';
// The batch screen's throughput chart: finished tasks per time bucket (GET .../throughput), by stage or by host.
import type { ThroughputPoint } from './api';

/** A bucket that gives about 60-150 points over the batch's life so far. */
export function bucketSeconds(spanMs: number): number {
  const s = spanMs / 1000;
  if (s <= 120) return 2;
  if (s <= 1_200) return 10;
  if (s <= 3 * 3_600) return 60;
  if (s <= 24 * 3_600) return 600;
  return 3_600;
}

export interface Series {
  /** Bucket starts in seconds (uPlot's time unit), every bucket from the first to the last, gaps as zero. */
  xs: number[];
  /** One line per key, largest total first; beyond `maxLines` the rest are summed as "other". */
  lines: { key: string; total: number; perMinute: number[] }[];
}

/** Points to aligned series, as rates per minute (a bucket's count scaled to 60 s), so buckets of any size read alike. */
export function toSeries(points: ThroughputPoint[], bucket: number, maxLines = 6): Series {
  if (points.length === 0) return { xs: [], lines: [] };
  const bucketMs = bucket * 1000;
  const first = Math.min(...points.map((p) => p.at));
  const last = Math.max(...points.map((p) => p.at));
  const n = Math.round((last - first) / bucketMs) + 1;
  const xs = Array.from({ length: n }, (_, i) => (first + i * bucketMs) / 1000);
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.key || '(none)', (totals.get(p.key || '(none)') ?? 0) + p.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = ranked.length > maxLines ? ranked.slice(0, maxLines - 1) : ranked;
  const other = ranked.length > maxLines ? ranked.slice(maxLines - 1).reduce((a, [, t]) => a + t, 0) : 0;
  const lines = shown.map(([key, total]) => ({ key, total, perMinute: new Array<number>(n).fill(0) }));
  if (other > 0) lines.push({ key: 'other', total: other, perMinute: new Array<number>(n).fill(0) });
  const index = new Map(lines.map((l, i) => [l.key, i]));
  const scale = 60 / bucket;
  for (const p of points) {
    const line = lines[index.get(p.key || '(none)') ?? index.get('other')!];
    line.perMinute[Math.round((p.at - first) / bucketMs)] += p.count * scale;
  }
  return { xs, lines };
}

/** The chart's text alternative: each line's total and its peak rate. */
export function describe(series: Series): string {
  if (series.lines.length === 0) return 'No task has finished yet.';
  return series.lines.map((l) => `${l.key}: ${formatNumber(l.total)} finished, peak ${formatNumber(Math.round(Math.max(...l.perMinute)))} per minute`).join('; ');
}
