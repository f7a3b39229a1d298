import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { ApiError } from './lib/api';
import { SessionProvider, useSessionState } from './lib/session';
import { BatchScreen } from './screens/Batch';
import { BatchesScreen } from './screens/Batches';
import { SignIn } from './screens/SignIn';

// Review and catalog load when first opened: the batch screens, which a curator opens first and watches live, parse
// and start sooner without them (a cold load of a large batch is measured in bench/ DashboardBench).
const ReviewScreen = lazy(() => import('./screens/Review').then((m) => ({ default: m.ReviewScreen })));
const CatalogScreen = lazy(() => import('./screens/Catalog').then((m) => ({ default: m.CatalogScreen })));

/** One client per app: a 401 anywhere (a revoked key) signs out, so the next screen asks for a key again. */
function makeClient(onUnauthorized: () => void) {
  const onError = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      // Live updates come from the event stream; no interval polling, and no refetch storms on focus.
      queries: { refetchOnWindowFocus: false, retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2, staleTime: 5_000 },
    },
  });
}

export function App({ client }: { client?: QueryClient }) {
  return (
    <SessionProvider>
      <WithClient client={client}>
        <Shell />
      </WithClient>
    </SessionProvider>
  );
}

function WithClient({ client, children }: { client?: QueryClient; children: ReactNode }) {
  const { signOut } = useSessionState();
  const [qc] = useState(() => client ?? makeClient(signOut));
  return <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
}

function Shell() {
  const { session } = useSessionState();
  const [location] = useLocation();
  if (!session) return <SignIn />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Sangita Grantha
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={location === '/' || location.startsWith('/batches') ? 'page' : undefined}>
            Batches
          </Link>
          <Link href="/review" aria-current={location.startsWith('/review') ? 'page' : undefined}>
            Review
          </Link>
          <Link href="/catalog" aria-current={location.startsWith('/catalog') ? 'page' : undefined}>
            Catalog
          </Link>
        </nav>
        <span className="role" aria-label={`Signed in as ${session.role}`}>
          {session.role}
        </span>
        <button type="button" className="link" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/">
            <BatchesScreen />
          </Route>
          <Route path="/batches/:id">{(p) => <BatchScreen id={Number(p.id)} />}</Route>
          <Route path="/review">
            <Suspense fallback={<p>Loading the review queue…</p>}>
              <ReviewScreen />
            </Suspense>
          </Route>
          <Route path="/catalog">
            <Suspense fallback={<p>Loading the catalog…</p>}>
              <CatalogScreen />
            </Suspense>
          </Route>
          <Route>
            <p>
              Nothing here. <Link href="/">Back to the batches</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </>
  );
}
