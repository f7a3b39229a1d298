// A fake server for component tests: routes by method and path, records every call, and an event stream the test feeds.
import { vi } from 'vitest';

export type Handler = (req: { url: URL; method: string; headers: Headers; body: unknown }) => { status?: number; json?: unknown } | undefined;

export interface FakeStream {
  /** Sends one server-sent event to every open stream. */
  send(id: number, kind: string, extra?: Record<string, unknown>): void;
  /** Ends the open streams (as a server restart would). */
  end(): void;
  opened: { url: string; lastEventId: string | null }[];
}

export function mockApi(routes: Record<string, Handler | object>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
  const stream: FakeStream = {
    opened: [],
    send(id, kind, extra = {}) {
      const data = JSON.stringify({ id, kind, batchId: 1, jobId: null, taskId: null, actor: 'system', at: Date.now(), data: null, ...extra });
      for (const c of controllers) c.enqueue(new TextEncoder().encode(`id: ${id}\nevent: ${kind}\ndata: ${data}\n\n`));
    },
    end() {
      for (const c of controllers.splice(0)) c.close();
    },
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    calls.push({ method, path: url.pathname + url.search, body: init.body });
    if (url.pathname === '/v1/admin/stream') {
      stream.opened.push({ url: url.pathname + url.search, lastEventId: headers.get('last-event-id') });
      const body = new ReadableStream<Uint8Array>({ start: (c) => void controllers.push(c) });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    }
    const key = `${method} ${url.pathname}`;
    const route = routes[key] ?? routes[`${method} ${url.pathname}${url.search}`];
    if (route === undefined) return new Response(JSON.stringify({ title: 'Not found', status: 404 }), { status: 404, headers: { 'Content-Type': 'application/problem+json' } });
    const answer = typeof route === 'function' ? (route as Handler)({ url, method, headers, body: init.body }) : { json: route };
    const status = answer?.status ?? 200;
    return new Response(JSON.stringify(answer?.json ?? {}), {
      status,
      headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  window.fetch = fetchMock as typeof window.fetch;
  return { calls, stream, fetchMock, count: (method: string, path: string) => calls.filter((c) => c.method === method && c.path.split('?')[0] === path).length };
}

export function signedIn(role: string, key = 'gk_test') {
  sessionStorage.setItem('grantha.apiKey', key);
  sessionStorage.setItem('grantha.role', role);
}

export const batchView = (over: Record<string, unknown> = {}) => ({
  id: 1,
  name: 'trinity',
  status: 'RUNNING',
  createdBy: 'api:curator',
  createdAt: Date.now() - 60_000,
  updatedAt: Date.now(),
  settledAt: null,
  options: {},
  jobs: [
    { stage: 'MANIFEST', status: 'COMPLETED', startedAt: 1, finishedAt: 2, counts: { SUCCEEDED: 1 }, total: 1 },
    { stage: 'FETCH', status: 'RUNNING', startedAt: 1, finishedAt: null, counts: { SUCCEEDED: 40, FAILED: 3, BLOCKED: 1, PENDING: 14, RUNNING: 2 }, total: 60 },
  ],
  manifest: { rows: 62, accepted: 60, errors: 2, distinctUrls: 60, files: [] },
  ...over,
});
