import { formatNumber } from './format';
// What a control will do, said before it is done, and what it did, said after (the numbers from the server).
import type { ControlResult } from './api';
import { stageProgress } from './progress';
import type { BatchView } from './api';

export type Control =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'cancel' }
  | { kind: 'retry'; stage?: string; code?: string; host?: string | null; taskIds?: number[]; expected: number };

export interface Confirmation {
  title: string;
  body: string;
  confirm: string;
  /** A control that cannot be undone from the dashboard. */
  destructive: boolean;
}

function openCounts(batch: BatchView) {
  const n = { waiting: 0, running: 0, paused: 0 };
  for (const j of batch.jobs) {
    const c = j.counts;
    n.waiting += (c.PENDING ?? 0) + (c.RETRY_WAIT ?? 0);
    n.running += c.RUNNING ?? 0;
    n.paused += c.PAUSED ?? 0;
  }
  return n;
}

const tasks = (n: number) => `${formatNumber(n)} task${n === 1 ? '' : 's'}`;

export function describeFilter(c: { stage?: string; code?: string; host?: string | null; taskIds?: number[] }): string {
  const parts: string[] = [];
  if (c.stage) parts.push(`in ${c.stage}`);
  if (c.code) parts.push(`with error ${c.code}`);
  if (c.host) parts.push(`on ${c.host}`);
  if (c.taskIds?.length) parts.push(c.taskIds.length === 1 ? `(task ${c.taskIds[0]})` : `(${c.taskIds.length} selected)`);
  return parts.join(' ');
}

export function confirmation(control: Control, batch: BatchView): Confirmation {
  const which = `batch ${batch.id} “${batch.name}”`;
  const n = openCounts(batch);
  switch (control.kind) {
    case 'pause':
      return {
        title: `Pause ${which}?`,
        body: `${tasks(n.waiting)} waiting to run will be held. ${n.running > 0 ? `The ${tasks(n.running)} running now will finish. ` : ''}Resume continues where it stopped.`,
        confirm: 'Pause batch',
        destructive: false,
      };
    case 'resume':
      return {
        title: `Resume ${which}?`,
        body: `${tasks(n.paused)} held by the pause go back to the queue and run.`,
        confirm: 'Resume batch',
        destructive: false,
      };
    case 'cancel':
      return {
        title: `Cancel ${which}?`,
        body: `${tasks(n.waiting + n.paused)} not yet run will be cancelled and never run${n.running > 0 ? `; the ${tasks(n.running)} running now stop` : ''}. A cancelled batch cannot be resumed. Finished work stays, and retry or requeue can run tasks again.`,
        confirm: 'Cancel batch',
        destructive: true,
      };
    case 'retry': {
      const filter = describeFilter(control);
      return {
        title: `Retry ${tasks(control.expected)}${filter ? ' ' + filter : ''}?`,
        body: `The failed and blocked tasks${filter ? ' ' + filter : ''} of ${which} go back to the queue with fresh attempts and their errors cleared. Tasks that succeeded are not touched.`,
        confirm: `Retry ${tasks(control.expected)}`,
        destructive: false,
      };
    }
  }
}

export function resultText(control: Control, r: ControlResult): string {
  const status = `Batch ${r.batchId} is now ${r.status.toLowerCase()}.`;
  switch (control.kind) {
    case 'pause':
      return `Paused: ${tasks(r.tasks)} held. ${status}`;
    case 'resume':
      return `Resumed: ${tasks(r.tasks)} back in the queue. ${status}`;
    case 'cancel':
      return `Cancelled: ${tasks(r.tasks)} will not run. ${status}`;
    case 'retry':
      return r.tasks === 0
        ? `Nothing retried: no failed or blocked task matched (it may have been retried already). ${status}`
        : `Retried ${tasks(r.tasks)}. ${status}`;
  }
}

/** The controls a batch in this status accepts (the batch state machine: docs/state-machines.md). */
export function controlsFor(status: string): ('pause' | 'resume' | 'cancel')[] {
  switch (status) {
    case 'RUNNING':
      return ['pause', 'cancel'];
    case 'PAUSED':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

export { stageProgress };
