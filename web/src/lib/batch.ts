import { formatNumber } from './format';
// The batch screen's newer parts: the hosts panel, selection controls, curator choices for blocked names, and export.
import { call, query, refusal, type BatchView, type ControlResult, type ErrorGroup, type TaskFilter } from './api';

const bulk = '/v1/admin/bulk-import';

/** The batch's FETCH tasks on one host by state (pending includes paused ones; retrying waits for its next try). */
export interface HostTaskCounts {
  pending: number;
  running: number;
  retrying: number;
  succeeded: number;
  failed: number;
  blocked: number;
  cancelled: number;
}

/** One host as the manifest names it, with the politeness gate's state (null where the gate has not seen it yet). */
export interface HostView {
  host: string;
  /** The spacing in force: the larger of the adaptive delay (raised by 5xx, 429, time-outs) and robots.txt's Crawl-delay. */
  delayNowMs: number | null;
  delayMs: number | null;
  crawlDelayMs: number | null;
  inFlight: number;
  /** A Retry-After block still ahead, else null. */
  blockedUntil: number | null;
  nextStartAt: number | null;
  lastRequestAt: number | null;
  tasks: HostTaskCounts;
}

export interface HostsView {
  fetchJobId: number | null;
  /** The store's clock when read (relative times count from it, not from this browser's clock). */
  now: number;
  hosts: HostView[];
}

export interface Candidate {
  id: string;
  name: string;
  score: number;
  reason?: string;
}

/** A name that keeps pages from resolving (GET .../resolution: review). */
export interface ReviewName {
  kind: string;
  name: string;
  key: string;
  rows: number;
  pages: number;
  candidates: Candidate[];
}

export interface ResolutionSummary {
  batchId: number;
  needsReview: number;
  review: ReviewName[];
}

export interface ChoiceResult {
  batchId: number;
  kind: string;
  name: string;
  entityId: string;
  entityName: string;
  tasksRequeued: number;
  workers?: string[];
}

/** The API's cap on task ids in one retry or requeue (BulkImportApi.TaskIdsMax). */
export const taskIdsMax = 10_000;

export const batchApi = {
  /** A task's stored page as a reading view (text and structure only), to be shown in a sandboxed srcdoc frame. */
  taskPage: async (key: string, taskId: number): Promise<string> => {
    const r = await fetch(`${bulk}/tasks/${taskId}/page?view=reading`, { headers: { 'X-Api-Key': key, Accept: 'text/html' } });
    if (!r.ok) throw await refusal(r);
    return r.text();
  },
  /** The stored page as the source sent it (the evidence). */
  taskPageUrl: (taskId: number) => `${bulk}/tasks/${taskId}/page`,
  hosts: (key: string, id: number) => call<HostsView>(key, `${bulk}/batches/${id}/hosts`),
  resolution: (key: string, id: number) => call<ResolutionSummary>(key, `${bulk}/batches/${id}/resolution`),
  choose: (key: string, id: number, choice: { kind: string; name: string; entityId: string }) =>
    call<ChoiceResult>(key, `${bulk}/batches/${id}/resolution/choose`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(choice),
    }),
  /** Retry (failed and blocked) or requeue (also succeeded) exactly these tasks. */
  selected: (key: string, id: number, taskIds: number[], requeue: boolean) => {
    if (taskIds.length > taskIdsMax) throw new Error(tooMany(taskIds.length));
    return call<ControlResult>(key, `${bulk}/batches/${id}/${requeue ? 'requeue' : 'retry'}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ taskIds }),
    });
  },
};

/** The streaming export of the task list with its filter (every matching task, not only the loaded pages). */
export function taskExportUrl(id: number, filter: TaskFilter, format: 'csv' | 'jsonl' = 'csv'): string {
  return `${bulk}/batches/${id}/tasks/export${query({ format, stage: filter.stage, state: filter.state, code: filter.code, host: filter.host, q: filter.q })}`;
}

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // Spreadsheets run a cell that starts with = + - @ as a formula: prefix it (docs/review.md, QA export).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The error groups as shown (stage, code, host, state, count), as CSV. */
export function errorGroupsCsv(groups: ErrorGroup[]): string {
  const lines = [['stage', 'code', 'host', 'state', 'tasks'].join(',')].concat(
    groups.map((g) => [g.stage, g.code, g.host ?? '', g.state, g.count].map(csvCell).join(',')),
  );
  return lines.join('\r\n') + '\r\n';
}

const tasks = (n: number) => `${formatNumber(n)} task${n === 1 ? '' : 's'}`;

export function tooMany(n: number): string {
  return `${tasks(n)} are selected; one retry or requeue takes at most ${formatNumber(taskIdsMax)}. Select fewer, or retry by error code, host or state.`;
}

/** What retrying or requeueing a selection will do, said before (the confirmation). */
export function selectionConfirmation(n: number, requeue: boolean, batch: BatchView) {
  const which = `batch ${batch.id} “${batch.name}”`;
  const paused = batch.status === 'PAUSED' ? ' The batch is paused: resume it first, or the server refuses.' : '';
  const reopen = batch.status === 'COMPLETED' ? ' The completed batch runs again.' : '';
  return requeue
    ? {
        title: `Requeue ${tasks(n)}?`,
        body:
          `Of the ${tasks(n)} selected in ${which}, those that succeeded, failed or are blocked go back to the queue and run again ` +
          `from their first attempt, their errors cleared; a succeeded fetch fetches its page again. Pending, running and cancelled ones are not touched.${reopen}${paused}`,
        confirm: `Requeue ${tasks(n)}`,
      }
    : {
        title: `Retry ${tasks(n)}?`,
        body:
          `Of the ${tasks(n)} selected in ${which}, the failed and blocked ones go back to the queue with fresh attempts and their errors cleared. ` +
          `Succeeded, pending, running and cancelled ones are not touched.${reopen}${paused}`,
        confirm: `Retry ${tasks(n)}`,
      };
}

/** What it did, from the server's answer. */
export function selectionResult(selected: number, requeue: boolean, r: ControlResult): string {
  const status = `Batch ${r.batchId} is now ${r.status.toLowerCase()}.`;
  const verb = requeue ? 'Requeued' : 'Retried';
  if (r.tasks === 0)
    return `Nothing ${verb.toLowerCase()}: none of the ${tasks(selected)} selected was ${requeue ? 'finished' : 'failed or blocked'}. ${status}`;
  return `${verb} ${tasks(r.tasks)} of ${formatNumber(selected)} selected. ${status}`;
}

/** “in 3 minutes”, “in 40 seconds”, “2 hours ago”: a relative time that does not tick. */
export function relativeText(at: number, now: number): string {
  const d = at - now;
  const abs = Math.abs(d);
  const [n, unit] =
    abs < 60_000 ? [Math.max(1, Math.round(abs / 1000)), 'second'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'minute'] : [Math.round(abs / 3_600_000), 'hour'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return d >= 0 ? `in about ${text}` : `about ${text} ago`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10_000 ? `${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 2 })} s` : `${formatNumber(Math.round(ms / 1000))} s`;
}

/**
 * Runs `fn` at most once per `ms`: at once when the last run is older than that, else once at the end of the
 * window (later calls in the window fold into that one).
 */
export function createThrottle(fn: () => void, ms: number, clock: () => number = Date.now) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = clock();
    fn();
  };
  return {
    call() {
      if (timer !== null) return;
      const wait = last + ms - clock();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
