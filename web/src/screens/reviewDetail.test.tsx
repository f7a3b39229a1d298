import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { mockApi, signedIn, type Handler } from '../test/mockApi';

const row = (id: number, state: string, over: Record<string, unknown> = {}) => ({
  id, batchId: 1, url: `http://site.example/${id}.html`, title: `krithi ${id}`, state, version: 2, quality: 0.8, flags: state === 'needs_review' ? ['unresolved'] : [],
  composer: { id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar' }, ragas: [], tala: { id: 'adi', name: 'Adi' },
  duplicateOf: null, krithiId: null, reviewedBy: null, reason: null,
  missing: state === 'needs_review' ? [{ kind: 'raga', input: 'sumadyuti', status: 'needs_review', candidates: [{ id: 'sharadhyuthi', name: 'Sharadhyuthi', score: 0.81 }] }] : [],
  ...over,
});

const section = (position: number, type: string, text: string) => ({ position, type, number: null, text });
const detail = (state: string) => ({
  import: row(5, state, state === 'ready' ? { ragas: [{ id: 'sharadhyuthi', name: 'Sharadhyuthi' }] } : {}),
  resolveStatus: state,
  manifestRows: [{ id: 5, fileName: 'm.csv', rowNumber: 6, krithi: 'krithi 5', raga: 'sumadyuti' }],
  decisions: [
    { kind: 'composer', source: 'page', input: 'Muthuswami Dikshitar', status: 'matched', blocking: false, rows: 1, match: { id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar' }, candidates: [{ id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar', score: 1, reason: 'exact key' }] },
    state === 'ready'
      ? { kind: 'raga', source: 'manifest', input: 'sumadyuti', status: 'matched', blocking: false, rows: 1, match: { id: 'sharadhyuthi', name: 'Sharadhyuthi' }, candidates: [{ id: 'sharadhyuthi', name: 'Sharadhyuthi', score: 1, reason: 'alias' }] }
      : { kind: 'raga', source: 'manifest', input: 'sumadyuti', status: 'needs_review', blocking: true, rows: 1, match: null, candidates: [{ id: 'sharadhyuthi', name: 'Sharadhyuthi', score: 0.81, reason: 'fuzzy (distance 2)' }, { id: 'phenadhyuti', name: 'Phenadhyuti', score: 0.65, reason: 'fuzzy (distance 3)' }] },
  ],
  missing: [],
  duplicateFlags: [],
  qualityReasons: [],
  extraction: { title: 'krithi 5', displayTitle: null, tala: 'Adi', composer: 'Muthuswami Dikshitar', form: 'kriti', deity: 'aruNAcalESvara', kshetra: 'tiruvaNNAmalai', ragas: [{ name: 'sumadyuti' }] },
  warnings: [],
  draft: {
    title: 'krithi 5', displayTitle: null, composerId: 'muthuswami-dikshitar', form: 'kriti', talaId: 'adi', deityId: 'arunachalesvara', kshetraId: null,
    ragas: state === 'ready' ? [{ ragaId: 'sharadhyuthi', section: null }] : [],
    lyrics: [
      { script: 'latin', sections: [section(1, 'pallavi', 'SrI sumadyutE'), section(2, 'anupallavi', 'puNyAtma'), section(3, 'charanam', 'pada jagadISa')] },
      { script: 'devanagari', sections: [section(1, 'pallavi', 'श्री सुमद्युते'), section(2, 'anupallavi', 'पुण्यात्म')] },
    ],
  },
  catalogCandidates: [{ krithiId: 7, version: 3, title: 'krithi 5', why: 'same title' }],
  outcome: null,
  history: [],
  pageUrl: '/v1/admin/review/5/page',
  pageSha256: 'abc',
});
const krithi7 = {
  id: 7, version: 3, status: 'active', title: 'krithi 5', displayTitle: 'Krithi Five', composer: { id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar' },
  ragas: [{ position: 1, id: 'sharadhyuthi', name: 'Sharadhyuthi', section: null }], tala: { id: 'rupaka', name: 'Rupaka' }, deity: { id: 'arunachalesvara', name: 'Arunachalesvara' },
  kshetra: null, gist: null, meaning: null, updatedAt: 1,
  lyrics: [{ script: 'latin', sections: [{ position: 1, type: 'pallavi', number: null, text: 'x' }, { position: 2, type: 'anupallavi', number: null, text: 'y' }, { position: 3, type: 'charanam', number: null, text: 'z' }] }],
  sources: [], revisions: [],
};
const queue = (state: string) => ({ items: [row(4, 'ready'), row(5, state)], total: 2, states: { ready: 1, needs_review: 1 }, flags: {}, next: null });

function routes(over: Record<string, Handler | object> = {}): Record<string, Handler | object> {
  return {
    'GET /v1/admin/review': queue('needs_review'),
    'GET /v1/admin/review/5': detail('needs_review'),
    'GET /v1/admin/review/5/page': () => ({ json: '<html><body><p>the stored page</p><img src="http://site.example/a.png"></body></html>' }),
    'GET /v1/admin/krithis/7': krithi7,
    ...over,
  };
}

const go = (path: string) => window.history.pushState({}, '', path);

/** Opens import #5 by keyboard: focus the first row, j to the second, Enter. */
async function openFive() {
  const first = (await screen.findByText('krithi 4')).closest('li')!;
  first.focus();
  await userEvent.keyboard('j');
  expect(screen.getByText('krithi 5').closest('li')).toHaveFocus();
  await userEvent.keyboard('{Enter}');
  return await screen.findByRole('complementary', { name: 'krithi 5' });
}

beforeEach(() => go('/review'));
afterEach(() => vi.unstubAllGlobals());

describe('review detail', () => {
  it('opens by keyboard beside the queue: sections aligned across scripts with the missing cell marked; Escape closes', async () => {
    mockApi(routes());
    signedIn('curator');
    render(<App />);
    const panel = await openFive();
    const table = await within(panel).findByRole('table', { name: 'Lyrics by section and script' });
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => within(r).queryByRole('rowheader')?.textContent ?? '')).toEqual(['', 'pallavi', 'anupallavi', 'charanam']);
    expect(within(rows[0]).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Section', 'latin', 'devanagari']);
    const charanam = within(rows[3]).getAllByRole('cell');
    expect(charanam[0]).toHaveTextContent('pada jagadISa');
    expect(charanam[1]).toHaveTextContent('missing');
    expect(charanam[1]).toHaveAccessibleName('charanam missing in devanagari');
    expect(within(rows[1]).getAllByRole('cell')[1]).toHaveTextContent('श्री सुमद्युते');
    // Each name's decision with its confidence.
    const raga = within(panel).getByRole('rowheader', { name: 'raga (manifest)' }).closest('tr')!;
    expect(raga).toHaveTextContent('sumadyuti');
    expect(raga).toHaveTextContent('ambiguous · 0.81');
    expect(within(panel).getAllByText('resolved').length).toBeGreaterThan(0);

    fireEvent.keyDown(panel, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('complementary', { name: 'krithi 5' })).not.toBeInTheDocument());
    expect(screen.getByText('krithi 5').closest('li')).toHaveFocus();
  });

  it('shows the stored page inert: a sandboxed frame with the page as srcdoc, under a policy that loads nothing', async () => {
    const api = mockApi(routes());
    signedIn('viewer');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Open #5' }));
    const frame = await screen.findByTitle('Stored source page of import #5 (inert)');
    expect(frame.tagName).toBe('IFRAME');
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('src')).toBeNull();
    const doc = frame.getAttribute('srcdoc')!;
    expect(doc).toContain('<p>the stored page</p>');
    expect(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)).toBe(true);
    // Fetched with the key, never navigated to.
    const call = api.fetchMock.mock.calls.find(([u]) => String(u) === '/v1/admin/review/5/page?view=reading')!;
    expect(new Headers((call[1] as RequestInit).headers).get('X-Api-Key')).toBe('gk_test');
  });

  it('choose sends kind, name and entity id, then re-reads the import and its queue row until it is ready', async () => {
    let chosen: unknown = null;
    const api = mockApi(
      routes({
        'GET /v1/admin/review/5': () => ({ json: detail(chosen ? 'ready' : 'needs_review') }),
        'POST /v1/admin/review/5/choose': ({ body }: { body: unknown }) => {
          chosen = JSON.parse(String(body));
          return { json: { tasksRequeued: 1 } };
        },
      }),
    );
    signedIn('curator');
    render(<App />);
    const panel = await openFive();
    expect(within(panel).getByRole('button', { name: 'Approve' })).toBeDisabled();
    await userEvent.click(await within(panel).findByRole('button', { name: 'Choose Sharadhyuthi for raga “sumadyuti”' }));
    expect(await within(panel).findByText('Now ready: import #5 can be approved.')).toBeInTheDocument();
    expect(chosen).toEqual({ kind: 'raga', name: 'sumadyuti', entityId: 'sharadhyuthi' });
    expect(api.count('POST', '/v1/admin/review/5/choose')).toBe(1);
    // The queue row shows the new state, and the import can now be approved from the detail.
    const queueRow = screen.getByRole('list', { name: 'Imports' }).querySelectorAll('li')[1];
    await waitFor(() => expect(queueRow).toHaveTextContent('#5 · batch 1 · ready'));
    expect(within(panel).getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('compares a catalog look-alike field by field and merges into it with If-Match after confirmation', async () => {
    let merged: { body: unknown; ifMatch: string | null } | null = null;
    mockApi(
      routes({
        'POST /v1/admin/review/5/merge': ({ body, headers }: { body: unknown; headers: Headers }) => {
          merged = { body: JSON.parse(String(body)), ifMatch: headers.get('if-match') };
          return { json: { id: 5, batchId: 1, state: 'merged', version: 3, krithiId: 7, krithiVersion: 4, conflicts: [{ field: 'tala', current: 'rupaka', incoming: 'adi' }] } };
        },
      }),
    );
    signedIn('curator');
    render(<App />);
    const panel = await openFive();
    const diff = await within(panel).findByRole('table', { name: 'Krithi 7 “Krithi Five” against this import' });
    const rowOf = (label: string) => within(diff).getByRole('rowheader', { name: new RegExp(`^${label}`) }).closest('tr')!;
    expect(rowOf('Tala')).toHaveClass('differs');
    expect(rowOf('Tala')).toHaveTextContent('AdiRupaka');
    expect(rowOf('Ragas')).toHaveClass('differs');
    expect(rowOf('Scripts present')).toHaveClass('differs');
    for (const same of ['Title', 'Composer', 'Deity', 'Kshetra', 'Sections']) expect(rowOf(same)).toHaveClass('same');
    expect(within(panel).getByText(/3 fields differ: ragas, tala, scripts present/)).toBeInTheDocument();

    await userEvent.click(within(panel).getByRole('button', { name: 'Merge into krithi 7' }));
    const dialog = screen.getByRole('dialog', { name: 'Merge import #5 into krithi 7?' });
    expect(merged).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Merge into krithi 7' }));
    expect(await within(panel).findByText(/Merged into krithi 7 \(version 4\)\. Left as the krithi has them: tala\./)).toBeInTheDocument();
    expect(merged).toEqual({ body: { krithiId: 7 }, ifMatch: '"2"' });
  });

  it('approves from the detail by key with the version read; a conflict says what the import is now', async () => {
    const api = mockApi(
      routes({
        'GET /v1/admin/review/5': detail('ready'),
        'POST /v1/admin/review/5/approve': ({ headers }: { headers: Headers }) =>
          headers.get('if-match') === '"2"' ? { status: 409, json: { title: 'Version conflict', status: 409, currentVersion: 3, state: 'rejected' } } : { status: 428 },
      }),
    );
    signedIn('curator');
    render(<App />);
    const panel = await openFive();
    await within(panel).findByRole('button', { name: 'Approve' });
    fireEvent.keyDown(within(panel).getByRole('heading', { name: 'krithi 5' }), { key: 'a' });
    expect(await within(panel).findByRole('alert')).toHaveTextContent('Changed since you read it: it is now rejected (version 3)');
    expect(api.count('POST', '/v1/admin/review/5/approve')).toBe(1);
  });

  it('a viewer opens and exports but gets no action button at all', async () => {
    mockApi(routes());
    signedIn('viewer');
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Open #5' }));
    const panel = await screen.findByRole('complementary', { name: 'krithi 5' });
    await within(panel).findByRole('table', { name: 'Krithi 7 “Krithi Five” against this import' });
    expect(within(panel).getAllByText('Sharadhyuthi', { exact: false }).length).toBeGreaterThan(0);
    const buttons = screen.getAllByRole('button').map((b) => b.textContent);
    for (const refused of [/^Choose/, /^Merge/, /^Approve/, /^Reject/, /^Defer/, /^Preview/]) expect(buttons.filter((b) => refused.test(b ?? ''))).toEqual([]);
    expect(screen.queryByRole('heading', { name: 'Bulk approve' })).not.toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'Export these imports' })).getByRole('button', { name: 'CSV' })).toBeInTheDocument();
    expect(within(panel).getByRole('button', { name: /Close/ })).toBeInTheDocument();
  });
});

describe('bulk approve', () => {
  const plan = {
    matched: 13, wouldApprove: 10, skipped: { duplicate: 1, needs_review: 2 },
    skipReasons: { duplicate: 'flagged as a duplicate of another page of the batch (never approved in bulk)', needs_review: 'a name is not resolved: choose it first' },
    sample: [], criteria: 'quality ≥ 0.90, confidence ≥ 0.95, no flags',
  };

  it('shows the dry run before approving is possible, names the count in the confirmation, then follows the approval batch', async () => {
    const posts: Record<string, unknown>[] = [];
    let finished = false;
    const api = mockApi({
      'GET /v1/admin/review': queue('needs_review'),
      'POST /v1/admin/review/bulk-approve': ({ body }: { body: unknown }) => {
        const b = JSON.parse(String(body));
        posts.push(b);
        return b.dryRun ? { json: plan } : { status: 202, json: { approvalBatchId: 9, plan } };
      },
      'GET /v1/admin/review/bulk-approve/9': () => {
        return { json: { approvalBatchId: 9, status: finished ? 'COMPLETED' : 'RUNNING', matched: 13, approved: finished ? 10 : 0, skipped: 3, krithisCreated: finished ? 10 : 0, failed: 0, open: finished ? 0 : 10, skippedBy: { duplicate: 1, needs_review: 2 } } };
      },
    });
    signedIn('curator');
    render(<App />);
    const bulk = await screen.findByRole('region', { name: 'Bulk approve' });
    await userEvent.type(within(bulk).getByLabelText('Batch'), '1');
    const approve = within(bulk).getByRole('button', { name: 'Approve' });
    expect(approve).toBeDisabled();

    await userEvent.click(within(bulk).getByRole('button', { name: 'Preview' }));
    const dry = await within(bulk).findByRole('region', { name: 'Dry run' });
    expect(dry).toHaveTextContent('13 imports matched, 10 imports would be approved, 3 skipped');
    expect(within(dry).getByRole('list', { name: 'Skipped by reason' })).toHaveTextContent('2 a name is not resolved: choose it first');
    expect(posts).toEqual([{ batch: 1, policy: true, dryRun: true }]);

    // Changing what is asked takes the preview away again.
    await userEvent.click(within(bulk).getByLabelText('Thresholds'));
    expect(within(bulk).getByRole('button', { name: 'Approve' })).toBeDisabled();
    await userEvent.click(within(bulk).getByLabelText(/The policy/));
    await userEvent.click(within(bulk).getByRole('button', { name: 'Preview' }));

    await userEvent.click(await within(bulk).findByRole('button', { name: 'Approve 10' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve 10 imports of batch 1?' });
    expect(posts.filter((p) => !p.dryRun)).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve 10 imports' }));
    expect(await within(bulk).findByText(/Approval batch 9 \(running\)/)).toBeInTheDocument();
    expect(posts.at(-1)).toEqual({ batch: 1, policy: true, dryRun: false });
    // The approval batch's own stream: an event reads the figures again.
    await waitFor(() => expect(api.stream.opened.map((o) => o.url)).toContain('/v1/admin/stream?batch=9'));
    finished = true;
    api.stream.send(50, 'batch_completed', { batchId: 9 });
    expect(await within(bulk).findByText(/Approval batch 9 \(completed\): 10 imports approved of 13 matched, 10 krithis created, 3 skipped/)).toBeInTheDocument();
  });

  it('a threshold out of range is refused before anything is asked of the server', async () => {
    const api = mockApi({ 'GET /v1/admin/review': queue('needs_review') });
    signedIn('curator');
    render(<App />);
    const bulk = await screen.findByRole('region', { name: 'Bulk approve' });
    await userEvent.type(within(bulk).getByLabelText('Batch'), '1');
    await userEvent.click(within(bulk).getByLabelText('Thresholds'));
    await userEvent.clear(within(bulk).getByLabelText('Min quality'));
    await userEvent.type(within(bulk).getByLabelText('Min quality'), '2');
    await userEvent.click(within(bulk).getByRole('button', { name: 'Preview' }));
    expect(within(bulk).getByRole('alert')).toHaveTextContent('The minimum quality is a number between 0 and 1.');
    expect(api.count('POST', '/v1/admin/review/bulk-approve')).toBe(0);
  });
});

describe('export', () => {
  let saved: string[] = [];
  beforeEach(() => {
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:export'), revokeObjectURL: vi.fn() }));
    saved = [];
    // The browser's download: the link's click, with its file name and the blob's URL.
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('the queue exports what its filter shows, with the key', async () => {
    const api = mockApi({ 'GET /v1/admin/review': queue('ready'), 'GET /v1/admin/export': () => ({ json: 'rows' }) });
    signedIn('viewer');
    render(<App />);
    const group = await screen.findByRole('group', { name: 'Export these imports' });
    // No batch: every batch's imports, as the queue lists them (by default those that need review).
    await userEvent.click(within(group).getByRole('button', { name: 'CSV' }));
    expect(await within(group).findByRole('status')).toHaveTextContent('Downloaded staged.csv.');
    await userEvent.type(screen.getByLabelText('Batch'), '3');
    await userEvent.selectOptions(screen.getByLabelText('State'), 'ready');
    await userEvent.type(screen.getByLabelText('Title contains'), 'rama');
    await userEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await userEvent.click(within(group).getByRole('button', { name: 'JSON Lines' }));
    expect(await within(group).findByRole('status')).toHaveTextContent('Downloaded batch-3-staged.jsonl.');
    expect(saved).toEqual(['staged.csv blob:export', 'batch-3-staged.jsonl blob:export']);
    const calls = api.fetchMock.mock.calls.filter(([u]) => String(u).startsWith('/v1/admin/export'));
    expect(calls.map(([u]) => String(u))).toEqual(['/v1/admin/export?what=staged&state=needs_review&format=csv', '/v1/admin/export?what=staged&batch=3&state=ready&text=rama&format=jsonl']);
    const call = calls[1];
    expect(new Headers((call[1] as RequestInit).headers).get('X-Api-Key')).toBe('gk_test');
  });

  it('the catalog exports krithis with its filters, deity included, and lists by deity', async () => {
    const api = mockApi({ 'GET /v1/admin/krithis': { items: [], count: 0, next: null }, 'GET /v1/admin/export': () => ({ json: 'rows' }) });
    signedIn('viewer');
    go('/catalog');
    render(<App />);
    await userEvent.type(await screen.findByLabelText('Deity (id)'), 'rama');
    await userEvent.type(screen.getByLabelText('Raga (id)'), 'kalyani');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(api.calls.some((c) => c.path.startsWith('/v1/admin/krithis?') && c.path.includes('deity=rama'))).toBe(true));
    await userEvent.click(within(screen.getByRole('group', { name: 'Export these krithis' })).getByRole('button', { name: 'CSV' }));
    await waitFor(() => expect(api.calls.map((c) => c.path)).toContain('/v1/admin/export?what=krithis&raga=kalyani&deity=rama&format=csv'));
  });
});
