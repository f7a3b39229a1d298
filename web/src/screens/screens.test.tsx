import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { batchView, mockApi, signedIn } from '../test/mockApi';

const listItem = {
  id: 1,
  name: 'trinity',
  status: 'RUNNING',
  createdBy: 'api:ops',
  createdAt: Date.now() - 120_000,
  updatedAt: Date.now(),
  settledAt: null,
  counts: { MANIFEST: { SUCCEEDED: 1 }, FETCH: { SUCCEEDED: 40, FAILED: 3, PENDING: 17 } },
};
const errorGroups = [
  { stage: 'FETCH', state: 'FAILED', code: 'http_404', host: 'a.example', count: 2 },
  { stage: 'FETCH', state: 'FAILED', code: 'http_404', host: 'b.example', count: 1 },
];
const common = {
  'GET /v1/admin/bulk-import/batches': { items: [listItem], next: null },
  'GET /v1/admin/bulk-import/batches/1': batchView(),
  'GET /v1/admin/bulk-import/batches/1/errors': errorGroups,
  'GET /v1/admin/bulk-import/batches/1/tasks': { items: [], next: null },
  'GET /v1/admin/bulk-import/batches/1/rows': {
    items: [{ id: 9, fileName: 'm.csv', rowNumber: 4, status: 'ERROR', krithi: 'x', raga: null, url: 'javascript:1', errorCode: 'unsupported_scheme', errorMessage: 'Only http and https.', taskId: null }],
    next: null,
  },
  'GET /v1/admin/bulk-import/batches/1/throughput': [{ at: 60_000, key: 'FETCH', count: 30 }, { at: 120_000, key: 'FETCH', count: 13 }],
  'GET /v1/admin/bulk-import/batches/1/events': { items: [{ id: 2, batchId: 1, jobId: null, taskId: null, kind: 'batch_created', actor: 'api:ops', at: 1, data: null }], next: null },
};

const go = (path: string) => window.history.pushState({}, '', path);

beforeEach(() => go('/'));
afterEach(() => vi.unstubAllGlobals());

describe('sign-in and roles', () => {
  it('a pasted key is checked, kept for the tab, and its role decides what is shown', async () => {
    const api = mockApi({ ...common, 'GET /v1/admin/whoami': { role: 'viewer' } });
    render(<App />);
    await userEvent.type(screen.getByLabelText('API key'), 'gk_viewer');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Batches' })).toBeInTheDocument();
    expect(sessionStorage.getItem('grantha.apiKey')).toBe('gk_viewer');
    expect(localStorage.length).toBe(0);
    expect(screen.queryByRole('heading', { name: 'New batch' })).not.toBeInTheDocument();
    expect(await screen.findByRole('link', { name: '#1 trinity' })).toBeInTheDocument();
    expect(api.calls.find((c) => c.path === '/v1/admin/whoami')).toBeDefined();
  });

  it('an unknown key is refused with what to do, and nothing is kept', async () => {
    mockApi({ 'GET /v1/admin/whoami': () => ({ status: 401, json: { title: 'Unknown API key' } }) });
    render(<App />);
    await userEvent.type(screen.getByLabelText('API key'), 'gk_nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('not known or was revoked');
    expect(sessionStorage.getItem('grantha.apiKey')).toBeNull();
  });

  it('a viewer sees no control on a batch; an operator sees pause and cancel and retries', async () => {
    mockApi(common);
    signedIn('viewer');
    go('/batches/1');
    const { unmount } = render(<App />);
    expect(await screen.findByRole('heading', { name: '#1 trinity' })).toBeInTheDocument();
    await screen.findByText('http_404');
    for (const name of [/^pause$/i, /^cancel$/i, /retry/i]) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    unmount();

    signedIn('operator');
    render(<App />);
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Retry all failed (3)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry http_404' })).toBeInTheDocument();
  });

  it('a 401 later (a revoked key) signs out', async () => {
    mockApi({ 'GET /v1/admin/bulk-import/batches': () => ({ status: 401, json: { title: 'Unknown API key' } }) });
    signedIn('viewer');
    render(<App />);
    expect(await screen.findByLabelText('API key')).toBeInTheDocument();
    expect(sessionStorage.getItem('grantha.apiKey')).toBeNull();
  });
});

describe('batch screen', () => {
  it('shows each stage with its counts by state', async () => {
    mockApi(common);
    signedIn('viewer');
    go('/batches/1');
    render(<App />);
    const bar = await screen.findByRole('progressbar', { name: /^FETCH:/ });
    expect(bar).toHaveAttribute('aria-valuenow', '73');
    expect(bar.getAttribute('aria-label')).toContain('40 succeeded, 3 failed, 1 blocked, 2 running, 14 pending');
    expect(screen.getByText(/44 of 60 done/)).toBeInTheDocument();
    // The throughput chart's text alternative.
    expect(await screen.findByRole('img', { name: /FETCH: 43 finished/ })).toBeInTheDocument();
  });

  it('a control asks first, saying what will happen, then says what did', async () => {
    const api = mockApi({ ...common, 'POST /v1/admin/bulk-import/batches/1/retry': { batchId: 1, status: 'RUNNING', tasks: 2 } });
    signedIn('operator');
    go('/batches/1');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Retry on a.example' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Retry 2 tasks in FETCH with error http_404 on a.example?');
    expect(api.count('POST', '/v1/admin/bulk-import/batches/1/retry')).toBe(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Retry 2 tasks' }));
    expect(await screen.findByText('Retried 2 tasks. Batch 1 is now running.')).toBeInTheDocument();
    const sent = api.calls.find((c) => c.method === 'POST');
    expect(JSON.parse(String(sent?.body))).toEqual({ stage: 'FETCH', code: 'http_404', host: 'a.example' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeping as is sends nothing', async () => {
    const api = mockApi(common);
    signedIn('operator');
    go('/batches/1');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('cannot be resumed');
    await userEvent.click(screen.getByRole('button', { name: 'Keep as is' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('an error group drills down to its tasks through the task list filters', async () => {
    const api = mockApi(common);
    signedIn('viewer');
    go('/batches/1');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Show http_404 tasks on b.example' }));
    await waitFor(() =>
      expect(api.calls.some((c) => c.path.startsWith('/v1/admin/bulk-import/batches/1/tasks?') && c.path.includes('code=http_404') && c.path.includes('host=b.example') && c.path.includes('state=FAILED'))).toBe(true),
    );
  });

  it('an event on the stream refetches the counts and errors, once per burst, without polling', async () => {
    const api = mockApi(common);
    signedIn('viewer');
    go('/batches/1');
    render(<App />);
    await screen.findByRole('progressbar', { name: /^FETCH:/ });
    await waitFor(() => expect(api.stream.opened).toEqual([{ url: '/v1/admin/stream?batch=1', lastEventId: null }]));
    const before = { batch: api.count('GET', '/v1/admin/bulk-import/batches/1'), errors: api.count('GET', '/v1/admin/bulk-import/batches/1/errors') };
    // Nothing happens without events: no polling loop.
    await new Promise((r) => setTimeout(r, 700));
    expect(api.count('GET', '/v1/admin/bulk-import/batches/1')).toBe(before.batch);
    api.stream.send(20, 'task_failed', { taskId: 5 });
    api.stream.send(21, 'task_succeeded', { taskId: 6 });
    api.stream.send(22, 'task_succeeded', { taskId: 7 });
    await waitFor(() => expect(api.count('GET', '/v1/admin/bulk-import/batches/1')).toBe(before.batch + 1));
    expect(api.count('GET', '/v1/admin/bulk-import/batches/1/errors')).toBe(before.errors + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(api.count('GET', '/v1/admin/bulk-import/batches/1')).toBe(before.batch + 1);
  });

  it('manifest row errors are listed with row number and reason', async () => {
    mockApi(common);
    signedIn('viewer');
    go('/batches/1');
    render(<App />);
    const section = (await screen.findByRole('heading', { name: /Manifest row errors/ })).closest('section')!;
    expect(await within(section).findByText('unsupported_scheme')).toBeInTheDocument();
    expect(within(section).getByText('4')).toBeInTheDocument();
    expect(within(section).getByRole('button', { name: 'Download CSV' })).toBeInTheDocument();
  });
});

describe('new batch', () => {
  it('an upload refused file by file shows each file’s reason at once, and no batch', async () => {
    mockApi({
      ...common,
      'POST /v1/admin/bulk-import/batches': () => ({
        status: 400,
        json: { title: 'Bad manifest', status: 400, files: [{ name: 'bad.csv', code: 'bad_header', detail: 'The header must be Krithi,Raga,Hyperlink.' }] },
      }),
    });
    signedIn('operator');
    render(<App />);
    const input = await screen.findByLabelText('Choose files');
    await userEvent.upload(input, [new File(['Krithi,Raga,Hyperlink\n'], 'good.csv', { type: 'text/csv' }), new File(['a,b\n'], 'bad.csv', { type: 'text/csv' })]);
    await userEvent.click(screen.getByRole('button', { name: 'Import 2 files' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Bad manifest');
    expect(alert).toHaveTextContent('no batch was created');
    const files = screen.getByRole('list', { name: 'Files to import' });
    expect(within(files).getByText(/refused: The header must be Krithi,Raga,Hyperlink\. \(bad_header\)/)).toBeInTheDocument();
  });

  it('a good upload opens the new batch', async () => {
    const api = mockApi({ ...common, 'POST /v1/admin/bulk-import/batches': () => ({ status: 201, json: { batchId: 1, status: 'RUNNING', location: '/v1/admin/bulk-import/batches/1' } }) });
    signedIn('operator');
    render(<App />);
    await userEvent.upload(await screen.findByLabelText('Choose files'), new File(['Krithi,Raga,Hyperlink\n'], 'm.csv', { type: 'text/csv' }));
    await userEvent.click(screen.getByRole('button', { name: 'Import 1 file' }));
    expect(await screen.findByRole('heading', { name: '#1 trinity' })).toBeInTheDocument();
    const form = api.calls.find((c) => c.method === 'POST')!.body as FormData;
    expect((form.getAll('files') as File[]).map((f) => f.name)).toEqual(['m.csv']);
  });

  it('an admin may map hosts onto an offline site; an operator is not offered it', async () => {
    const api = mockApi({
      ...common,
      'POST /v1/admin/bulk-import/batches': () => ({ status: 400, json: { title: 'Option refused', detail: 'The base URL for x.example is not an offline site this server allows (see --offline-site-allow).', field: 'hostMap.x.example' } }),
    });
    signedIn('operator');
    const { unmount } = render(<App />);
    await screen.findByRole('heading', { name: 'New batch' });
    expect(screen.queryByText(/Fetch from an offline site/)).not.toBeInTheDocument();
    unmount();

    signedIn('admin');
    render(<App />);
    await userEvent.click(await screen.findByText(/Fetch from an offline site/));
    await userEvent.type(screen.getByLabelText(/Host map/), 'x.example=http://127.0.0.1:9{enter}y.example=http://127.0.0.1:5081');
    await userEvent.click(screen.getByLabelText(/No politeness delay/));
    await userEvent.upload(screen.getByLabelText('Choose files'), new File(['Krithi,Raga,Hyperlink\n'], 'm.csv', { type: 'text/csv' }));
    await userEvent.click(screen.getByRole('button', { name: 'Import 1 file' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Option refused: The base URL for x.example is not an offline site this server allows');
    const form = api.calls.find((c) => c.method === 'POST')!.body as FormData;
    expect(form.get('allowOfflineSite')).toBe('true');
    expect(form.getAll('hostMap')).toEqual(['x.example=http://127.0.0.1:9', 'y.example=http://127.0.0.1:5081']);
    expect(form.get('politeness')).toBe('false');
  });
});
