import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { mockApi, signedIn } from '../test/mockApi';

const item = (id: number, state: string, version = 3) => ({
  id, batchId: 1, url: `http://site.example/${id}.html`, title: `krithi ${id}`, state, version, quality: 0.91, flags: [],
  composer: { id: 'tyagaraja', name: 'Tyagaraja' }, ragas: [{ id: 'kalyani', name: 'Kalyani' }], tala: null,
  duplicateOf: null, krithiId: null, reviewedBy: null, reason: null, missing: [],
});
const queue = { items: [item(1, 'ready'), item(2, 'needs_review')], total: 2, states: { ready: 1, needs_review: 1 }, flags: {}, next: null };

afterEach(() => vi.unstubAllGlobals());

describe('review queue', () => {
  it('a viewer reads the queue and its counts, with no action', async () => {
    mockApi({ 'GET /v1/admin/review': queue });
    signedIn('viewer');
    window.history.pushState({}, '', '/review');
    render(<App />);
    expect(await screen.findByText('krithi 1')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Imports by state' })).toHaveTextContent('ready: 1');
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
  });

  it('a curator approves with the version read (If-Match) and sees the result', async () => {
    const api = mockApi({
      'GET /v1/admin/review': queue,
      'POST /v1/admin/review/1/approve': ({ headers }) => (headers.get('if-match') === '"3"' ? { json: { id: 1, state: 'approved', version: 4, krithiId: 7 } } : { status: 428 }),
    });
    signedIn('curator');
    window.history.pushState({}, '', '/review');
    render(<App />);
    const row = (await screen.findByText('krithi 1')).closest('li')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Approve' }));
    expect(await within(row).findByRole('status')).toHaveTextContent('Now approved as krithi 7.');
    expect(api.count('POST', '/v1/admin/review/1/approve')).toBe(1);
    // An import that needs review cannot be approved yet.
    expect(within(screen.getByText('krithi 2').closest('li')!).getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('rejecting asks for a reason; a stale version says what it is now', async () => {
    mockApi({
      'GET /v1/admin/review': queue,
      'POST /v1/admin/review/2/reject': () => ({ status: 409, json: { title: 'Version conflict', status: 409, currentVersion: 5, state: 'deferred' } }),
    });
    signedIn('curator');
    window.history.pushState({}, '', '/review');
    render(<App />);
    const row = (await screen.findByText('krithi 2')).closest('li')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Reject…' }));
    await userEvent.type(within(row).getByLabelText('Reason for rejecting #2'), 'a varnam, not a krithi');
    await userEvent.click(within(row).getByRole('button', { name: 'Reject' }));
    expect(await within(row).findByRole('alert')).toHaveTextContent('Changed since you read it: it is now deferred (version 5)');
  });
});
