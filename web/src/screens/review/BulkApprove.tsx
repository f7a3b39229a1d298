import { formatNumber } from '../../lib/format';
// Bulk approval of a batch's imports: the dry run first (what would be approved, what skipped and why), only then
// the real run, confirmed with its count; then the approval batch's figures, read again as its events arrive.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components';
import { createRefresher, useEventStream } from '../../lib/live';
import { actionProblem, rereadDelays, rereadUntil, reviewApi, type BulkCriteria, type BulkPlan, type BulkSummary } from '../../lib/review';
import { useSession } from '../../lib/session';

const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/** A finished approval batch: nothing open, and the batch settled. */
export const settled = (s: BulkSummary) => s.open === 0 && s.status !== 'RUNNING' && s.status !== 'PENDING' && s.status !== 'PAUSED';

export function BulkApprove({ batch: initialBatch }: { batch?: string }) {
  const { key } = useSession();
  const [batch, setBatch] = useState(initialBatch ?? '');
  const [policy, setPolicy] = useState(true);
  const [minQuality, setMinQuality] = useState('0.9');
  const [minConfidence, setMinConfidence] = useState('0.95');
  const [noFlags, setNoFlags] = useState(true);
  const [plan, setPlan] = useState<{ criteria: BulkCriteria; plan: BulkPlan } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [started, setStarted] = useState<{ id: number | null; plan: BulkPlan } | null>(null);

  useEffect(() => setBatch((b) => b || initialBatch || ''), [initialBatch]);

  // Any change of what is asked invalidates the dry run: approving needs a preview of exactly this.
  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPlan(null);
  };

  function criteria(): BulkCriteria | string {
    const n = Number(batch.trim());
    if (!batch.trim() || !Number.isInteger(n) || n <= 0) return 'Give the batch number whose imports to approve.';
    if (policy) return { batch: n, policy: true };
    const q = minQuality.trim() === '' ? undefined : Number(minQuality);
    const c = minConfidence.trim() === '' ? undefined : Number(minConfidence);
    for (const [name, v] of [['quality', q], ['confidence', c]] as const)
      if (v !== undefined && (Number.isNaN(v) || v < 0 || v > 1)) return `The minimum ${name} is a number between 0 and 1.`;
    return { batch: n, minQuality: q, minConfidence: c, noFlags };
  }

  const preview = useMutation({
    mutationFn: (c: BulkCriteria) => reviewApi.bulkPlan(key, c).then((p) => ({ criteria: c, plan: p })),
    onSuccess: (r) => {
      setPlan(r);
      setStarted(null);
    },
  });
  const start = useMutation({
    mutationFn: (c: BulkCriteria) => reviewApi.bulkStart(key, c),
    onSuccess: (r) => {
      setConfirming(false);
      setPlan(null);
      setStarted({ id: r.approvalBatchId, plan: r.plan });
    },
    onError: () => setConfirming(false),
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const c = criteria();
    if (typeof c === 'string') return setInvalid(c);
    setInvalid(null);
    preview.mutate(c);
  }
  const n = plan?.plan.wouldApprove ?? 0;

  return (
    <section className="bulk" aria-labelledby="bulk-title">
      <h2 id="bulk-title">Bulk approve</h2>
      <form className="filters" onSubmit={submit} aria-label="Bulk approval">
        <label>
          Batch
          <input inputMode="numeric" value={batch} onChange={(e) => edit(setBatch)(e.target.value)} />
        </label>
        <fieldset className="mode">
          <legend>Criteria</legend>
          <label className="check">
            <input type="radio" name="bulk-mode" checked={policy} onChange={() => edit(setPolicy)(true)} /> The policy (quality ≥ 0.90, confidence ≥ 0.95, no flags)
          </label>
          <label className="check">
            <input type="radio" name="bulk-mode" checked={!policy} onChange={() => edit(setPolicy)(false)} /> Thresholds
          </label>
        </fieldset>
        {!policy && (
          <>
            <label>
              Min quality
              <input inputMode="decimal" value={minQuality} onChange={(e) => edit(setMinQuality)(e.target.value)} />
            </label>
            <label>
              Min confidence
              <input inputMode="decimal" value={minConfidence} onChange={(e) => edit(setMinConfidence)(e.target.value)} />
            </label>
            <label className="check">
              <input type="checkbox" checked={noFlags} onChange={(e) => edit(setNoFlags)(e.target.checked)} /> No flags
            </label>
          </>
        )}
        <button type="submit" disabled={preview.isPending}>
          Preview
        </button>
        <button type="button" className="primary" disabled={!plan || n === 0 || start.isPending} onClick={() => setConfirming(true)}
          title={!plan ? 'Preview first: the dry run shows what would be approved' : undefined}>
          {plan ? `Approve ${formatNumber(n)}` : 'Approve'}
        </button>
      </form>
      {invalid && (
        <p role="alert" className="error">
          {invalid}
        </p>
      )}
      {(preview.error || start.error) && (
        <p role="alert" className="error">
          {actionProblem(preview.error ?? start.error)}
        </p>
      )}
      {plan && <PlanView plan={plan.plan} batch={plan.criteria.batch} />}
      {confirming && plan && (
        <ConfirmDialog title={`Approve ${plural(n, 'import')} of batch ${plan.criteria.batch}?`} confirm={`Approve ${plural(n, 'import')}`} busy={start.isPending}
          onConfirm={() => start.mutate(plan.criteria)} onClose={() => setConfirming(false)}>
          <p>
            {plural(n, 'import')} matching {plan.plan.criteria} become krithis, each checked again as it is approved. The{' '}
            {plural(plan.plan.matched - n, 'other')} stay in the queue. An approval batch runs it; it can be paused or cancelled like any batch.
          </p>
        </ConfirmDialog>
      )}
      {started && started.id === null && (
        <p role="status" className="result">
          Nothing was approvable any more: no approval started.
        </p>
      )}
      {started && started.id !== null && <Progress id={started.id} />}
    </section>
  );
}

function PlanView({ plan, batch }: { plan: BulkPlan; batch: number }) {
  const skipped = Object.entries(plan.skipped).sort((a, b) => b[1] - a[1]);
  return (
    <div className="plan" role="region" aria-label="Dry run">
      <p>
        <strong>Dry run of batch {batch}</strong> ({plan.criteria}): {plural(plan.matched, 'import')} matched, <strong>{plural(plan.wouldApprove, 'import')} would be approved</strong>
        {skipped.length > 0 ? `, ${plural(plan.matched - plan.wouldApprove, 'skipped', 'skipped')}:` : '.'}
      </p>
      {skipped.length > 0 && (
        <ul aria-label="Skipped by reason">
          {skipped.map(([reason, count]) => (
            <li key={reason}>
              {formatNumber(count)} {plan.skipReasons[reason] ?? reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The approval batch's figures: read when its event stream is live and again on its events (it runs as engine work);
 * if the stream is refused, read again a bounded number of times with backoff. Stops following once it is settled.
 */
function Progress({ id }: { id: number }) {
  const { key } = useSession();
  const qc = useQueryClient();
  const summary = useQuery({ queryKey: ['bulk-approve', id], queryFn: () => reviewApi.bulkSummary(key, id), staleTime: 0 });
  // Reads for events never cancel the read in flight (a burst of approvals must not starve the figures).
  const refresh = useMemo(() => createRefresher((queryKey) => qc.invalidateQueries({ queryKey }, { cancelRefetch: false })), [qc]);
  const done = summary.data ? settled(summary.data) : false;
  useEffect(() => {
    if (done) void qc.invalidateQueries({ queryKey: ['review'] });
  }, [done, qc]);
  const s = summary.data;
  return (
    <div role="status" className="result bulkprogress">
      {!done && <Follow id={id} refetch={() => refresh(['bulk-approve', id])} />}
      {s ? (
        <>
          Approval batch {s.approvalBatchId} ({s.status.toLowerCase()}): {plural(s.approved, 'import')} approved of {formatNumber(s.matched)} matched,{' '}
          {plural(s.krithisCreated, 'krithi')} created, {formatNumber(s.skipped)} skipped
          {Object.keys(s.skippedBy).length > 0 ? ` (${Object.entries(s.skippedBy).map(([r, c]) => `${r.replace(/_/g, ' ')} ${c}`).join(', ')})` : ''}
          {s.failed > 0 ? `, ${formatNumber(s.failed)} failed` : ''}
          {s.open > 0 ? `, ${formatNumber(s.open)} still running` : ''}.
        </>
      ) : (
        `Approval batch ${id} started.`
      )}
    </div>
  );
}

function Follow({ id, refetch }: { id: number; refetch: () => void }) {
  const { key } = useSession();
  const read = useRef(refetch);
  read.current = refetch;
  const stream = useEventStream(key, id, () => read.current());
  useEffect(() => {
    // Live: read once now (what happened before the stream opened is not replayed), then on each burst of events.
    if (stream === 'live') read.current();
    if (stream === 'refused') {
      const abort = new AbortController();
      void rereadUntil(async () => read.current(), () => false, rereadDelays, abort.signal);
      return () => abort.abort();
    }
  }, [stream]);
  return null;
}
