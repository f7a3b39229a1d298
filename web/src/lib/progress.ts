// A stage's progress from its task counts by state, and an ETA from the throughput seen on this page.
import type { Counts } from './api';

export const openStates = ['PENDING', 'RETRY_WAIT', 'PAUSED', 'RUNNING'] as const;
export const finishedStates = ['SUCCEEDED', 'FAILED', 'BLOCKED', 'CANCELLED'] as const;
/** The order states are drawn in a bar and listed in a legend. */
export const stateOrder = ['SUCCEEDED', 'FAILED', 'BLOCKED', 'CANCELLED', 'RUNNING', 'RETRY_WAIT', 'PAUSED', 'PENDING'] as const;

export interface StageProgress {
  total: number;
  /** Tasks that will not run again without a control (succeeded, failed, blocked, cancelled). */
  done: number;
  open: number;
  succeeded: number;
  failed: number;
  blocked: number;
  /** done / total, 0..1; a stage without tasks is 0. */
  fraction: number;
  /** Each state's share of the bar, in stateOrder, states with no tasks left out. */
  segments: { state: string; count: number; fraction: number }[];
}

export function stageProgress(counts: Counts | undefined): StageProgress {
  const c = counts ?? {};
  const n = (s: string) => c[s] ?? 0;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  const done = finishedStates.reduce((a, s) => a + n(s), 0);
  const open = openStates.reduce((a, s) => a + n(s), 0);
  return {
    total,
    done,
    open,
    succeeded: n('SUCCEEDED'),
    failed: n('FAILED'),
    blocked: n('BLOCKED'),
    fraction: total === 0 ? 0 : done / total,
    segments: stateOrder.filter((s) => n(s) > 0).map((s) => ({ state: s, count: n(s), fraction: n(s) / total })),
  };
}

/** Sum of counts across stages (the batch list's one-line summary). */
export function batchTotals(byStage: Record<string, Counts>): StageProgress {
  const sum: Counts = {};
  for (const counts of Object.values(byStage)) for (const [s, v] of Object.entries(counts)) sum[s] = (sum[s] ?? 0) + v;
  return stageProgress(sum);
}

export interface Sample {
  at: number;
  done: number;
}

/** How far back throughput is measured: long enough to smooth bursts, short enough to follow a slowdown. */
export const etaWindowMs = 60_000;

/** Keeps the samples inside the window (and at least the newest two), adding the new one if `done` moved or time passed. */
export function addSample(samples: Sample[], s: Sample): Sample[] {
  const last = samples[samples.length - 1];
  if (last && last.done === s.done && s.at - last.at < 1_000) return samples;
  const kept = [...samples, s].filter((x) => s.at - x.at <= etaWindowMs);
  return kept.length >= 2 ? kept : [...samples.slice(-1), s];
}

/** Milliseconds until `open` tasks are done at the rate seen over the samples; null when there is no rate to go by. */
export function eta(samples: Sample[], open: number): number | null {
  if (open === 0) return 0;
  if (samples.length < 2) return null;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const elapsed = last.at - first.at;
  const finished = last.done - first.done;
  if (elapsed <= 0 || finished <= 0) return null;
  return (open / finished) * elapsed;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatAge(since: number, now: number): string {
  return formatDuration(Math.max(0, now - since)) + ' ago';
}
