import { useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { useSessionState } from '../lib/session';

export function SignIn() {
  const { signIn } = useSessionState();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!key.trim()) {
      setError('Paste an API key first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That key is not known or was revoked. Ask an admin for a key (./grantha keys create <name> --role viewer).'
          : 'The server did not answer. Is ./grantha serve running?',
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="signin">
      <h1>Sangita Grantha imports</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error && (
          <p id="signin-error" role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <p id="signin-help" className="muted">
        The key is kept in this browser tab only, until you close it or sign out. What you see follows its role: a viewer reads, an
        operator also starts and controls imports.
      </p>
    </main>
  );
}
