import { formatNumber } from '../lib/format';
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ProblemText } from '../components';
import { api, ApiError, type ReviewFilter, type ReviewItem, type ReviewOutcome, type ReviewPage } from '../lib/api';
import { actionProblem, stagedExportUrl } from '../lib/review';
import { useSession } from '../lib/session';
import { ReviewDetailPanel } from './ReviewDetail';
import { BulkApprove } from './review/BulkApprove';
import { ExportButtons } from './review/ExportButtons';
import { ActionOutcome, outcomeText, RejectForm } from './review/ReviewActions';

export { actionProblem };

const reviewStates = ['needs_review', 'ready', 'deferred', 'approved', 'rejected', 'merged'];

/** The review queue: filters and counts as the API gives them; approve, reject with a reason, defer (curators), by keyboard too. */
export function ReviewScreen() {
  const { key, can } = useSession();
  const [filter, setFilter] = useState<ReviewFilter>({ state: 'needs_review' });
  const [draft, setDraft] = useState<ReviewFilter>(filter);
  const queue = useInfiniteQuery({
    queryKey: ['review', filter],
    queryFn: ({ pageParam }) => api.review(key, filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const items = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data]);
  const first = queue.data?.pages[0];
  const [current, setCurrent] = useState(0);
  const [opened, setOpened] = useState<number | null>(null);
  const rows = useRef<(HTMLLIElement | null)[]>([]);

  function submit(e: FormEvent) {
    e.preventDefault();
    setFilter({ ...draft });
    setCurrent(0);
    setOpened(null);
  }
  function openAt(i: number) {
    if (items[i]) setOpened(items[i].id);
  }
  function close() {
    setOpened(null);
    rows.current[current]?.focus();
  }
  function move(to: number) {
    const i = Math.max(0, Math.min(items.length - 1, to));
    setCurrent(i);
    rows.current[i]?.focus();
  }
  function keys(e: KeyboardEvent) {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    if (e.key === 'j' || e.key === 'ArrowDown') (e.preventDefault(), move(current + 1));
    if (e.key === 'k' || e.key === 'ArrowUp') (e.preventDefault(), move(current - 1));
    // Enter or o on a row (not on one of its buttons) opens it beside the list; Escape closes it.
    if ((e.key === 'Enter' || e.key === 'o') && (e.target as HTMLElement).tagName === 'LI') (e.preventDefault(), openAt(current));
    if (e.key === 'Escape' && opened !== null) (e.preventDefault(), close());
  }

  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">Review queue</h1>
      <form className="filters" onSubmit={submit} aria-label="Review filters">
        <label>
          Batch
          <input inputMode="numeric" value={draft.batch ?? ''} onChange={(e) => setDraft({ ...draft, batch: e.target.value })} />
        </label>
        <label>
          State
          <select value={draft.state ?? ''} onChange={(e) => setDraft({ ...draft, state: e.target.value })}>
            <option value="">any</option>
            {reviewStates.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
                {first?.states[s] !== undefined ? ` (${first.states[s]})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Flag
          <select value={draft.flag ?? ''} onChange={(e) => setDraft({ ...draft, flag: e.target.value })}>
            <option value="">any</option>
            {Object.entries(first?.flags ?? {}).map(([f, n]) => (
              <option key={f} value={f}>
                {f} ({n})
              </option>
            ))}
          </select>
        </label>
        <label>
          Title contains
          <input value={draft.text ?? ''} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </label>
        <label>
          Quality at least
          <input inputMode="decimal" value={draft.minQuality ?? ''} onChange={(e) => setDraft({ ...draft, minQuality: e.target.value })} />
        </label>
        <button type="submit">Filter</button>
        <button type="button" onClick={() => queue.refetch()} disabled={queue.isFetching}>
          Refresh
        </button>
      </form>
      {first && (
        <ul className="chips" aria-label="Imports by state">
          {Object.entries(first.states).map(([s, n]) => (
            <li key={s}>
              {s.replace('_', ' ')}: {formatNumber(n)}
            </li>
          ))}
        </ul>
      )}
      <ProblemText error={queue.error} />
      <p className="muted" aria-live="polite">
        {queue.isPending ? 'Loading…' : `${formatNumber((first?.total ?? 0))} ${first?.total === 1 ? 'import matches' : 'imports match'}.`} Keys: j / k move, Enter or o open, Escape close
        {can('curator') ? '; a approve, r reject, d defer.' : '.'}
      </p>
      <ExportButtons what="these imports" fileName={filter.batch?.trim() ? `batch-${filter.batch.trim()}-staged` : 'staged'} urlFor={(f) => stagedExportUrl(filter, f)} />
      <div className={opened !== null ? 'reviewlayout open' : 'reviewlayout'}>
        <div>
          <ol className="queue" onKeyDown={keys} aria-label="Imports">
            {items.map((item, i) => (
              <ReviewRow key={item.id} item={item} ref={(el) => void (rows.current[i] = el)} current={i === current} opened={item.id === opened}
                onFocus={() => setCurrent(i)} onOpen={() => (setCurrent(i), openAt(i))} />
            ))}
          </ol>
          {queue.hasNextPage && (
            <button type="button" onClick={() => queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>
              More
            </button>
          )}
        </div>
        {opened !== null && <ReviewDetailPanel id={opened} onClose={close} />}
      </div>
      {can('curator') && <BulkApprove batch={filter.batch} />}
    </section>
  );
}

function ReviewRow({ item, current, opened, onFocus, onOpen, ref }: {
  item: ReviewItem; current: boolean; opened: boolean; onFocus: () => void; onOpen: () => void; ref: (el: HTMLLIElement | null) => void;
}) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: (a: { action: 'approve' | 'reject' | 'defer'; reason?: string }) => api.reviewAction(key, item.id, item.version, a.action, a.reason),
    onSuccess: (r: ReviewOutcome) => {
      setDone(outcomeText(r));
      setRejecting(false);
      // The row stays where it is with its new state (a triage list must not move under the cursor); the list and
      // its counts are read again on the next filter or refresh.
      qc.setQueriesData<InfiniteData<ReviewPage>>({ queryKey: ['review'] }, (data) =>
        data && {
          ...data,
          pages: data.pages.map((p) => ({ ...p, items: p.items.map((i) => (i.id === r.id ? { ...i, state: r.state, version: r.version } : i)) })),
        },
      );
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.title === 'Version conflict') qc.invalidateQueries({ queryKey: ['review'] });
    },
  });
  const curator = can('curator');
  const open = item.state === 'needs_review' || item.state === 'ready' || item.state === 'deferred';
  function keys(e: KeyboardEvent) {
    if (!curator || !open || e.target !== e.currentTarget || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'a' && item.state === 'ready') act.mutate({ action: 'approve' });
    if (e.key === 'd') act.mutate({ action: 'defer' });
    if (e.key === 'r') {
      e.preventDefault();
      setRejecting(true);
    }
  }
  return (
    <li ref={ref} tabIndex={current ? 0 : -1} onFocus={onFocus} onKeyDown={keys} className={[current && 'current', opened && 'opened'].filter(Boolean).join(' ') || undefined}
      aria-label={item.title ?? item.url}>
      <div className="qhead">
        <strong>{item.title ?? '(no title)'}</strong>
        <button type="button" className="link" onClick={onOpen} aria-controls="review-detail" aria-expanded={opened} aria-label={`Open #${item.id}`}>
          Open
        </button>
        <span className="muted">
          #{item.id} · batch {item.batchId} · {item.state.replace('_', ' ')} · quality {item.quality.toFixed(2)}
        </span>
      </div>
      <div className="muted wrap">
        {[item.composer?.name, item.ragas.map((r) => r.name ?? r.id).join(', '), item.tala?.name].filter(Boolean).join(' · ')} — {item.url}
      </div>
      {item.flags.length > 0 && (
        <ul className="chips" aria-label="Flags">
          {item.flags.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {item.missing.length > 0 && (
        <p className="muted">
          Unresolved: {item.missing.map((m) => `${m.kind} “${m.input}”${m.candidates.length ? ` (best: ${m.candidates[0].name})` : ''}`).join('; ')}
        </p>
      )}
      {curator && open && !done && (
        <div className="controls">
          <button type="button" className="primary" disabled={item.state !== 'ready' || act.isPending} onClick={() => act.mutate({ action: 'approve' })}
            title={item.state !== 'ready' ? 'Only a ready import is approved: resolve its names first' : undefined}>
            Approve
          </button>
          <button type="button" onClick={() => setRejecting(true)} disabled={act.isPending}>
            Reject…
          </button>
          {item.state !== 'deferred' && (
            <button type="button" onClick={() => act.mutate({ action: 'defer' })} disabled={act.isPending}>
              Defer
            </button>
          )}
        </div>
      )}
      {rejecting && <RejectForm label={`Reason for rejecting #${item.id}`} pending={act.isPending} onReject={(reason) => act.mutate({ action: 'reject', reason })} onKeep={() => setRejecting(false)} />}
      <ActionOutcome done={done} error={act.error} />
    </li>
  );
}
