import { describe, expect, it } from 'vitest';
import type { ErrorGroup } from './api';
import { groupByCode, needsChoice, retryable } from './errors';

const groups: ErrorGroup[] = [
  { stage: 'FETCH', state: 'FAILED', code: 'http_404', host: 'a.example', count: 5 },
  { stage: 'FETCH', state: 'FAILED', code: 'http_404', host: 'b.example', count: 7 },
  { stage: 'FETCH', state: 'RETRY_WAIT', code: 'timeout', host: 'a.example', count: 9 },
  { stage: 'FETCH', state: 'BLOCKED', code: 'robots_disallowed', host: 'b.example', count: 2 },
  { stage: 'RESOLVE', state: 'BLOCKED', code: 'unresolved_raga', host: null, count: 1 },
];

describe('error groups', () => {
  it('sum by stage and code, largest first, hosts largest first', () => {
    const byCode = groupByCode(groups);
    expect(byCode.map((g) => [g.code, g.count])).toEqual([
      ['http_404', 12],
      ['timeout', 9],
      ['robots_disallowed', 2],
      ['unresolved_raga', 1],
    ]);
    expect(byCode[0].hosts.map((h) => h.host)).toEqual(['b.example', 'a.example']);
  });
  it('count what a retry by code or host would take: failed and blocked, not retry-waiting', () => {
    expect(retryable(groups, {})).toBe(15);
    expect(retryable(groups, { code: 'http_404' })).toBe(12);
    expect(retryable(groups, { code: 'http_404', host: 'a.example' })).toBe(5);
    expect(retryable(groups, { code: 'timeout' })).toBe(0);
    expect(retryable(groups, { stage: 'RESOLVE' })).toBe(1);
  });
});

describe('groups a retry cannot settle', () => {
  const blocked: ErrorGroup[] = [
    { stage: 'RESOLVE', state: 'BLOCKED', code: 'needs_review', host: 'a.example', count: 4 },
    { stage: 'FETCH', state: 'FAILED', code: 'http_503', host: 'a.example', count: 2 },
  ];
  it('blocked RESOLVE tasks waiting on a curator are not counted as retryable: a retry only blocks them again', () => {
    expect(needsChoice(blocked[0])).toBe(true);
    expect(needsChoice(blocked[1])).toBe(false);
    expect(retryable(blocked, { stage: 'RESOLVE', code: 'needs_review' })).toBe(0);
    expect(retryable(blocked, {})).toBe(2);
  });
});
