// The review screens' client: one import in full, its stored page, choosing a name, merging, bulk approval and the
// exports (docs/api.http). Also the small pure pieces the screens compute: sections aligned across scripts and the
// field-by-field difference of an import against a look-alike.
import { ApiError, call, query, type KrithiDetail, type NamedId, type ReviewFilter, type ReviewItem, type ReviewOutcome } from './api';

export interface Candidate {
  id: string;
  name: string;
  score: number;
  reason?: string | null;
}

/** One name of the import as RESOLVE decided it (status: matched, needs_review, unknown, ragamalika, superseded). */
export interface NameDecision {
  kind: string;
  source: string;
  input: string;
  status: string;
  blocking: boolean;
  rows: number;
  match: { id: string; name: string } | null;
  candidates: Candidate[];
}

export interface DraftSection {
  position: number;
  type: string;
  number: number | null;
  text: string;
}

export interface ScriptLyric {
  script: string;
  sections: DraftSection[];
}

/** What approving would write (catalog ids, not names). */
export interface KrithiDraft {
  title: string;
  displayTitle: string | null;
  composerId: string | null;
  form: string | null;
  talaId: string | null;
  deityId: string | null;
  kshetraId: string | null;
  ragas: { ragaId: string; section: number | null }[];
  lyrics: ScriptLyric[];
}

export interface DuplicateFlag {
  kind: string;
  otherId: number;
  otherBatchId: number;
  otherTitle: string | null;
  reason: string;
}

export interface CatalogCandidate {
  krithiId: number;
  version: number;
  title: string;
  why: string;
}

export interface ReviewDetail {
  import: ReviewItem;
  resolveStatus: string;
  manifestRows: { id: number; fileName: string; rowNumber: number; krithi: string | null; raga: string | null }[];
  decisions: NameDecision[];
  duplicateFlags: DuplicateFlag[];
  qualityReasons: { code: string; message: string; penalty: number }[];
  extraction: { title: string | null; displayTitle: string | null; tala: string | null; composer: string | null; form: string | null; deity: string | null; kshetra: string | null; ragas: { name: string }[] } | null;
  warnings: { code: string; message: string; penalty: number }[];
  draft: KrithiDraft;
  catalogCandidates: CatalogCandidate[];
  history: { id: number; kind: string; actor: string; at: number; data: string | null }[];
  pageUrl: string;
  pageSha256: string | null;
}

/** What a merge did: the krithi written and the fields it left as the krithi had them. */
export interface MergeOutcome extends ReviewOutcome {
  krithiVersion?: number | null;
  conflicts?: { field: string; current: unknown; incoming: unknown }[] | null;
}

export interface ChooseResult {
  tasksRequeued: number;
  [k: string]: unknown;
}

export interface BulkCriteria {
  batch: number;
  /** The batch's auto-approval policy (quality ≥ 0.90, confidence ≥ 0.95, no flags) instead of the thresholds. */
  policy?: boolean;
  minQuality?: number;
  minConfidence?: number;
  noFlags?: boolean;
}

export interface BulkPlan {
  matched: number;
  wouldApprove: number;
  skipped: Record<string, number>;
  skipReasons: Record<string, string>;
  sample: { id: number; title: string | null; quality: number; state: string; flags: string[]; outcome: string; reason: string | null }[];
  criteria: string;
}

export interface BulkStarted {
  approvalBatchId: number | null;
  plan: BulkPlan;
}

export interface BulkSummary {
  approvalBatchId: number;
  status: string;
  matched: number;
  approved: number;
  skipped: number;
  krithisCreated: number;
  failed: number;
  open: number;
  skippedBy: Record<string, number>;
}

export type ExportFormat = 'csv' | 'jsonl';

export interface KrithiFilter {
  text?: string;
  raga?: string;
  composer?: string;
  deity?: string;
}

const review = '/v1/admin/review';
const json = { 'Content-Type': 'application/json' };
const ifMatch = (version: number) => ({ ...json, 'If-Match': `"${version}"` });

export const reviewApi = {
  detail: (key: string, id: number) => call<ReviewDetail>(key, `${review}/${id}`),
  /** The stored page as text, to be shown in a sandboxed srcdoc frame (never navigated to). */
  page: async (key: string, id: number): Promise<string> => {
    const r = await fetch(`${review}/${id}/page?view=reading`, { headers: { 'X-Api-Key': key, Accept: 'text/html' } });
    if (!r.ok) throw new Error(r.status === 404 ? 'The stored page is no longer kept.' : `The stored page could not be read (HTTP ${r.status}).`);
    return r.text();
  },
  choose: (key: string, id: number, kind: string, name: string, entityId: string) =>
    call<ChooseResult>(key, `${review}/${id}/choose`, { method: 'POST', headers: json, body: JSON.stringify({ kind, name, entityId }) }),
  merge: (key: string, id: number, version: number, krithiId: number, reason?: string) =>
    call<MergeOutcome>(key, `${review}/${id}/merge`, { method: 'POST', headers: ifMatch(version), body: JSON.stringify({ krithiId, reason }) }),
  bulkPlan: (key: string, c: BulkCriteria) => call<BulkPlan>(key, `${review}/bulk-approve`, { method: 'POST', headers: json, body: JSON.stringify({ ...c, dryRun: true }) }),
  bulkStart: (key: string, c: BulkCriteria) => call<BulkStarted>(key, `${review}/bulk-approve`, { method: 'POST', headers: json, body: JSON.stringify({ ...c, dryRun: false }) }),
  bulkSummary: (key: string, approvalBatchId: number) => call<BulkSummary>(key, `${review}/bulk-approve/${approvalBatchId}`),
};

/** The export of the review queue as filtered: one batch or, without one, every batch; the state and one flag. */
export function stagedExportUrl(filter: ReviewFilter, format: ExportFormat): string {
  // Without a batch the export holds every batch's imports, as the queue then lists them.
  const batch = filter.batch?.trim();
  return `/v1/admin/export${query({ what: 'staged', batch, state: filter.state, flag: filter.flag, text: filter.text?.trim(), minQuality: filter.minQuality?.trim(), format })}`;
}

/** The export of the catalog as filtered. */
export function krithiExportUrl(filter: KrithiFilter, format: ExportFormat): string {
  return `/v1/admin/export${query({ what: 'krithis', text: filter.text, raga: filter.raga, composer: filter.composer, deity: filter.deity, format })}`;
}

// --- Sections aligned across scripts -------------------------------------------------------------------------

export interface AlignedRow {
  position: number;
  label: string;
  /** One per script, in the order of `scripts`; null where that script lacks the section. */
  cells: (string | null)[];
}

/** One row per section (by position), one column per script present; a section a script lacks is a null cell. */
export function alignSections(lyrics: ScriptLyric[]): { scripts: string[]; rows: AlignedRow[] } {
  const scripts = lyrics.map((l) => l.script);
  const heads = new Map<number, DraftSection>();
  for (const l of lyrics) for (const s of l.sections) if (!heads.has(s.position)) heads.set(s.position, s);
  const positions = [...heads.keys()].sort((a, b) => a - b);
  const typeCount = new Map<string, number>();
  for (const p of positions) typeCount.set(heads.get(p)!.type, (typeCount.get(heads.get(p)!.type) ?? 0) + 1);
  const seen = new Map<string, number>();
  const rows = positions.map((position) => {
    const h = heads.get(position)!;
    const nth = (seen.get(h.type) ?? 0) + 1;
    seen.set(h.type, nth);
    // charanam 1..n: the number the page wrote, else the occurrence when the type repeats.
    const number = h.number ?? ((typeCount.get(h.type) ?? 0) > 1 ? nth : null);
    const label = `${sectionName(h.type)}${number ? ` ${number}` : ''}`;
    const cells = lyrics.map((l) => {
      const text = l.sections.find((s) => s.position === position)?.text;
      return text && text.trim() ? text : null;
    });
    return { position, label, cells };
  });
  return { scripts, rows };
}

export function sectionName(type: string): string {
  return type.toLowerCase().replace(/_/g, ' ');
}

// --- Names: decisions in the curator's words --------------------------------------------------------------------

/** resolved / ambiguous / unresolved, as a curator reads a decision. */
export function decisionLabel(status: string): 'resolved' | 'ambiguous' | 'unresolved' | 'replaced' {
  switch (status) {
    case 'matched':
      return 'resolved';
    case 'needs_review':
      return 'ambiguous';
    case 'superseded':
      return 'replaced';
    default:
      return 'unresolved';
  }
}

/** The decision's confidence: the match's score, else the best candidate's. */
export function confidenceOf(d: NameDecision): number | null {
  const top = d.match ? (d.candidates.find((c) => c.id === d.match!.id) ?? d.candidates[0]) : d.candidates[0];
  return top ? top.score : null;
}

// --- Field by field -----------------------------------------------------------------------------------------------

/** What is compared of an import and a look-alike: catalog ids (names only for showing), scripts, section count. */
export interface Comparable {
  title: string | null;
  ragas: string[];
  tala: string | null;
  composer: string | null;
  deity: string | null;
  kshetra: string | null;
  scripts: string[];
  sections: number;
}

export interface FieldDiff {
  field: keyof Comparable;
  label: string;
  ours: string;
  theirs: string;
  same: boolean;
}

const fieldLabels: [keyof Comparable, string][] = [
  ['title', 'Title'],
  ['ragas', 'Ragas'],
  ['tala', 'Tala'],
  ['composer', 'Composer'],
  ['deity', 'Deity'],
  ['kshetra', 'Kshetra'],
  ['scripts', 'Scripts present'],
  ['sections', 'Sections'],
];

const sectionCount = (lyrics: { sections: { position: number }[] }[]) => new Set(lyrics.flatMap((l) => l.sections.map((s) => s.position))).size;

export function comparableOfDraft(d: KrithiDraft): Comparable {
  return {
    title: d.title || null,
    ragas: d.ragas.map((r) => r.ragaId),
    tala: d.talaId,
    composer: d.composerId,
    deity: d.deityId,
    kshetra: d.kshetraId,
    scripts: d.lyrics.map((l) => l.script),
    sections: sectionCount(d.lyrics),
  };
}

export function comparableOfKrithi(k: KrithiDetail): Comparable {
  return {
    title: k.title || null,
    ragas: k.ragas.map((r) => r.id),
    tala: k.tala?.id ?? null,
    composer: k.composer?.id ?? null,
    deity: k.deity?.id ?? null,
    kshetra: k.kshetra?.id ?? null,
    scripts: k.lyrics.map((l) => l.script),
    sections: sectionCount(k.lyrics),
  };
}

/** Field by field; lists compare as sets (scripts in another order are the same scripts), titles ignoring case and spaces. */
export function compareFields(ours: Comparable, theirs: Comparable, names: (id: string) => string = (id) => id): FieldDiff[] {
  const show = (field: keyof Comparable, v: Comparable[keyof Comparable]): string => {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return '—';
    if (Array.isArray(v)) return v.map((x) => (field === 'scripts' ? x : names(x))).join(', ');
    if (typeof v === 'number') return String(v);
    return field === 'title' ? v : names(v);
  };
  const key = (field: keyof Comparable, v: Comparable[keyof Comparable]): string => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return [...v].sort().join('|');
    if (field === 'title') return String(v).toLowerCase().replace(/\s+/g, ' ').trim();
    return String(v);
  };
  return fieldLabels.map(([field, label]) => ({
    field,
    label,
    ours: show(field, ours[field]),
    theirs: show(field, theirs[field]),
    same: key(field, ours[field]) === key(field, theirs[field]),
  }));
}

/** Catalog names the detail knows (decisions' matches and the queue row's names), for showing ids as names. */
export function namesOf(d: ReviewDetail, extra: (NamedId | null | undefined)[] = []): (id: string) => string {
  const m = new Map<string, string>();
  for (const n of d.decisions) if (n.match) m.set(n.match.id, n.match.name);
  for (const n of [d.import.composer, d.import.tala, ...d.import.ragas, ...extra]) if (n?.name) m.set(n.id, n.name);
  return (id) => m.get(id) ?? id;
}

/** An import still open for a decision (approve, reject, defer). */
export const isOpen = (state: string) => state === 'needs_review' || state === 'ready' || state === 'deferred';

/** What a stale or refused action means for the curator, from the problem details. */
export function actionProblem(e: unknown): string {
  if (!(e instanceof ApiError)) return 'The server did not answer.';
  const p = e.problem;
  if (p.title === 'Version conflict') return `Changed since you read it: it is now ${String(p.state ?? 'another state').replace('_', ' ')} (version ${p.currentVersion}). The list is reloaded; look again.`;
  return [p.title, p.detail].filter(Boolean).join(': ');
}

/**
 * The stored page as a sandboxed frame's document. The frame has no allow-scripts and no allow-same-origin, and a
 * srcdoc document inherits the dashboard's CSP (nothing from other hosts); this meta policy, first in the document,
 * narrows it further: nothing at all is fetched, not even from the dashboard's own origin.
 */
export const inertPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";
export function inertSrcdoc(html: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="${inertPolicy}">` + html;
}

/**
 * Reads again after each delay until `done` says so or the delays run out (a bounded wait with backoff for work the
 * engine does after a request, e.g. re-resolving after a choice; not a polling loop). Resolves with the last read.
 */
export async function rereadUntil<T>(read: () => Promise<T>, done: (t: T) => boolean, delays: number[], signal?: AbortSignal): Promise<T | undefined> {
  let last: T | undefined;
  for (const ms of delays) {
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
    if (signal?.aborted) return last;
    try {
      last = await read();
    } catch {
      continue;
    }
    if (done(last)) return last;
  }
  return last;
}

/** 0.25 s doubling to 8 s: about 16 s in all. */
export const rereadDelays = [250, 500, 1000, 2000, 4000, 8000];
