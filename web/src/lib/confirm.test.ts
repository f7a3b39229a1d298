import { describe, expect, it } from 'vitest';
import type { BatchView } from './api';
import { confirmation, controlsFor, resultText } from './confirm';
import { batchView } from '../test/mockApi';

const b = batchView() as unknown as BatchView;

describe('confirmation text says what will happen, with the numbers', () => {
  it('pause holds the waiting tasks and lets running ones finish', () => {
    const c = confirmation({ kind: 'pause' }, b);
    expect(c.title).toBe('Pause batch 1 “trinity”?');
    expect(c.body).toContain('14 tasks waiting to run will be held');
    expect(c.body).toContain('2 tasks running now will finish');
    expect(c.destructive).toBe(false);
  });
  it('cancel is destructive and says it cannot be resumed', () => {
    const c = confirmation({ kind: 'cancel' }, b);
    expect(c.destructive).toBe(true);
    expect(c.body).toContain('14 tasks not yet run will be cancelled');
    expect(c.body).toContain('cannot be resumed');
  });
  it('retry by code and host names the filter and the count', () => {
    const c = confirmation({ kind: 'retry', stage: 'FETCH', code: 'http_404', host: 'a.example', expected: 5 }, b);
    expect(c.title).toBe('Retry 5 tasks in FETCH with error http_404 on a.example?');
    expect(c.body).toContain('fresh attempts');
    expect(c.confirm).toBe('Retry 5 tasks');
  });
  it('one task is one task', () => {
    expect(confirmation({ kind: 'retry', taskIds: [42], expected: 1 }, b).title).toBe('Retry 1 task (task 42)?');
  });
});

describe('results say what did happen', () => {
  it('from the server’s answer', () => {
    expect(resultText({ kind: 'pause' }, { batchId: 1, status: 'PAUSED', tasks: 14 })).toBe('Paused: 14 tasks held. Batch 1 is now paused.');
    expect(resultText({ kind: 'retry', code: 'x', expected: 3 }, { batchId: 1, status: 'RUNNING', tasks: 0 })).toContain('Nothing retried');
  });
  it('controls follow the batch state machine', () => {
    expect(controlsFor('RUNNING')).toEqual(['pause', 'cancel']);
    expect(controlsFor('PAUSED')).toEqual(['resume', 'cancel']);
    expect(controlsFor('COMPLETED')).toEqual([]);
    expect(controlsFor('CANCELLED')).toEqual([]);
  });
});
