import { useState } from 'react';
import { actionProblem } from '../../lib/review';
import type { ReviewOutcome } from '../../lib/api';

/** What an action left the import as, for the line under it: "approved as krithi 12", "rejected". */
export const outcomeText = (r: ReviewOutcome) => `${r.state.replace('_', ' ')}${r.krithiId ? ` as krithi ${r.krithiId}` : ''}`;

/** The reason a curator gives for rejecting an import (required); the input takes the focus when the form opens. */
export function RejectForm({ label, pending, onReject, onKeep }: { label: string; pending: boolean; onReject: (reason: string) => void; onKeep: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onReject(reason.trim());
      }}
    >
      <label>
        {label}
        <input autoFocus value={reason} onChange={(e) => setReason(e.target.value)} required />
      </label>
      <button type="submit" className="danger" disabled={!reason.trim() || pending}>
        Reject
      </button>
      <button type="button" className="link" onClick={onKeep}>
        Keep
      </button>
    </form>
  );
}

/** What the last review action did, or why it was refused. */
export function ActionOutcome({ done, error }: { done: string | null; error: unknown }) {
  return (
    <>
      {done && (
        <p role="status" className="result">
          Now {done}.
        </p>
      )}
      {error != null && (
        <p role="alert" className="error">
          {actionProblem(error)}
        </p>
      )}
    </>
  );
}
