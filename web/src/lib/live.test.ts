import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import type { GranthaEvent } from './api';
import { affected, createEventBuffer, createRefresher, parseMessage, refetchDelayMs, useEventStream } from './live';
import { mockApi } from '../test/mockApi';

const ev = (id: number, kind: string) => ({ id, kind, batchId: 1, jobId: null, taskId: null, actor: 'system', at: 0, data: null }) as GranthaEvent;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('event buffer', () => {
  it('hands a burst on once, within the delay of its first event', () => {
    vi.useFakeTimers();
    const flushed: number[][] = [];
    const buffer = createEventBuffer((es) => flushed.push(es.map((e) => e.id)), 300);
    buffer.push(ev(1, 'task_succeeded'));
    vi.advanceTimersByTime(100);
    buffer.push(ev(2, 'task_succeeded'));
    buffer.push(ev(3, 'task_failed'));
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(flushed).toEqual([[1, 2, 3]]);
  });
  it('a steady stream still flushes every delay (a throttle, not a debounce that would starve)', () => {
    vi.useFakeTimers();
    let flushes = 0;
    const buffer = createEventBuffer(() => flushes++, 300);
    for (let t = 0; t < 3_000; t += 50) {
      buffer.push(ev(t, 'task_succeeded'));
      vi.advanceTimersByTime(50);
    }
    expect(flushes).toBeGreaterThanOrEqual(9);
    expect(refetchDelayMs).toBeLessThan(1_000);
  });
  it('drops what is pending when disposed', () => {
    vi.useFakeTimers();
    let flushes = 0;
    const buffer = createEventBuffer(() => flushes++, 300);
    buffer.push(ev(1, 'x'));
    buffer.dispose();
    vi.advanceTimersByTime(1_000);
    expect(flushes).toBe(0);
  });
});

describe('messages and what they touch', () => {
  it('parses events and ignores anything else', () => {
    expect(parseMessage({ id: '7', event: 'task_failed', data: JSON.stringify(ev(7, 'task_failed')) })?.id).toBe(7);
    expect(parseMessage({ id: '', event: '', data: '' })).toBeNull();
    expect(parseMessage({ id: '', event: '', data: 'not json' })).toBeNull();
  });
  it('a failed task refetches counts, errors and tasks; a job event only the counts and the timeline', () => {
    expect(affected([ev(1, 'task_failed')])).toEqual({ batch: true, errors: true, tasks: true, timeline: true });
    expect(affected([ev(1, 'job_completed')])).toMatchObject({ batch: true, errors: false, tasks: false });
    expect(affected([ev(1, 'tasks_retried')])).toMatchObject({ errors: true, tasks: true });
  });
});

describe('the stream', () => {
  it('sends the key, delivers events, and resumes from the last id after a drop', async () => {
    const api = mockApi({});
    const got: number[] = [];
    const { result, unmount } = renderHook(() => useEventStream('gk_k', 1, (es) => got.push(...es.map((e) => e.id))));
    await waitFor(() => expect(result.current).toBe('live'));
    expect(api.fetchMock.mock.calls[0][0]).toBe('/v1/admin/stream?batch=1');
    expect(new Headers(api.fetchMock.mock.calls[0][1]?.headers).get('x-api-key')).toBe('gk_k');
    api.stream.send(11, 'task_succeeded');
    api.stream.send(12, 'task_failed');
    await waitFor(() => expect(got).toEqual([11, 12]));
    api.stream.end();
    await waitFor(() => expect(api.stream.opened).toHaveLength(2), { timeout: 4_000 });
    expect(api.stream.opened[0].lastEventId).toBeNull();
    expect(api.stream.opened[1].lastEventId).toBe('12');
    unmount();
  });
});

describe('refresher', () => {
  it('never starts a second read of a query while one runs, and reads once more after it for what came meanwhile', async () => {
    const finish: (() => void)[] = [];
    const reads: string[] = [];
    const refresh = createRefresher((k) => {
      reads.push(JSON.stringify(k));
      return new Promise<void>((resolve) => finish.push(resolve));
    });
    refresh(['batch', 1]);
    refresh(['batch', 1]);
    refresh(['batch', 1]);
    refresh(['errors', 1]);
    expect(reads).toEqual(['["batch",1]', '["errors",1]']);
    finish[0]();
    await waitFor(() => expect(reads).toHaveLength(3));
    expect(reads[2]).toBe('["batch",1]');
    finish[2]();
    finish[1]();
    await new Promise((r) => setTimeout(r, 10));
    expect(reads).toHaveLength(3);
    // Idle again: the next call reads at once.
    refresh(['batch', 1]);
    expect(reads).toHaveLength(4);
  });

  it('goes on after a failed read', async () => {
    let n = 0;
    const refresh = createRefresher(() => (n++ === 0 ? Promise.reject(new Error('down')) : Promise.resolve()));
    refresh(['batch', 1]);
    refresh(['batch', 1]);
    await waitFor(() => expect(n).toBe(2));
  });
});
