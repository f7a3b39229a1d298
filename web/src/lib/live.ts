// Live updates: the server-sent events of GET /v1/admin/stream (one batch's events, or without a batch the
// overview's batch and job events). fetch-based, because the key travels in a header (EventSource cannot send one);
// on a dropped connection it reconnects with Last-Event-ID, and the server replays what was missed, once.
// Events do not carry counts: they say something changed, and the page refetches what it shows, throttled.
import { fetchEventSource, type EventSourceMessage } from '@microsoft/fetch-event-source';
import { useEffect, useRef, useState } from 'react';
import type { GranthaEvent } from './api';

/** Longest a change waits before the page refetches: well inside the 1 s the issue asks for, and one refetch per burst. */
export const refetchDelayMs = 300;

/**
 * Collects events and hands them on at most once per `delayMs`, the first `delayMs` after the first event of a burst
 * (a throttle, not a debounce: a steady stream of events still refreshes the page every `delayMs`).
 */
export function createEventBuffer(flush: (events: GranthaEvent[]) => void, delayMs = refetchDelayMs) {
  let pending: GranthaEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    push(e: GranthaEvent) {
      pending.push(e);
      if (timer === null)
        timer = setTimeout(() => {
          timer = null;
          const events = pending;
          pending = [];
          flush(events);
        }, delayMs);
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = [];
    },
  };
}

/** Parses one SSE message into an event; null for anything that is not one (comments, a retry line). */
export function parseMessage(m: Pick<EventSourceMessage, 'id' | 'event' | 'data'>): GranthaEvent | null {
  if (!m.data) return null;
  try {
    const e = JSON.parse(m.data) as GranthaEvent;
    return typeof e.kind === 'string' ? e : null;
  } catch {
    return null;
  }
}

class FatalStreamError extends Error {}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'refused';

/**
 * Follows the stream while mounted: `onEvents` gets what arrived, batched by `createEventBuffer`.
 * A 401/403 stops for good (the key is wrong); anything else reconnects, resuming from the last id.
 */
export function useEventStream(key: string, batchId: number | null, onEvents: (events: GranthaEvent[]) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvents);
  handler.current = onEvents;
  useEffect(() => {
    const abort = new AbortController();
    const buffer = createEventBuffer((events) => handler.current(events));
    setState('connecting');
    const url = batchId === null ? '/v1/admin/stream' : `/v1/admin/stream?batch=${batchId}`;
    fetchEventSource(url, {
      headers: { 'X-Api-Key': key },
      signal: abort.signal,
      // A background tab keeps its stream: coming back shows the present without a burst of refetches.
      openWhenHidden: true,
      async onopen(response) {
        if (response.ok && response.headers.get('content-type')?.startsWith('text/event-stream')) {
          setState('live');
          return;
        }
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          setState('refused');
          throw new FatalStreamError(`stream refused: ${response.status}`);
        }
        setState('reconnecting');
        throw new Error(`stream answered ${response.status}`);
      },
      onmessage(m) {
        const e = parseMessage(m);
        if (e) buffer.push(e);
      },
      onclose() {
        // The server ended the stream (shutting down, or this client lagged): go on from the last id.
        setState('reconnecting');
        throw new Error('stream closed');
      },
      onerror(err) {
        if (err instanceof FatalStreamError) throw err;
        setState('reconnecting');
        return 2_000;
      },
    }).catch(() => undefined);
    return () => {
      abort.abort();
      buffer.dispose();
    };
  }, [key, batchId]);
  return state;
}

/** What a batch page refetches for a set of events: always the counts; errors and tasks when a task ended or was retried. */
export function affected(events: GranthaEvent[]): { batch: boolean; errors: boolean; tasks: boolean; timeline: boolean } {
  const taskEnded = events.some((e) => /^task_(failed|blocked|succeeded|cancelled|retry_scheduled|rescued)$/.test(e.kind));
  const control = events.some((e) => /^(tasks_retried|tasks_requeued|batch_)/.test(e.kind));
  return { batch: events.length > 0, errors: taskEnded || control, tasks: taskEnded || control, timeline: events.length > 0 };
}

/**
 * Refetches a query for the events that touched it without ever cancelling a read in flight: while one runs, further
 * calls ask for one more read after it, which sees everything they signalled. React Query's invalidate cancels the
 * read in flight by default, so a stream of events faster than the read starved the screen (a count seen 10 s late
 * during the Trinity import on a loaded machine); here the screen is at most two reads behind.
 */
export function createRefresher(read: (queryKey: readonly unknown[]) => Promise<unknown>) {
  const state = new Map<string, { again: boolean }>();
  return function refresh(queryKey: readonly unknown[]) {
    const id = JSON.stringify(queryKey);
    const running = state.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const s = { again: false };
    state.set(id, s);
    const run = (): void => {
      void read(queryKey)
        .catch(() => undefined)
        .finally(() => {
          if (s.again) {
            s.again = false;
            run();
          } else state.delete(id);
        });
    };
    run();
  };
}
