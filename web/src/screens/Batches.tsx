import { formatNumber } from '../lib/format';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { ProblemText, StageBar, StatusBadge } from '../components';
import { api, ApiError, type BatchListItem } from '../lib/api';
import { useEventStream } from '../lib/live';
import { batchTotals, formatAge, stageProgress } from '../lib/progress';
import { useSession } from '../lib/session';

const stages = ['MANIFEST', 'FETCH', 'EXTRACT', 'RESOLVE', 'APPROVE'];

export function BatchesScreen() {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: ['batches'],
    queryFn: ({ pageParam }) => api.batches(key, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  // The overview stream: batch and job events of every batch. A new batch, a stage done, a pause: the list refetches.
  const live = useEventStream(key, null, () => qc.invalidateQueries({ queryKey: ['batches'] }));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const now = Date.now();

  return (
    <section aria-labelledby="batches-title">
      <div className="titlebar">
        <h1 id="batches-title">Batches</h1>
        <span className={`live live-${live}`} role="status">
          {live === 'live' ? 'Live' : live === 'refused' ? 'Live updates refused' : 'Connecting…'}
        </span>
      </div>
      {can('operator') && <NewBatch />}
      <ProblemText error={list.error} />
      {list.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No batches yet.{can('operator') ? ' Drop CSV manifests above to start one.' : ''}</p>
      ) : (
        <div className="tablewrap">
          <table className="batches">
            <caption className="sr-only">Batches, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Batch</th>
                <th scope="col">Status</th>
                <th scope="col">Progress by stage</th>
                <th scope="col">Tasks</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((b) => (
                <BatchRow key={b.id} b={b} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Older batches
        </button>
      )}
    </section>
  );
}

function BatchRow({ b, now }: { b: BatchListItem; now: number }) {
  const totals = batchTotals(b.counts);
  const present = stages.filter((s) => b.counts[s]).concat(Object.keys(b.counts).filter((s) => !stages.includes(s)));
  return (
    <tr>
      <td>
        <Link href={`/batches/${b.id}`}>
          #{b.id} {b.name}
        </Link>
      </td>
      <td>
        <StatusBadge status={b.status} />
        {b.outcome && b.outcome.outcome !== 'in_progress' && (
          <div className="muted" title={b.outcome.description}>
            {b.outcome.outcome.replace(/_/g, ' ')}
          </div>
        )}
      </td>
      <td className="stages">
        {present.map((s) => (
          <div key={s} className="stagerow">
            <span className="stagename">{s}</span>
            <StageBar label={`${s} of batch ${b.id}`} progress={stageProgress(b.counts[s])} compact />
          </div>
        ))}
      </td>
      <td className="num">
        {formatNumber(totals.succeeded)} ok
        {totals.failed > 0 && <>, {formatNumber(totals.failed)} failed</>}
        {totals.blocked > 0 && <>, {formatNumber(totals.blocked)} blocked</>}
        {totals.open > 0 && <>, {formatNumber(totals.open)} to do</>}
      </td>
      <td>
        {formatAge(b.createdAt, now)}
        <br />
        <span className="muted">by {b.createdBy}</span>
      </td>
    </tr>
  );
}

/** New batch: drop CSV manifests (or choose them); a refused file is named with what to fix, and no batch is made. */
export function NewBatch() {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [files, setFiles] = useState<File[]>([]);
  const [name, setName] = useState('');
  const [hostMap, setHostMap] = useState('');
  const [polite, setPolite] = useState(true);
  const mapLines = hostMap.split('\n').map((l) => l.trim()).filter(Boolean);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    mutationFn: () => api.upload(key, files, name.trim() || undefined, { hostMap: mapLines, politeness: mapLines.length ? polite : undefined }),
    onSuccess: (r) => {
      qc.invalidateQueries({ queryKey: ['batches'] });
      navigate(`/batches/${r.batchId}`);
    },
  });

  function add(list: FileList | null) {
    if (!list) return;
    upload.reset();
    const chosen = [...list];
    setFiles((old) => [...old.filter((o) => !chosen.some((c) => c.name === o.name)), ...chosen]);
  }
  function drop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (files.length) upload.mutate();
  }
  const problem = upload.error instanceof ApiError ? upload.error.problem : null;

  return (
    <form className="newbatch" onSubmit={submit} aria-labelledby="newbatch-title">
      <h2 id="newbatch-title">New batch</h2>
      <div
        className={over ? 'drop over' : 'drop'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        data-testid="dropzone"
      >
        <p>Drop CSV manifests here (Krithi, Raga, Hyperlink), or</p>
        <label className="button" htmlFor="manifest-files">
          Choose files
        </label>
        <input
          id="manifest-files"
          ref={input}
          className="sr-only-focusable"
          type="file"
          accept=".csv,text/csv"
          multiple
          onChange={(e) => {
            add(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {files.length > 0 && (
        <ul className="files" aria-label="Files to import">
          {files.map((f) => {
            const refused = problem?.files?.find((p) => p.name === f.name);
            return (
              <li key={f.name} className={refused ? 'refused' : undefined}>
                <span>
                  {f.name} ({(f.size / 1024).toFixed(1)} KB)
                </span>
                {refused && (
                  <span className="error">
                    {' '}
                    — refused: {refused.detail} ({refused.code})
                  </span>
                )}
                <button type="button" className="link" onClick={() => setFiles(files.filter((x) => x !== f))} aria-label={`Remove ${f.name}`}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {can('admin') && (
        <details className="options">
          <summary>Fetch from an offline site (development, admins)</summary>
          <label htmlFor="host-map">Host map: one source host=server URL per line (the server must be allowed by serve --offline-site)</label>
          <textarea
            id="host-map"
            rows={3}
            value={hostMap}
            onChange={(e) => setHostMap(e.target.value)}
            placeholder="guru-guha.blogspot.com=http://127.0.0.1:5081"
            spellCheck={false}
          />
          <label className="check">
            <input type="checkbox" checked={!polite} disabled={mapLines.length === 0} onChange={(e) => setPolite(!e.target.checked)} />
            No politeness delay (only when every host of the manifests is mapped)
          </label>
        </details>
      )}
      <div className="row">
        <label htmlFor="batch-name">Name (optional)</label>
        <input id="batch-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. trinity" />
        <button type="submit" className="primary" disabled={files.length === 0 || upload.isPending}>
          {upload.isPending ? 'Uploading…' : `Import ${files.length || ''} file${files.length === 1 ? '' : 's'}`}
        </button>
      </div>
      {upload.error && (
        <div role="alert" className="error">
          <strong>{problem?.title ?? 'Upload failed'}</strong>
          {problem?.files?.length ? (
            <>
              : no batch was created. Fix the files marked above (or remove them) and import again.
              <ul>
                {problem.files.map((p) => (
                  <li key={p.name}>
                    {p.name}: {p.detail}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>: {problem?.detail ?? 'The server did not answer.'}</>
          )}
        </div>
      )}
    </form>
  );
}
