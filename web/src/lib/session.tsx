// The signed-in key: pasted once, kept in sessionStorage (this tab, until it closes), never in localStorage or a cookie.
// The key's role comes from GET /v1/admin/whoami; screens show only the controls that role may use.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { allows, api, type Role } from './api';

const storageKey = 'grantha.apiKey';
const roleKey = 'grantha.role';

export interface Session {
  key: string;
  role: Role;
  can: (need: Role) => boolean;
  signOut: () => void;
}

interface SessionState {
  session: Session | null;
  signIn: (key: string) => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<{ key: string; role: Role } | null>(() => {
    const key = sessionStorage.getItem(storageKey);
    const role = sessionStorage.getItem(roleKey) as Role | null;
    return key && role ? { key, role } : null;
  });
  const signOut = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    sessionStorage.removeItem(roleKey);
    setStored(null);
  }, []);
  const signIn = useCallback(async (raw: string) => {
    const key = raw.trim();
    const { role } = await api.whoami(key);
    sessionStorage.setItem(storageKey, key);
    sessionStorage.setItem(roleKey, role);
    setStored({ key, role });
  }, []);
  const value = useMemo<SessionState>(
    () => ({
      session: stored ? { ...stored, can: (need: Role) => allows(stored.role, need), signOut } : null,
      signIn,
      signOut,
    }),
    [stored, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSessionState outside SessionProvider');
  return s;
}

/** The session of a signed-in screen (the app shows SignIn otherwise). */
export function useSession(): Session {
  const s = useSessionState().session;
  if (!s) throw new Error('useSession without a session');
  return s;
}
