// The admin API as the dashboard uses it (docs/api.http). Same origin: no CORS, the key in X-Api-Key.

export type Role = 'viewer' | 'curator' | 'operator' | 'admin';

const rank: Record<Role, number> = { viewer: 1, curator: 2, operator: 3, admin: 4 };

/** Whether a key of role `have` may do what needs `need` (the server checks again; this only hides buttons). */
export function allows(have: Role | null | undefined, need: Role): boolean {
  return have != null && rank[have] >= rank[need];
}

/** A refused file of an upload, as the API names it. */
export interface FileProblem {
  name: string;
  code: string;
  detail: string;
}

/** RFC 9457 problem details, with the extensions this API adds. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  files?: FileProblem[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export type Counts = Record<string, number>;

export interface BatchOutcome {
  outcome: string;
  through: number;
  failed: number;
  blocked: number;
  cancelled: number;
  rowErrors: number;
  rowsAccepted: number;
  description: string;
}

export interface BatchListItem {
  id: number;
  name: string;
  status: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  settledAt: number | null;
  outcome?: BatchOutcome | null;
  counts: Record<string, Counts>;
}

export interface JobView {
  stage: string;
  status: string;
  startedAt: number | null;
  finishedAt: number | null;
  counts: Counts;
  total: number;
}

export interface ManifestSummary {
  rows: number;
  accepted: number;
  errors: number;
  distinctUrls: number;
  files: { name: string; rows?: number; errors?: number }[];
}

export interface BatchView {
  id: number;
  name: string;
  status: string;
  /** What the batch achieved, derived from its counts: outcome (completed, completed_with_errors, needs_attention, failed, cancelled, in_progress) and a one-line description. */
  outcome?: BatchOutcome | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  settledAt: number | null;
  jobs: JobView[];
  manifest: ManifestSummary;
}

export interface ErrorGroup {
  stage: string;
  state: string;
  code: string;
  host: string | null;
  count: number;
}

export interface StageTask {
  id: number;
  batchId: number;
  stage: string;
  state: string;
  attempt: number;
  maxAttempts: number;
  subject: string;
  host: string | null;
  result: string | null;
  dueAt: number;
  errorCode: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  errorHttpStatus: number | null;
  errorAttempt: number | null;
  errorAt: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface ThroughputPoint {
  at: number;
  key: string;
  count: number;
}

export interface ManifestRow {
  id: number;
  fileName: string;
  rowNumber: number;
  status: string;
  krithi: string | null;
  raga: string | null;
  url: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  taskId: number | null;
}

export interface GranthaEvent {
  id: number;
  batchId: number | null;
  jobId: number | null;
  taskId: number | null;
  kind: string;
  actor: string;
  at: number;
  data: string | null;
}

export interface Page<T> {
  items: T[];
  next: number | null;
}

export interface ControlResult {
  batchId: number;
  status: string;
  tasks: number;
}

export interface TaskFilter {
  stage?: string;
  state?: string;
  code?: string;
  host?: string;
  q?: string;
}

/** A refused response as an ApiError with its problem details (the status alone when the body is not JSON, e.g. a proxy's page). */
export async function refusal(response: Response): Promise<ApiError> {
  let problem: Problem = { status: response.status, title: response.statusText };
  try {
    problem = { ...problem, ...(await response.json()) };
  } catch {
    // Not JSON: the status is all there is.
  }
  return new ApiError(response.status, problem);
}

/** Calls the API with the key; a 4xx/5xx becomes an ApiError carrying its problem details. */
export async function call<T>(key: string, path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('X-Api-Key', key);
  headers.set('Accept', 'application/json, application/problem+json');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) throw await refusal(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface NamedId {
  id: string;
  name: string | null;
}

export interface ReviewItem {
  id: number;
  batchId: number;
  url: string;
  title: string | null;
  state: string;
  version: number;
  quality: number;
  flags: string[];
  composer: NamedId | null;
  ragas: NamedId[];
  tala: NamedId | null;
  duplicateOf: number | null;
  krithiId: number | null;
  reviewedBy: string | null;
  reason: string | null;
  missing: { kind: string; input: string; status: string; candidates: { id: string; name: string; score: number }[] }[];
}

export interface ReviewPage {
  items: ReviewItem[];
  total: number;
  states: Record<string, number>;
  flags: Record<string, number>;
  next: string | null;
}

export interface ReviewFilter {
  batch?: string;
  state?: string;
  flag?: string;
  text?: string;
  minQuality?: string;
}

export interface ReviewOutcome {
  id: number;
  state: string;
  version: number;
  krithiId?: number | null;
}

export interface KrithiListItem {
  id: number;
  version: number;
  status: string;
  title: string;
  displayTitle: string | null;
  composer: NamedId | null;
  ragas: NamedId[];
  tala: NamedId | null;
  sources: string[];
  updatedAt: number;
}

export interface KrithiDetail extends Omit<KrithiListItem, 'ragas' | 'sources'> {
  ragas: { position: number; id: string; name: string | null; section: number | null }[];
  deity: NamedId | null;
  kshetra: NamedId | null;
  gist: string | null;
  meaning: string | null;
  lyrics: { script: string; sections: { position: number; type: string; number: number | null; text: string }[] }[];
  sources: { url: string; batchId: number | null; approvedBy: string; approvedAt: number }[];
  revisions: { version: number; actor: string; reason: string; at: number }[];
}

const bulk = '/v1/admin/bulk-import';

export const api = {
  whoami: (key: string) => call<{ role: Role }>(key, '/v1/admin/whoami'),
  batches: (key: string, before?: number) => call<Page<BatchListItem>>(key, `${bulk}/batches${query({ limit: 50, before })}`),
  batch: (key: string, id: number) => call<BatchView>(key, `${bulk}/batches/${id}`),
  errors: (key: string, id: number) => call<ErrorGroup[]>(key, `${bulk}/batches/${id}/errors`),
  tasks: (key: string, id: number, filter: TaskFilter, after?: number) =>
    call<Page<StageTask>>(key, `${bulk}/batches/${id}/tasks${query({ ...filter, after, limit: 200 })}`),
  throughput: (key: string, id: number, by: 'stage' | 'host', bucket: number) =>
    call<ThroughputPoint[]>(key, `${bulk}/batches/${id}/throughput${query({ by, bucket })}`),
  task: (key: string, taskId: number) => call<StageTask>(key, `${bulk}/tasks/${taskId}`),
  rows: (key: string, id: number, after?: number) => call<Page<ManifestRow>>(key, `${bulk}/batches/${id}/rows${query({ errors: true, after, limit: 500 })}`),
  events: (key: string, id: number, opts: { after?: number; task?: number; limit?: number } = {}) =>
    call<Page<GranthaEvent>>(key, `${bulk}/batches/${id}/events${query({ after: opts.after, task: opts.task, limit: opts.limit ?? 500 })}`),
  control: (key: string, id: number, action: 'pause' | 'resume' | 'cancel') =>
    call<ControlResult>(key, `${bulk}/batches/${id}/${action}`, { method: 'POST' }),
  retry: (key: string, id: number, filter: { code?: string; host?: string; stage?: string; taskIds?: number[] }, requeue = false) =>
    call<ControlResult>(key, `${bulk}/batches/${id}/${requeue ? 'requeue' : 'retry'}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(filter),
    }),
  review: (key: string, filter: ReviewFilter, after?: string) => call<ReviewPage>(key, `/v1/admin/review${query({ ...filter, after, limit: 50 })}`),
  /** A curator's action with the version read (If-Match): a stale version is a 409 that names the current state. */
  reviewAction: (key: string, id: number, version: number, action: 'approve' | 'reject' | 'defer', reason?: string) =>
    call<ReviewOutcome>(key, `/v1/admin/review/${id}/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'If-Match': `"${version}"` },
      body: JSON.stringify(reason ? { reason } : {}),
    }),
  krithis: (key: string, filter: { text?: string; raga?: string; composer?: string }, after?: number) =>
    call<{ items: KrithiListItem[]; count: number; next: number | null }>(key, `/v1/admin/krithis${query({ ...filter, after, limit: 50 })}`),
  krithi: (key: string, id: number) => call<KrithiDetail>(key, `/v1/admin/krithis/${id}`),
  /** A new batch from uploaded manifests; `hostMap` (host=baseUrl lines, admins only) fetches from an offline site. */
  upload: (key: string, files: File[], name?: string, options: { hostMap?: string[]; politeness?: boolean } = {}) => {
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    if (name) form.append('name', name);
    if (options.hostMap?.length) {
      form.append('allowOfflineSite', 'true');
      for (const m of options.hostMap) form.append('hostMap', m);
    }
    if (options.politeness === false) form.append('politeness', 'false');
    return call<{ batchId: number; status: string; location: string }>(key, `${bulk}/batches`, { method: 'POST', body: form });
  },
};
