import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { batchView, mockApi, signedIn } from '../test/mockApi';

const bulk = '/v1/admin/bulk-import/batches/1';
const task = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  batchId: 1,
  stage: 'FETCH',
  state: 'FAILED',
  attempt: 3,
  maxAttempts: 3,
  subject: `http://a.example/${id}.html`,
  host: 'a.example',
  result: null,
  dueAt: 0,
  errorCode: 'http_503',
  errorKind: 'transient',
  errorMessage: 'Service unavailable',
  errorHttpStatus: 503,
  errorAttempt: 3,
  errorAt: 1,
  createdAt: 1,
  updatedAt: 1,
  finishedAt: 1,
  ...over,
});
const now = Date.now();
const hosts = {
  fetchJobId: 7,
  now,
  hosts: [
    {
      host: 'a.example',
      delayNowMs: 4500,
      delayMs: 4500,
      crawlDelayMs: 3000,
      inFlight: 1,
      blockedUntil: now + 3 * 60_000,
      nextStartAt: now + 2_000,
      lastRequestAt: now - 500,
      tasks: { pending: 2, running: 1, retrying: 1, succeeded: 10, failed: 3, blocked: 0, cancelled: 0 },
    },
    {
      host: 'b.example',
      delayNowMs: 1000,
      delayMs: 1000,
      crawlDelayMs: 0,
      inFlight: 0,
      blockedUntil: null,
      nextStartAt: null,
      lastRequestAt: null,
      tasks: { pending: 0, running: 0, retrying: 0, succeeded: 5, failed: 0, blocked: 0, cancelled: 0 },
    },
  ],
};
const blockedGroups = [
  { stage: 'FETCH', state: 'FAILED', code: 'http_503', host: 'a.example', count: 3 },
  { stage: 'RESOLVE', state: 'BLOCKED', code: 'needs_review', host: 'a.example', count: 4 },
];
const resolution = {
  batchId: 1,
  needsReview: 4,
  review: [{ kind: 'raga', name: 'kalyaani', key: 'kalyani', rows: 4, pages: 4, candidates: [{ id: 'raga:kalyani', name: 'Kalyani', score: 0.93, reason: 'spelling' }] }],
};
const routes = (over: Record<string, unknown> = {}) => ({
  [bulk]: batchView(),
  [`${bulk}/errors`]: blockedGroups,
  [`${bulk}/tasks`]: { items: [task(11), task(12), task(13)], next: null },
  [`${bulk}/rows`]: { items: [], next: null },
  [`${bulk}/throughput`]: [],
  [`${bulk}/events`]: { items: [], next: null },
  [`${bulk}/hosts`]: hosts,
  [`${bulk}/resolution`]: resolution,
  ...over,
});
const withGet = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.includes(' ') ? k : `GET ${k}`, v])) as Record<string, object>;

const go = (path: string) => window.history.pushState({}, '', path);
// jsdom lays nothing out: give the task list's scroller a height, so the virtual list draws its first rows.
const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!;
beforeEach(() => {
  go('/batches/1');
  Object.defineProperty(Element.prototype, 'clientHeight', { configurable: true, get: () => 400 });
});
afterEach(() => {
  vi.unstubAllGlobals();
  Object.defineProperty(Element.prototype, 'clientHeight', clientHeight);
});

describe('hosts panel', () => {
  it('shows each host’s politeness, and reads it again on the batch’s fetch events only, at most once a second', async () => {
    const api = mockApi(withGet(routes()));
    signedIn('viewer');
    render(<App />);
    const table = await screen.findByRole('table', { name: 'Hosts' });
    const a = within(table).getByRole('row', { name: /a\.example/ });
    expect(a).toHaveTextContent('4.5 s');
    expect(a).toHaveTextContent('Crawl-delay 3 s');
    expect(a).toHaveTextContent('in about 3 minutes, Retry-After');
    expect(a).toHaveTextContent('2 pending · 1 running · 1 retrying · 10 succeeded · 3 failed');
    expect(within(table).getByRole('row', { name: /b\.example/ })).toHaveTextContent('not blocked');
    await waitFor(() => expect(api.stream.opened).toHaveLength(1));
    const reads = () => api.count('GET', `${bulk}/hosts`);
    const before = reads();

    // An event of another stage's job (EXTRACT, job 8) does not touch the panel.
    api.stream.send(30, 'task_succeeded', { taskId: 99, jobId: 8 });
    await new Promise((r) => setTimeout(r, 600));
    expect(reads()).toBe(before);

    api.stream.send(31, 'task_succeeded', { taskId: 11, jobId: 7 });
    await waitFor(() => expect(reads()).toBe(before + 1));
    // A second burst inside the second waits for its end: one read, not one per burst.
    api.stream.send(32, 'task_failed', { taskId: 12, jobId: 7 });
    await new Promise((r) => setTimeout(r, 400));
    expect(reads()).toBe(before + 1);
    await waitFor(() => expect(reads()).toBe(before + 2), { timeout: 2_000 });
  });
});

describe('selection', () => {
  it('retrying a selection asks with its count, then sends exactly the selected ids', async () => {
    const api = mockApi(withGet({ ...routes(), [`POST ${bulk}/retry`]: { batchId: 1, status: 'RUNNING', tasks: 2 } }));
    signedIn('operator');
    render(<App />);
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select task 11' }));
    const thirteen = screen.getByRole('checkbox', { name: 'Select task 13' });
    thirteen.focus();
    await userEvent.keyboard(' ');
    expect(thirteen).toBeChecked();
    await userEvent.click(screen.getByRole('button', { name: 'Retry selected (2)' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Retry 2 tasks?');
    expect(dialog).toHaveTextContent('the failed and blocked ones go back to the queue');
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Retry 2 tasks' }));
    expect(await screen.findByText('Retried 2 tasks of 2 selected. Batch 1 is now running.')).toBeInTheDocument();
    const sent = api.calls.find((c) => c.method === 'POST')!;
    expect(sent.path).toBe(`${bulk}/retry`);
    expect(JSON.parse(String(sent.body))).toEqual({ taskIds: [11, 13] });
  });

  it('requeue of all shown says what requeue does and posts to requeue', async () => {
    const api = mockApi(withGet({ ...routes(), [`POST ${bulk}/requeue`]: { batchId: 1, status: 'RUNNING', tasks: 3 } }));
    signedIn('operator');
    render(<App />);
    await userEvent.click(await screen.findByRole('checkbox', { name: /Select all shown/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Requeue selected (3)' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('succeeded, failed or are blocked go back to the queue');
    await userEvent.click(screen.getByRole('button', { name: 'Requeue 3 tasks' }));
    expect(await screen.findByText(/Requeued 3 tasks of 3 selected/)).toBeInTheDocument();
    expect(JSON.parse(String(api.calls.find((c) => c.method === 'POST' && c.path === `${bulk}/requeue`)!.body))).toEqual({ taskIds: [11, 12, 13] });
  });

  it('more than 10,000 selected is refused on the page, and nothing is sent', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => task(i + 1));
    const api = mockApi(withGet(routes({ [`${bulk}/tasks`]: { items: many, next: null } })));
    signedIn('operator');
    render(<App />);
    await userEvent.click(await screen.findByRole('checkbox', { name: /Select all shown \(10,001\)/ }));
    expect(screen.getByRole('alert')).toHaveTextContent('10,001 tasks are selected; one retry or requeue takes at most 10,000');
    await userEvent.click(screen.getByRole('button', { name: 'Retry selected (10,001)' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

describe('blocked names', () => {
  it('a group blocked on a name offers Choose, not Retry; choosing posts kind, name and entity and re-reads the groups', async () => {
    const api = mockApi(
      withGet({
        ...routes(),
        [`POST ${bulk}/resolution/choose`]: { batchId: 1, kind: 'raga', name: 'kalyaani', key: 'kalyani', entityId: 'raga:kalyani', entityName: 'Kalyani', tasksRequeued: 4, taskIds: [], workers: ['w1'] },
      }),
    );
    signedIn('operator');
    render(<App />);
    expect(await screen.findByRole('button', { name: 'Retry http_503' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry needs_review' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Choose the names 4 RESOLVE tasks wait on/ })).toBeInTheDocument();
    // Retry all counts what a retry can settle (3), and says the blocked names run again to no effect.
    await userEvent.click(screen.getByRole('button', { name: 'Retry all failed (3)' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('block again until the name is chosen');
    await userEvent.click(screen.getByRole('button', { name: 'Keep as is' }));

    const errorsBefore = api.count('GET', `${bulk}/errors`);
    await userEvent.click(await screen.findByRole('button', { name: 'Choose Kalyani for raga “kalyaani”' }));
    expect(await screen.findByText(/“kalyaani” is now raga Kalyani \(raga:kalyani\): 4 blocked tasks went back to the queue/)).toBeInTheDocument();
    const sent = api.calls.find((c) => c.method === 'POST')!;
    expect(sent.path).toBe(`${bulk}/resolution/choose`);
    expect(JSON.parse(String(sent.body))).toEqual({ kind: 'raga', name: 'kalyaani', entityId: 'raga:kalyani' });
    await waitFor(() => expect(api.count('GET', `${bulk}/errors`)).toBeGreaterThan(errorsBefore));
  });
});

describe('export', () => {
  it('the task export carries the list’s filter and downloads with the key', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (created.push(b), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const api = mockApi(withGet(routes({ [`${bulk}/tasks/export`]: { any: 'body' } })));
    signedIn('viewer');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Show http_503 tasks on a.example' }));
    await userEvent.click(screen.getByRole('button', { name: 'Export tasks CSV' }));
    await waitFor(() => expect(api.count('GET', `${bulk}/tasks/export`)).toBe(1));
    const url = new URL(api.calls.find((c) => c.path.startsWith(`${bulk}/tasks/export`))!.path, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ format: 'csv', stage: 'FETCH', state: 'FAILED', code: 'http_503', host: 'a.example' });
    const init = api.fetchMock.mock.calls.find(([u]) => String(u).includes('/tasks/export'))![1] as RequestInit;
    expect(new Headers(init.headers).get('X-Api-Key')).toBe('gk_test');
    await waitFor(() => expect(created).toHaveLength(1));

    await userEvent.click(screen.getByRole('button', { name: 'Export errors CSV' }));
    expect(await created[1].text()).toBe('stage,code,host,state,tasks\r\nFETCH,http_503,a.example,FAILED,3\r\nRESOLVE,needs_review,a.example,BLOCKED,4\r\n');
  });
});

describe('viewer', () => {
  it('sees the hosts, the names and the exports, and no selection, retry, requeue or choose control', async () => {
    mockApi(withGet(routes()));
    signedIn('viewer');
    render(<App />);
    await screen.findByRole('table', { name: 'Hosts' });
    await screen.findByText(/“kalyaani”/);
    await screen.findByText('#11');
    expect(screen.getByRole('button', { name: 'Export tasks CSV' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export errors CSV' })).toBeInTheDocument();
    expect(screen.queryAllByRole('checkbox')).toHaveLength(0);
    for (const name of [/retry/i, /requeue/i, /^choose/i]) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
  });
});

describe('task drawer', () => {
  it('shows the task’s stored page on request, inert, fetched with the key as a reading view', async () => {
    const api = mockApi(
      withGet({
        ...routes(),
        '/v1/admin/bulk-import/tasks/11': task(11, { state: 'SUCCEEDED', errorCode: null }),
        '/v1/admin/bulk-import/tasks/11/page': () => ({ json: '<html><body><p>pallavi of task 11</p></body></html>' }),
      }),
    );
    signedIn('viewer');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: /#11/ }));
    const drawer = await screen.findByRole('dialog', { name: 'Task #11' });
    // Nothing is read until asked for.
    expect(api.count('GET', '/v1/admin/bulk-import/tasks/11/page')).toBe(0);
    await userEvent.click(within(drawer).getByRole('button', { name: 'Show the stored page' }));
    const frame = await within(drawer).findByTitle('Stored page of task #11 (inert)');
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('src')).toBeNull();
    expect(frame.getAttribute('srcdoc')).toContain('pallavi of task 11');
    expect(frame.getAttribute('srcdoc')).toContain("default-src 'none'");
    const call = api.fetchMock.mock.calls.find(([u]) => String(u).includes('/tasks/11/page'))!;
    expect(String(call[0])).toBe('/v1/admin/bulk-import/tasks/11/page?view=reading');
    expect(new Headers((call[1] as RequestInit).headers).get('X-Api-Key')).toBe('gk_test');
  });

  it('offers no stored page for the manifest task, which reads a file', async () => {
    mockApi(
      withGet({
        ...routes({ [`${bulk}/tasks`]: { items: [task(1, { stage: 'MANIFEST', state: 'SUCCEEDED', subject: 'm.csv', host: null, errorCode: null })], next: null } }),
        '/v1/admin/bulk-import/tasks/1': task(1, { stage: 'MANIFEST', state: 'SUCCEEDED', subject: 'm.csv', host: null, errorCode: null }),
      }),
    );
    signedIn('viewer');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: /m\.csv/ }));
    const drawer = await screen.findByRole('dialog', { name: 'Task #1' });
    await within(drawer).findByText('m.csv');
    expect(within(drawer).queryByRole('button', { name: 'Show the stored page' })).toBeNull();
  });
});
