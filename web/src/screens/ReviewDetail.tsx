// One import beside the queue: the extracted record with each name's decision (and one-click choose), the lyrics
// aligned across scripts, look-alikes field by field (and merge), the stored source page shown inert, and the
// curator's decision (approve, reject with a reason, defer) with the version read.
import { useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ConfirmDialog, ProblemText, Time } from '../components';
import { api, ApiError, type ReviewItem, type ReviewPage } from '../lib/api';
import {
  actionProblem,
  alignSections,
  compareFields,
  comparableOfDraft,
  comparableOfKrithi,
  confidenceOf,
  decisionLabel,
  inertSrcdoc,
  isOpen,
  namesOf,
  rereadDelays,
  rereadUntil,
  reviewApi,
  type Comparable,
  type NameDecision,
  type ReviewDetail,
} from '../lib/review';
import { useSession } from '../lib/session';
import { ActionOutcome, outcomeText, RejectForm } from './review/ReviewActions';

export const detailKey = (id: number) => ['review-detail', id] as const;

/** The queue's row of this import, replaced by a fresher one (the detail carries the same row), where it is listed. */
export function patchQueueRow(qc: QueryClient, row: Pick<ReviewItem, 'id'> & Partial<ReviewItem>) {
  qc.setQueriesData<InfiniteData<ReviewPage>>({ queryKey: ['review'] }, (data) =>
    data && {
      ...data,
      pages: data.pages.map((p) => ({ ...p, items: p.items.map((i) => (i.id === row.id ? { ...i, ...row } : i)) })),
    },
  );
}

const typing = (t: EventTarget) => t instanceof HTMLElement && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest('[role="dialog"]') !== null);

export function ReviewDetailPanel({ id, onClose }: { id: number; onClose: () => void }) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const detail = useQuery({ queryKey: detailKey(id), queryFn: () => reviewApi.detail(key, id), staleTime: 0 });
  const heading = useRef<HTMLHeadingElement>(null);
  const [rejecting, setRejecting] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const d = detail.data;

  useEffect(() => {
    heading.current?.focus();
    setRejecting(false);
    setDone(null);
  }, [id]);
  // The queue row follows the detail: a state the detail shows (e.g. ready after a choice) shows in the list too.
  useEffect(() => {
    if (d) patchQueueRow(qc, d.import);
  }, [d, qc]);

  const act = useMutation({
    mutationFn: (a: { action: 'approve' | 'reject' | 'defer'; reason?: string }) => api.reviewAction(key, id, d!.import.version, a.action, a.reason),
    onSuccess: (r) => {
      setDone(outcomeText(r));
      setRejecting(false);
      patchQueueRow(qc, { id: r.id, state: r.state, version: r.version });
      void qc.invalidateQueries({ queryKey: detailKey(id) });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.title === 'Version conflict') {
        void qc.invalidateQueries({ queryKey: detailKey(id) });
        void qc.invalidateQueries({ queryKey: ['review'] });
      }
    },
  });

  const curator = can('curator');
  const open = d ? isOpen(d.import.state) : false;
  const startReject = () => {
    setRejecting(true);
  };
  function keys(e: KeyboardEvent) {
    if (typing(e.target)) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
      return;
    }
    if (!curator || !open || !d || act.isPending || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'a' && d.import.state === 'ready') act.mutate({ action: 'approve' });
    else if (e.key === 'd' && d.import.state !== 'deferred') act.mutate({ action: 'defer' });
    else if (e.key === 'r') {
      e.preventDefault();
      startReject();
    }
  }

  return (
    <aside className="reviewdetail" id="review-detail" aria-labelledby="detail-title" onKeyDown={keys}>
      <div className="drawerhead">
        <h2 id="detail-title" ref={heading} tabIndex={-1}>
          {d ? (d.import.title ?? '(no title)') : `Import #${id}`}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the import (Escape)">
          Close
        </button>
      </div>
      {detail.isPending && <p>Loading…</p>}
      <ProblemText error={detail.error} />
      {d && (
        <>
          <p className="muted wrap">
            #{d.import.id} · batch {d.import.batchId} · <strong>{d.import.state.replace('_', ' ')}</strong> · quality {d.import.quality.toFixed(2)} · version {d.import.version}
            {d.import.krithiId ? ` · krithi ${d.import.krithiId}` : ''}
          </p>
          <p className="muted wrap">Source: {d.import.url}</p>
          {d.import.flags.length > 0 && (
            <ul className="chips" aria-label="Flags">
              {d.import.flags.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
          {curator && open && !done && (
            <div className="controls" aria-label="Decision">
              <button type="button" className="primary" disabled={d.import.state !== 'ready' || act.isPending} onClick={() => act.mutate({ action: 'approve' })}
                title={d.import.state !== 'ready' ? 'Only a ready import is approved: resolve its names first' : undefined}>
                Approve
              </button>
              <button type="button" onClick={startReject} disabled={act.isPending}>
                Reject…
              </button>
              {d.import.state !== 'deferred' && (
                <button type="button" onClick={() => act.mutate({ action: 'defer' })} disabled={act.isPending}>
                  Defer
                </button>
              )}
              <span className="muted">Keys: a approve, r reject, d defer, Escape close.</span>
            </div>
          )}
          {rejecting && <RejectForm label={`Reason for rejecting import #${id}`} pending={act.isPending} onReject={(reason) => act.mutate({ action: 'reject', reason })} onKeep={() => setRejecting(false)} />}
          <ActionOutcome done={done} error={act.error} />
          {/* On a wide screen the stored page stands beside the record it was read into; on a narrow one, below it. */}
          <div className="detailgrid">
            <div className="detailmain">
              <Record d={d} />
              <Names d={d} />
              <Sections d={d} />
              <LookAlikes d={d} />
              <Provenance d={d} />
            </div>
            <div className="detailside">
              <SourcePage id={id} />
            </div>
          </div>
        </>
      )}
    </aside>
  );
}

function Record({ d }: { d: ReviewDetail }) {
  const x = d.extraction;
  const rows: [string, ReactNode][] = [
    ['Title', d.import.title ?? '—'],
    ['Raga(s)', d.import.ragas.map((r) => r.name ?? r.id).join(', ') || (x?.ragas.map((r) => r.name).join(', ') ?? '—')],
    ['Tala', d.import.tala?.name ?? x?.tala ?? '—'],
    ['Composer', d.import.composer?.name ?? x?.composer ?? '—'],
    ['Form', d.draft.form ?? x?.form ?? '—'],
    ['Deity', x?.deity ?? '—'],
    ['Kshetra', x?.kshetra ?? '—'],
  ];
  return (
    <section aria-labelledby="record-title">
      <h3 id="record-title">Extracted record</h3>
      <dl className="facts">
        {rows.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {(d.qualityReasons.length > 0 || d.warnings.length > 0) && (
        <ul className="muted">
          {[...d.qualityReasons, ...d.warnings].map((w, i) => (
            <li key={i}>
              {w.message} <span className="muted">(−{w.penalty.toFixed(2)})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Each name as RESOLVE decided it; an unresolved one lists its candidates, each a one-click choice for curators. */
function Names({ d }: { d: ReviewDetail }) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const id = d.import.id;
  const [note, setNote] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const choose = useMutation({
    mutationFn: (c: { kind: string; name: string; entityId: string; label: string }) => reviewApi.choose(key, id, c.kind, c.name, c.entityId),
    onSuccess: async (_r, c) => {
      setNote(`Chose ${c.label} for ${c.kind} “${c.name}”: resolving the import again…`);
      abort.current?.abort();
      const signal = (abort.current = new AbortController()).signal;
      // RESOLVE runs again as engine work: read the import now, then a bounded number of times until the name is settled.
      const read = () => qc.fetchQuery({ queryKey: detailKey(id), queryFn: () => reviewApi.detail(key, id), staleTime: 0 });
      const settled = (x: ReviewDetail) => x.import.state !== 'needs_review' || !x.import.missing.some((m) => m.kind === c.kind && m.input === c.name);
      let last: ReviewDetail | undefined;
      try {
        last = await read();
      } catch {
        last = undefined;
      }
      if (!last || !settled(last)) last = await rereadUntil(read, settled, rereadDelays, signal);
      if (signal.aborted) return;
      if (last && settled(last))
        setNote(last.import.state === 'ready' ? `Now ready: import #${id} can be approved.` : `The ${c.kind} is resolved; the import is ${last.import.state.replace('_', ' ')}.`);
      else setNote(`Chose ${c.label}; the import is still being resolved. Refresh in a moment.`);
    },
  });
  const curator = can('curator') && isOpen(d.import.state);
  return (
    <section aria-labelledby="names-title">
      <h3 id="names-title">Names</h3>
      <div className="tablewrap">
        <table className="names">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">As written</th>
              <th scope="col">Decision</th>
              <th scope="col">Candidates</th>
            </tr>
          </thead>
          <tbody>
            {d.decisions.map((n, i) => (
              <NameRow key={`${n.kind}-${n.source}-${n.input}-${i}`} n={n} canChoose={curator} busy={choose.isPending} onChoose={(c) => choose.mutate({ kind: n.kind, name: n.input, entityId: c.id, label: c.name })} />
            ))}
          </tbody>
        </table>
      </div>
      {note && (
        <p role="status" className="result">
          {note}
        </p>
      )}
      {choose.error && (
        <p role="alert" className="error">
          {actionProblem(choose.error)}
        </p>
      )}
    </section>
  );
}

function NameRow({ n, canChoose, busy, onChoose }: { n: NameDecision; canChoose: boolean; busy: boolean; onChoose: (c: { id: string; name: string }) => void }) {
  const label = decisionLabel(n.status);
  const conf = confidenceOf(n);
  const unresolved = n.status === 'needs_review' || n.status === 'unknown';
  return (
    <tr className={`decision d-${label}`}>
      <th scope="row">
        {n.kind}{' '}
        <span className="muted">({n.source})</span>
      </th>
      <td>{n.input}</td>
      <td>
        <span className={`badge d-${label}`}>{label}</span>
        {n.match ? ` → ${n.match.name}` : ''}
        {conf !== null && <span className="muted"> · {conf.toFixed(2)}</span>}
      </td>
      <td>
        {n.candidates.length === 0 && <span className="muted">none close</span>}
        {unresolved ? (
          <ul className="candidates">
            {n.candidates.map((c) => (
              <li key={c.id}>
                {c.name} <span className="muted">{c.score.toFixed(2)}{c.reason ? `, ${c.reason}` : ''}</span>{' '}
                {canChoose && (
                  <button type="button" disabled={busy} onClick={() => onChoose(c)} aria-label={`Choose ${c.name} for ${n.kind} “${n.input}”`}>
                    Choose
                  </button>
                )}
              </li>
            ))}
          </ul>
        ) : (
          n.candidates.length > 0 && <span className="muted">{n.candidates.slice(0, 3).map((c) => `${c.name} ${c.score.toFixed(2)}`).join(', ')}</span>
        )}
      </td>
    </tr>
  );
}

/** One row per section, one column per script; a section a script lacks is an empty cell marked missing. */
function Sections({ d }: { d: ReviewDetail }) {
  const { scripts, rows } = alignSections(d.draft.lyrics);
  if (rows.length === 0) return (
    <section aria-labelledby="sections-title">
      <h3 id="sections-title">Lyrics</h3>
      <p className="muted">No lyrics were extracted.</p>
    </section>
  );
  return (
    <section aria-labelledby="sections-title">
      <h3 id="sections-title">Lyrics by section and script</h3>
      <div className="tablewrap scroll">
        <table className="aligned" aria-labelledby="sections-title">
          <thead>
            <tr>
              <th scope="col">Section</th>
              {scripts.map((s) => (
                <th key={s} scope="col">
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.position}>
                <th scope="row">{r.label}</th>
                {r.cells.map((text, i) =>
                  text === null ? (
                    <td key={scripts[i]} className="missing" aria-label={`${r.label} missing in ${scripts[i]}`}>
                      <span className="muted">missing</span>
                    </td>
                  ) : (
                    <td key={scripts[i]} className="lyric" lang={langOf(scripts[i])}>
                      {text}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const langs: Record<string, string> = { devanagari: 'sa', tamil: 'ta', telugu: 'te', kannada: 'kn', malayalam: 'ml', latin: 'sa-Latn' };
const langOf = (script: string) => langs[script];

/** Krithis that may be the same work, and the import this one duplicates: each field by field against the import. */
function LookAlikes({ d }: { d: ReviewDetail }) {
  const twins = [...new Set([d.import.duplicateOf, ...d.duplicateFlags.map((f) => f.otherId)].filter((x): x is number => x !== null && x !== d.import.id))];
  if (d.catalogCandidates.length === 0 && twins.length === 0) return null;
  return (
    <section aria-labelledby="lookalikes-title">
      <h3 id="lookalikes-title">Duplicate candidates</h3>
      {d.catalogCandidates.map((c) => (
        <CatalogLookAlike key={`k${c.krithiId}`} d={d} krithiId={c.krithiId} why={c.why} />
      ))}
      {twins.map((other) => (
        <ImportLookAlike key={`i${other}`} d={d} otherId={other} why={d.duplicateFlags.find((f) => f.otherId === other)?.reason ?? 'marked as its duplicate'} />
      ))}
    </section>
  );
}

function CatalogLookAlike({ d, krithiId, why }: { d: ReviewDetail; krithiId: number; why: string }) {
  const { key } = useSession();
  const k = useQuery({ queryKey: ['krithi', krithiId], queryFn: () => api.krithi(key, krithiId) });
  if (k.error) return <ProblemText error={k.error} />;
  if (!k.data) return <p className="muted">Loading krithi {krithiId}…</p>;
  const names = namesOf(d, [k.data.composer, k.data.tala, k.data.deity, k.data.kshetra, ...k.data.ragas.map((r) => ({ id: r.id, name: r.name }))]);
  return <Difference d={d} title={`Krithi ${krithiId} “${k.data.displayTitle ?? k.data.title}”`} why={why} theirs={comparableOfKrithi(k.data)} names={names} mergeInto={krithiId} />;
}

function ImportLookAlike({ d, otherId, why }: { d: ReviewDetail; otherId: number; why: string }) {
  const { key } = useSession();
  const o = useQuery({ queryKey: detailKey(otherId), queryFn: () => reviewApi.detail(key, otherId) });
  if (o.error) return <ProblemText error={o.error} />;
  if (!o.data) return <p className="muted">Loading import {otherId}…</p>;
  const other = o.data;
  const theirNames = namesOf(other);
  const ours = namesOf(d);
  const names = (id: string) => (ours(id) !== id ? ours(id) : theirNames(id));
  return (
    <Difference d={d} title={`Import #${otherId} “${other.import.title ?? ''}” (${other.import.state.replace('_', ' ')})`} why={why}
      theirs={comparableOfDraft(other.draft)} names={names} mergeInto={other.import.krithiId ?? undefined} />
  );
}

function Difference({ d, title, why, theirs, names, mergeInto }: { d: ReviewDetail; title: string; why: string; theirs: Comparable; names: (id: string) => string; mergeInto?: number }) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const diff = compareFields(comparableOfDraft(d.draft), theirs, names);
  const differing = diff.filter((f) => !f.same);
  const merge = useMutation({
    mutationFn: () => reviewApi.merge(key, d.import.id, d.import.version, mergeInto!),
    onSuccess: (r) => {
      setConfirming(false);
      patchQueueRow(qc, { id: r.id, state: r.state, version: r.version, krithiId: r.krithiId ?? null });
      void qc.invalidateQueries({ queryKey: detailKey(d.import.id) });
    },
    onError: (e) => {
      setConfirming(false);
      if (e instanceof ApiError && e.problem.title === 'Version conflict') void qc.invalidateQueries({ queryKey: detailKey(d.import.id) });
    },
  });
  const canMerge = mergeInto !== undefined && can('curator') && isOpen(d.import.state);
  return (
    <div className="lookalike">
      <h4>{title}</h4>
      <p className="muted">
        {why} · {differing.length === 0 ? 'every field the same' : `${differing.length} field${differing.length === 1 ? '' : 's'} differ: ${differing.map((f) => f.label.toLowerCase()).join(', ')}`}
      </p>
      <div className="tablewrap">
        <table className="diff" aria-label={`${title} against this import`}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">This import</th>
              <th scope="col">{mergeInto !== undefined && title.startsWith('Krithi') ? 'Krithi' : 'Other'}</th>
            </tr>
          </thead>
          <tbody>
            {diff.map((f) => (
              <tr key={f.field} className={f.same ? 'same' : 'differs'}>
                <th scope="row">
                  {f.label}{' '}
                  <span className="sr-only">{f.same ? '(same)' : '(differs)'}</span>
                </th>
                <td>{f.ours}</td>
                <td>{f.theirs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canMerge && (
        <div className="controls">
          <button type="button" onClick={() => setConfirming(true)} disabled={merge.isPending}>
            Merge into krithi {mergeInto}
          </button>
        </div>
      )}
      {merge.data && (
        <p role="status" className="result">
          Merged into krithi {merge.data.krithiId} (version {merge.data.krithiVersion ?? '?'}).
          {merge.data.conflicts?.length ? ` Left as the krithi has them: ${merge.data.conflicts.map((c) => c.field).join(', ')}.` : ''}
        </p>
      )}
      {merge.error && (
        <p role="alert" className="error">
          {actionProblem(merge.error)}
        </p>
      )}
      {confirming && (
        <ConfirmDialog title={`Merge import #${d.import.id} into krithi ${mergeInto}?`} confirm={`Merge into krithi ${mergeInto}`} busy={merge.isPending}
          onConfirm={() => merge.mutate()} onClose={() => setConfirming(false)}>
          <p>
            The krithi gets this page as a source and the scripts it lacks. {differing.length > 0 ? `The ${differing.length} differing field${differing.length === 1 ? '' : 's'} (${differing.map((f) => f.label.toLowerCase()).join(', ')}) keep the krithi's values and are listed as conflicts.` : 'Every compared field is the same.'} The import becomes merged.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The stored page, fetched with the key and shown in a frame that runs no script and loads nothing. */
function SourcePage({ id }: { id: number }) {
  const { key } = useSession();
  const page = useQuery({ queryKey: ['review-page', id], queryFn: () => reviewApi.page(key, id), staleTime: 300_000 });
  return (
    <section aria-labelledby="page-title">
      <h3 id="page-title">Stored source page</h3>
      <p className="muted">Its text and structure as fetched, shown inert: scripts, styles and other hosts' images are left out, and nothing is loaded from the source host.</p>
      {page.isPending && <p>Loading…</p>}
      {page.error && (
        <p role="alert" className="error">
          {page.error.message}
        </p>
      )}
      {page.data !== undefined && (
        <iframe className="sourcepage" sandbox="" referrerPolicy="no-referrer" srcDoc={inertSrcdoc(page.data)} title={`Stored source page of import #${id} (inert)`} />
      )}
    </section>
  );
}

function Provenance({ d }: { d: ReviewDetail }) {
  return (
    <section aria-labelledby="prov-title">
      <h3 id="prov-title">Manifest rows and history</h3>
      <ul className="events">
        {d.manifestRows.map((r) => (
          <li key={r.id}>
            {r.fileName} row {r.rowNumber}: {[r.krithi, r.raga].filter(Boolean).join(' · ')}
          </li>
        ))}
        {d.history.map((e) => (
          <li key={e.id}>
            <Time ms={e.at} /> {e.kind.replace('review_', '')} <span className="muted">by {e.actor}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
