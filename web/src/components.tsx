import { formatNumber, formatTime } from './lib/format';
// Small shared pieces: the stage bar, a confirmation dialog, problem text, time.
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from './lib/api';
import type { StageProgress } from './lib/progress';

const stateLabel: Record<string, string> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  BLOCKED: 'blocked',
  CANCELLED: 'cancelled',
  RUNNING: 'running',
  RETRY_WAIT: 'retry wait',
  PAUSED: 'paused',
  PENDING: 'pending',
};

export const labelOf = (state: string) => stateLabel[state] ?? state.toLowerCase();

/** A progress bar whose segments are the task states; the numbers are in its accessible name and the legend. */
export function StageBar({ label, progress, compact = false }: { label: string; progress: StageProgress; compact?: boolean }) {
  const pct = Math.round(progress.fraction * 100);
  const summary = progress.segments.map((s) => `${formatNumber(s.count)} ${labelOf(s.state)}`).join(', ') || 'no tasks yet';
  return (
    <div className={compact ? 'stagebar compact' : 'stagebar'}>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${label}: ${pct}% done (${summary})`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        {progress.segments.map((s) => (
          <span key={s.state} className={`seg s-${s.state}`} style={{ width: `${s.fraction * 100}%` }} />
        ))}
      </div>
      {!compact && (
        <ul className="legend">
          {progress.segments.map((s) => (
            <li key={s.state}>
              <span className={`dot s-${s.state}`} aria-hidden="true" /> {formatNumber(s.count)} {labelOf(s.state)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A modal confirmation: focus moves to its first button, Escape or Cancel closes it, focus goes back where it was. */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirm: string;
  destructive?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="backdrop" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <div role="dialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-body" className="dialog">
        <h2 id="confirm-title">{props.title}</h2>
        <div id="confirm-body">{props.children}</div>
        <div className="actions">
          <button type="button" ref={first} onClick={props.onClose}>
            Keep as is
          </button>
          <button type="button" className={props.destructive ? 'danger' : 'primary'} disabled={props.busy} onClick={props.onConfirm}>
            {props.busy ? 'Working…' : props.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

/** What went wrong, in the API's words (problem details: title and detail; never a stack). */
export function ProblemText({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? [error.problem.title, error.problem.detail].filter(Boolean).join(': ')
      : 'The server did not answer. Check that ./grantha serve is running.';
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

export function Time({ ms }: { ms: number | null | undefined }) {
  if (!ms) return <>—</>;
  const d = new Date(ms);
  return <time dateTime={d.toISOString()}>{formatTime(d)}</time>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge b-${status}`}>{status.toLowerCase()}</span>;
}
