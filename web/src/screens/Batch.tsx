import { formatNumber } from '../lib/format';
import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { ConfirmDialog, labelOf, ProblemText, StageBar, StatusBadge, Time } from '../components';
import { api, type BatchView, type ErrorGroup, type GranthaEvent, type StageTask, type TaskFilter } from '../lib/api';
import { confirmation, controlsFor, resultText, type Control } from '../lib/confirm';
import { groupByCode, needsChoice, retryable } from '../lib/errors';
import {
  batchApi,
  createThrottle,
  csvCell,
  errorGroupsCsv,
  selectionConfirmation,
  selectionResult,
  taskExportUrl,
  taskIdsMax,
  tooMany,
  type HostsView,
} from '../lib/batch';
import { affected, createRefresher, useEventStream } from '../lib/live';
import { addSample, eta, formatAge, formatDuration, stageProgress, type Sample } from '../lib/progress';
import { download, saveBlob } from '../lib/download';
import { useSession } from '../lib/session';
import { Throughput } from './Throughput';
import { ActionButton } from './batch/ActionButton';
import { BlockedNames } from './batch/BlockedNames';
import { Hosts, hostsQueryKey } from './batch/Hosts';
import { TaskPage } from './batch/TaskPage';

/** Batch-level and job-level happenings for the timeline; one line per task would drown them. */
const timelineKinds = /^(batch_|job_|tasks_|manifest_)/;

export function BatchScreen({ id }: { id: number }) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const batch = useQuery({ queryKey: ['batch', id], queryFn: () => api.batch(key, id) });
  const errors = useQuery({ queryKey: ['errors', id], queryFn: () => api.errors(key, id) });
  const [filter, setFilter] = useState<TaskFilter>({});
  // The task list's first page is read beside the batch, not after it: on a large batch the screen is usable one
  // round trip sooner (the list mounts when the batch has come and finds its rows there).
  useEffect(() => void qc.prefetchInfiniteQuery(tasksQuery(key, id, {})), [qc, key, id]);
  const [openTask, setOpenTask] = useState<number | null>(null);
  const [liveEvents, setLiveEvents] = useState<GranthaEvent[]>([]);
  // The throughput chart reads a GROUP BY over the batch's tasks: at most once per 5 s while tasks finish, and once after.
  const [chartVersion, setChartVersion] = useState(0);
  const chartTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (chartTimer.current && clearTimeout(chartTimer.current)), []);
  // The hosts panel: read again on the batch's fetch events (task events of its FETCH job) and controls, at most once a second.
  // Reads for events never cancel the read in flight (see createRefresher): a steady stream cannot starve the screen.
  const refresh = useMemo(() => createRefresher((queryKey) => qc.invalidateQueries({ queryKey }, { cancelRefetch: false })), [qc]);
  const hostsThrottle = useMemo(() => createThrottle(() => qc.invalidateQueries({ queryKey: hostsQueryKey(id) }), 1_000), [qc, id]);
  useEffect(() => () => hostsThrottle.dispose(), [hostsThrottle]);

  const onEvents = useCallback(
    (events: GranthaEvent[]) => {
      const what = affected(events);
      if (what.batch) refresh(['batch', id]);
      if (what.errors) refresh(['errors', id]);
      if (what.tasks) refresh(['tasks', id]);
      if (what.tasks && chartTimer.current === null)
        chartTimer.current = setTimeout(() => {
          chartTimer.current = null;
          setChartVersion((v) => v + 1);
        }, 5_000);
      const fetchJob = qc.getQueryData<HostsView>(hostsQueryKey(id))?.fetchJobId;
      if (events.some((e) => (fetchJob != null && e.jobId === fetchJob && e.taskId !== null) || /^(tasks_retried|tasks_requeued|batch_)/.test(e.kind))) hostsThrottle.call();
      const kept = events.filter((e) => timelineKinds.test(e.kind));
      if (kept.length) setLiveEvents((old) => [...old, ...kept].slice(-500));
    },
    [qc, id, hostsThrottle, refresh],
  );
  const live = useEventStream(key, id, onEvents);

  if (batch.isPending) return <p>Loading batch {id}…</p>;
  if (batch.error) return <ProblemText error={batch.error} />;
  const b = batch.data;

  return (
    <article aria-labelledby="batch-title" className="batch">
      <p>
        <Link href="/">← Batches</Link>
      </p>
      <div className="titlebar">
        <h1 id="batch-title">
          #{b.id} {b.name}
        </h1>
        <StatusBadge status={b.status} />
        {b.outcome && (
          <span className="muted" title={b.outcome.description}>
            ({b.outcome.outcome.replace(/_/g, ' ')})
          </span>
        )}
        <span className={`live live-${live}`} role="status">
          {live === 'live' ? 'Live' : live === 'refused' ? 'Live updates refused' : live === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
        </span>
      </div>
      <p className="muted">
        Created {formatAge(b.createdAt, Date.now())} by {b.createdBy}
        {b.settledAt ? (
          <>
            {' '}
            · settled <Time ms={b.settledAt} />
          </>
        ) : null}
      </p>
      {can('operator') && <Controls batch={b} groups={errors.data ?? []} />}
      <Stages batch={b} />
      <Throughput batch={b} version={chartVersion} />
      <Hosts batchId={id} />
      <ErrorGroups
        batch={b}
        groups={errors.data ?? []}
        error={errors.error}
        onShow={(f) => {
          setFilter(f);
          document.getElementById('tasks-title')?.scrollIntoView?.();
        }}
      />
      <Tasks batch={b} filter={filter} setFilter={setFilter} onOpen={setOpenTask} />
      <RowErrors batch={b} />
      <Timeline batchId={id} live={liveEvents} />
      {openTask !== null && <TaskDrawer taskId={openTask} batch={b} onClose={() => setOpenTask(null)} />}
    </article>
  );
}

/** Pause, resume, cancel and retry all, each confirmed first; the result says what happened. */
function Controls({ batch, groups }: { batch: BatchView; groups: ErrorGroup[] }) {
  const all = retryable(groups, {});
  const waiting = groups.filter((g) => needsChoice(g)).reduce((a, g) => a + g.count, 0);
  const canRetry = batch.status === 'RUNNING' || batch.status === 'COMPLETED';
  const actions: Control[] = controlsFor(batch.status).map((k) => ({ kind: k }) as Control);
  if (canRetry && all > 0) actions.push({ kind: 'retry', expected: all });
  return (
    <div className="controls" role="group" aria-label="Batch controls">
      {actions.map((c) => (
        <ControlButton
          key={c.kind}
          batch={batch}
          control={c}
          note={
            c.kind === 'retry' && waiting > 0
              ? `The ${formatNumber(waiting)} RESOLVE task${waiting === 1 ? '' : 's'} blocked on a name run too, and block again until the name is chosen (see Errors).`
              : undefined
          }
        />
      ))}
    </div>
  );
}

const buttonLabel = (c: Control) =>
  c.kind === 'retry' ? (c.code || c.host || c.taskIds ? 'Retry' : `Retry all failed (${formatNumber(c.expected)})`) : c.kind[0].toUpperCase() + c.kind.slice(1);

export function ControlButton({ batch, control, label, note }: { batch: BatchView; control: Control; label?: string; note?: string }) {
  const { key } = useSession();
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: () =>
      control.kind === 'retry'
        ? api.retry(key, batch.id, { stage: control.stage, code: control.code, host: control.host ?? undefined, taskIds: control.taskIds })
        : api.control(key, batch.id, control.kind),
    onSuccess: (r) => {
      setResult(resultText(control, r));
      setAsking(false);
      for (const k of ['batch', 'errors', 'tasks']) qc.invalidateQueries({ queryKey: [k, batch.id] });
      qc.invalidateQueries({ queryKey: ['batches'] });
    },
  });
  const c = confirmation(control, batch);
  return (
    <>
      <button
        type="button"
        className={c.destructive ? 'danger' : undefined}
        onClick={() => {
          run.reset();
          setResult(null);
          setAsking(true);
        }}
      >
        {label ?? buttonLabel(control)}
      </button>
      <span role="status" className="result">
        {result}
      </span>
      {asking && (
        <ConfirmDialog title={c.title} confirm={c.confirm} destructive={c.destructive} busy={run.isPending} onConfirm={() => run.mutate()} onClose={() => setAsking(false)}>
          <p>{c.body}</p>
          {note && <p>{note}</p>}
          <ProblemText error={run.error} />
        </ConfirmDialog>
      )}
    </>
  );
}

/** One bar per stage with its counts by state, and an ETA from what this page has seen finish. */
function Stages({ batch }: { batch: BatchView }) {
  const samples = useRef<Record<string, Sample[]>>({});
  const now = Date.now();
  for (const j of batch.jobs) {
    const p = stageProgress(j.counts);
    samples.current[j.stage] = addSample(samples.current[j.stage] ?? [], { at: now, done: p.done });
  }
  return (
    <section aria-labelledby="stages-title">
      <h2 id="stages-title">Stages</h2>
      <ol className="stagelist">
        {batch.jobs.map((j) => {
          const p = stageProgress(j.counts);
          const left = batch.status === 'RUNNING' && p.open > 0 ? eta(samples.current[j.stage] ?? [], p.open) : null;
          return (
            <li key={j.stage}>
              <div className="stagehead">
                <h3>{j.stage}</h3>
                <span className="muted">
                  {j.status.toLowerCase()} · {formatNumber(p.done)} of {formatNumber(p.total)} done
                  {left !== null && left > 0 ? ` · about ${formatDuration(left)} left` : ''}
                </span>
              </div>
              <StageBar label={j.stage} progress={p} />
            </li>
          );
        })}
      </ol>
      <p className="muted">
        Manifest: {formatNumber(batch.manifest.rows)} rows, {formatNumber(batch.manifest.accepted)} accepted,{' '}
        {formatNumber(batch.manifest.errors)} with errors, {formatNumber(batch.manifest.distinctUrls)} distinct pages.
      </p>
    </section>
  );
}

/** Errors by stage and code, each with its hosts; a row shows its tasks below, or retries them (operator). */
function ErrorGroups({ batch, groups, error, onShow }: { batch: BatchView; groups: ErrorGroup[]; error: unknown; onShow: (f: TaskFilter) => void }) {
  const { can } = useSession();
  const byCode = useMemo(() => groupByCode(groups), [groups]);
  const canRetry = can('operator') && (batch.status === 'RUNNING' || batch.status === 'COMPLETED');
  const waitingOnNames = groups.filter((g) => needsChoice(g)).reduce((a, g) => a + g.count, 0);
  return (
    <section aria-labelledby="errors-title">
      <div className="titlebar">
        <h2 id="errors-title">Errors</h2>
        {byCode.length > 0 && (
          <button type="button" onClick={() => saveBlob(new Blob([errorGroupsCsv(groups)], { type: 'text/csv' }), `batch-${batch.id}-errors.csv`)}>
            Export errors CSV
          </button>
        )}
      </div>
      <ProblemText error={error} />
      {byCode.length === 0 ? (
        <p className="muted">No failed, blocked or retrying task.</p>
      ) : (
        <div className="tablewrap">
          <table className="errors">
            <thead>
              <tr>
                <th scope="col">Stage · code / host</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Tasks
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            {byCode.map((g) => (
              <tbody key={`${g.stage}/${g.code}`}>
                <tr className="codegroup">
                  <th scope="row">
                    {g.stage} · <code>{g.code}</code>
                  </th>
                  <td />
                  <td className="num">{formatNumber(g.count)}</td>
                  <td className="actions">
                    <div>
                    <button type="button" onClick={() => onShow({ stage: g.stage, code: g.code })} aria-label={`Show ${g.stage} tasks with ${g.code}`}>
                      Show tasks
                    </button>
                    {needsChoice(g) && can('curator') && (
                      <button
                        type="button"
                        onClick={() => document.getElementById('blocked-names-title')?.scrollIntoView?.()}
                        aria-label={`Choose the names ${formatNumber(g.count)} ${g.stage} tasks wait on`}
                      >
                        Choose names
                      </button>
                    )}
                    {canRetry && retryable(groups, { stage: g.stage, code: g.code }) > 0 && (
                      <ControlButton
                        batch={batch}
                        control={{ kind: 'retry', stage: g.stage, code: g.code, expected: retryable(groups, { stage: g.stage, code: g.code }) }}
                        label={`Retry ${g.code}`}
                      />
                    )}
                    </div>
                  </td>
                </tr>
                {g.hosts.map((h) => (
                  <tr key={`${h.host}/${h.state}`}>
                    <td className="indent">{h.host ?? '(no host)'}</td>
                    <td>{labelOf(h.state)}</td>
                    <td className="num">{formatNumber(h.count)}</td>
                    <td className="actions">
                      <div>
                      <button
                        type="button"
                        onClick={() => onShow({ stage: g.stage, code: g.code, state: h.state, host: h.host ?? undefined })}
                        aria-label={`Show ${g.code} tasks on ${h.host ?? 'no host'}`}
                      >
                        Show
                      </button>
                      {canRetry && h.host && h.state !== 'RETRY_WAIT' && !needsChoice({ stage: g.stage, code: g.code, state: h.state }) && (
                        <ControlButton
                          batch={batch}
                          control={{ kind: 'retry', stage: g.stage, code: g.code, host: h.host, expected: retryable(groups, { stage: g.stage, code: g.code, host: h.host }) }}
                          label={`Retry on ${h.host}`}
                        />
                      )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
      {waitingOnNames > 0 && <BlockedNames batchId={batch.id} blocked={waitingOnNames} />}
    </section>
  );
}

const states = ['', 'PENDING', 'RETRY_WAIT', 'PAUSED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'BLOCKED', 'CANCELLED'];

/** A batch's task list under a filter, page by page (keyset): one definition for the list and the screen's prefetch. */
function tasksQuery(key: string, batchId: number, filter: TaskFilter) {
  return infiniteQueryOptions({
    queryKey: ['tasks', batchId, filter],
    queryFn: ({ pageParam }) => api.tasks(key, batchId, filter, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    // Fresh for a moment, so the list does not read again the page the screen has just prefetched; events invalidate it.
    staleTime: 5_000,
  });
}

/** The task list: server filters and keyset pages, drawn with virtual scrolling (a batch may have 100,000 tasks). */
function Tasks({ batch, filter, setFilter, onOpen }: { batch: BatchView; filter: TaskFilter; setFilter: (f: TaskFilter) => void; onOpen: (id: number) => void }) {
  const { key, can } = useSession();
  const batchId = batch.id;
  const tasks = useInfiniteQuery(tasksQuery(key, batchId, filter));
  const rows = useMemo(() => tasks.data?.pages.flatMap((p) => p.items) ?? [], [tasks.data]);
  const scroller = useRef<HTMLDivElement>(null);
  // Two lines per task on a phone (the CSS's narrow layout), one on a wider screen.
  const rowHeight = typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 700px)').matches ? 56 : 40;
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (lastIndex >= rows.length - 20 && tasks.hasNextPage && !tasks.isFetchingNextPage) tasks.fetchNextPage();
  }, [lastIndex, rows.length, tasks]);

  const [draft, setDraft] = useState<TaskFilter>(filter);
  useEffect(() => setDraft(filter), [filter]);
  // The selection is of tasks shown under this filter: a new filter starts a new selection.
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  useEffect(() => setSelected(new Set()), [filter]);
  const selecting = can('operator');
  const allShown = rows.length > 0 && rows.every((t) => selected.has(t.id));
  const toggle = (taskId: number) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(taskId)) next.delete(taskId);
      else next.add(taskId);
      return next;
    });
  const [exporting, setExporting] = useState<string | null>(null);
  async function exportTasks() {
    setExporting('Preparing the export…');
    try {
      await download(key, taskExportUrl(batchId, filter), `batch-${batchId}-tasks.csv`);
      setExporting(null);
    } catch (e) {
      setExporting(`Export failed: ${(e as Error).message}`);
    }
  }
  const ids = [...selected];
  const [selectionSaid, setSelectionSaid] = useState<string | null>(null);
  const selectionAction = (requeue: boolean) => {
    const c = selectionConfirmation(ids.length, requeue, batch);
    return (
      <ActionButton
        batchId={batchId}
        label={`${requeue ? 'Requeue' : 'Retry'} selected (${formatNumber(ids.length)})`}
        title={c.title}
        body={c.body}
        confirm={c.confirm}
        refusal={ids.length > taskIdsMax ? tooMany(ids.length) : null}
        run={() => batchApi.selected(key, batchId, ids, requeue)}
        result={(r) => selectionResult(ids.length, requeue, r)}
        onDone={(said) => {
          setSelected(new Set());
          setSelectionSaid(said);
        }}
      />
    );
  };
  function submit(e: FormEvent) {
    e.preventDefault();
    setFilter(Object.fromEntries(Object.entries(draft).filter(([, v]) => v)) as TaskFilter);
  }
  const field = (name: keyof TaskFilter, label: string) => (
    <label>
      {label}
      <input value={draft[name] ?? ''} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </label>
  );

  return (
    <section aria-labelledby="tasks-title">
      <h2 id="tasks-title" tabIndex={-1}>
        Tasks
      </h2>
      <form className="filters" onSubmit={submit} aria-label="Task filters">
        <label>
          Stage
          <select value={draft.stage ?? ''} onChange={(e) => setDraft({ ...draft, stage: e.target.value })}>
            {['', 'MANIFEST', 'FETCH', 'EXTRACT', 'RESOLVE', 'APPROVE'].map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={draft.state ?? ''} onChange={(e) => setDraft({ ...draft, state: e.target.value })}>
            {states.map((s) => (
              <option key={s} value={s}>
                {s ? labelOf(s) : 'any'}
              </option>
            ))}
          </select>
        </label>
        {field('code', 'Error code')}
        {field('host', 'Host')}
        {field('q', 'URL or file contains')}
        <button type="submit">Filter</button>
        <button type="button" className="link" onClick={() => setFilter({})}>
          Clear
        </button>
      </form>
      <ProblemText error={tasks.error} />
      <div className="tasktools">
        <p className="muted" aria-live="polite">
          {tasks.isPending ? 'Loading…' : `${formatNumber(rows.length)}${tasks.hasNextPage ? '+' : ''} task${rows.length === 1 && !tasks.hasNextPage ? '' : 's'}`}
        </p>
        {selecting && rows.length > 0 && (
          <label className="check">
            <input type="checkbox" checked={allShown} onChange={() => setSelected(allShown ? new Set() : new Set(rows.map((t) => t.id)))} />
            Select all shown ({formatNumber(rows.length)}
            {tasks.hasNextPage ? ' loaded' : ''})
          </label>
        )}
        {selecting && ids.length > 0 && (
          <div className="controls" role="group" aria-label="Selected tasks">
            {selectionAction(false)}
            {selectionAction(true)}
            <button type="button" className="link" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </div>
        )}
        {selecting && (
          <span role="status" className="result">
            {ids.length === 0 ? selectionSaid : null}
          </span>
        )}
        <button type="button" onClick={exportTasks} disabled={exporting === 'Preparing the export…'} title="Every task matching the filter, not only those loaded">
          Export tasks CSV
        </button>
        <span role="status" className="result">
          {exporting}
        </span>
      </div>
      {ids.length > taskIdsMax && (
        <p role="alert" className="error">
          {tooMany(ids.length)}
        </p>
      )}
      <div className="tasklist" ref={scroller} role="list" aria-label="Tasks" tabIndex={0}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const t = rows[v.index];
            return (
              <div
                key={t.id}
                role="listitem"
                className={selecting ? 'taskrow selectable' : 'taskrow'}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${v.start}px)` }}
              >
                {selecting && <input type="checkbox" className="taskcheck" aria-label={`Select task ${t.id}`} checked={selected.has(t.id)} onChange={() => toggle(t.id)} />}
                <button type="button" className="taskbutton" onClick={() => onOpen(t.id)}>
                  <span className="tid">#{t.id}</span>
                  <span className="tstage">{t.stage}</span>
                  <span className={`tstate s-text-${t.state}`}>{labelOf(t.state)}</span>
                  <span className="tsubject">{t.subject}</span>
                  <span className="tcode">{t.errorCode ?? ''}</span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

/** One task: attempts, timings, its last error and its events; retry it alone (operator). */
function TaskDrawer({ taskId, batch, onClose }: { taskId: number; batch: BatchView; onClose: () => void }) {
  const { key, can } = useSession();
  const task = useQuery({ queryKey: ['task', taskId], queryFn: () => api.task(key, taskId) });
  const events = useQuery({ queryKey: ['taskEvents', taskId], queryFn: () => api.events(key, batch.id, { task: taskId, limit: 200 }) });
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  const t: StageTask | undefined = task.data;
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="drawerhead">
        <h2 id="drawer-title">Task #{taskId}</h2>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
      <ProblemText error={task.error} />
      {t && (
        <>
          <dl className="facts">
            <dt>Stage</dt>
            <dd>{t.stage}</dd>
            <dt>State</dt>
            <dd>{labelOf(t.state)}</dd>
            <dt>Subject</dt>
            <dd className="wrap">{t.subject}</dd>
            <dt>Host</dt>
            <dd>{t.host ?? '—'}</dd>
            <dt>Attempts</dt>
            <dd>
              {t.attempt} of {t.maxAttempts}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time ms={t.createdAt} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time ms={t.updatedAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time ms={t.finishedAt} />
              {t.finishedAt ? ` (${formatDuration(t.finishedAt - t.createdAt)} after creation)` : ''}
            </dd>
            {t.state === 'RETRY_WAIT' && (
              <>
                <dt>Next try</dt>
                <dd>
                  <Time ms={t.dueAt} />
                </dd>
              </>
            )}
          </dl>
          {t.errorCode && (
            <div className="lasterror">
              <h3>Last error</h3>
              <p>
                <code>{t.errorCode}</code> ({t.errorKind}
                {t.errorHttpStatus ? `, HTTP ${t.errorHttpStatus}` : ''}, attempt {t.errorAttempt}) at <Time ms={t.errorAt} />
              </p>
              <p className="wrap">{t.errorMessage}</p>
            </div>
          )}
          {can('operator') &&
            (t.state === 'FAILED' || t.state === 'BLOCKED') &&
            !needsChoice({ stage: t.stage, code: t.errorCode ?? '', state: t.state }) &&
            (batch.status === 'RUNNING' || batch.status === 'COMPLETED') && (
            <ControlButton batch={batch} control={{ kind: 'retry', taskIds: [t.id], expected: 1 }} label="Retry this task" />
          )}
        </>
      )}
      {t && t.stage !== 'MANIFEST' && <TaskPage taskId={t.id} />}
      <h3>Events</h3>
      <ProblemText error={events.error} />
      <ol className="events">
        {events.data?.items.map((e) => (
          <li key={e.id}>
            <Time ms={e.at} /> <strong>{e.kind}</strong> <span className="muted">{e.actor}</span>
            {e.data && <pre>{e.data}</pre>}
          </li>
        ))}
      </ol>
    </aside>
  );
}

/** Manifest rows the reader refused, with row number and reason; downloadable as CSV (every page, not only the shown one). */
function RowErrors({ batch }: { batch: BatchView }) {
  const { key } = useSession();
  const rows = useQuery({ queryKey: ['rows', batch.id], queryFn: () => api.rows(key, batch.id), enabled: batch.manifest.errors > 0 });
  const [downloading, setDownloading] = useState(false);
  if (batch.manifest.errors === 0) return null;
  async function download() {
    setDownloading(true);
    try {
      const all = [];
      let after: number | undefined;
      do {
        const page = await api.rows(key, batch.id, after);
        all.push(...page.items);
        after = page.next ?? undefined;
      } while (after !== undefined);
      const lines = [['file', 'row', 'krithi', 'raga', 'url', 'code', 'reason'].join(',')].concat(
        all.map((r) => [r.fileName, r.rowNumber, r.krithi, r.raga, r.url, r.errorCode, r.errorMessage].map(csvCell).join(',')),
      );
      saveBlob(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }), `batch-${batch.id}-row-errors.csv`);
    } finally {
      setDownloading(false);
    }
  }
  return (
    <section aria-labelledby="rows-title">
      <div className="titlebar">
        <h2 id="rows-title">Manifest row errors ({formatNumber(batch.manifest.errors)})</h2>
        <button type="button" onClick={download} disabled={downloading}>
          {downloading ? 'Preparing…' : 'Download CSV'}
        </button>
      </div>
      <ProblemText error={rows.error} />
      <div className="tablewrap scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Row</th>
              <th scope="col">Krithi</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.data?.items.map((r) => (
              <tr key={r.id}>
                <td>{r.fileName}</td>
                <td className="num">{r.rowNumber}</td>
                <td>{r.krithi}</td>
                <td>
                  <code>{r.errorCode}</code> {r.errorMessage}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.data?.next && <p className="muted">The first {rows.data.items.length} are shown; the download has them all.</p>}
    </section>
  );
}

/** The batch's own events (created, stages done, controls with who did them), the log first, then live. */
function Timeline({ batchId, live }: { batchId: number; live: GranthaEvent[] }) {
  const { key } = useSession();
  const log = useQuery({ queryKey: ['timeline', batchId], queryFn: () => api.events(key, batchId, { limit: 500 }), staleTime: Infinity });
  const events = useMemo(() => {
    const byId = new Map<number, GranthaEvent>();
    for (const e of [...(log.data?.items ?? []), ...live]) if (timelineKinds.test(e.kind)) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => b.id - a.id);
  }, [log.data, live]);
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ProblemText error={log.error} />
      <ol className="events" aria-live="polite">
        {events.map((e) => (
          <li key={e.id}>
            <Time ms={e.at} /> <strong>{e.kind.replace(/_/g, ' ')}</strong> <span className="muted">by {e.actor}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
