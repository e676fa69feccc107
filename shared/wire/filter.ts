/**
 * The capture list's display filter, a small cousin of Wireshark's: space-separated terms that must all match.
 *
 *   arp                 a bare word matches any column (No., source, destination, protocol, info, port, tag)
 *   proto:arp|icmp      protocol is one of (| separates alternatives in any term)
 *   tag:probe           ARP class or other tag: probe, gratuitous, request, reply, echo-request, echo-reply, lacp…
 *   addr:10.77.1.253    source or destination contains; src: and dst: for one side
 *   port:tap-eth1       capture interface
 *   no:3,17,40-52       frame numbers (per capture file: pair with mode: and rep:)
 *   mode:active-backup  frames captured during that mode; rep:2 its second repetition
 *   !term               negates, e.g. !addr:10.77.0   (the write-up's !(ip.host contains 192.168.0))
 */
import type { FrameSummary } from '../api.js';
import { t } from '../i18n/catalogue.js';
import { frameList } from '../report/format.js';

/** A frame as the list holds it: the summary plus where in the run it was captured. */
export interface ListedFrame extends FrameSummary {
  /** Unique over the run (frame numbers restart with each capture file). */
  key: number;
  mode?: string;
  rep: number;
}

export const FILTER_KEYS = ['proto', 'tag', 'addr', 'src', 'dst', 'port', 'no', 'mode', 'rep'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

type Test = (frame: ListedFrame) => boolean;

/** What is wrong with a filter: a catalogue key (`filter.*`) and its values, said in the reader's language. */
export interface FilterProblem {
  key: string;
  vars?: Record<string, string>;
}

/** `error` is the problem in English (the API's `filterError`); `problem` says it in any language. */
export type ParsedFilter =
  | { ok: true; test: Test; empty: boolean }
  | { ok: false; error: string; problem: FilterProblem };

const problem = (key: string, vars?: Record<string, string>): FilterProblem => ({
  key: `filter.${key}`,
  ...(vars ? { vars } : {}),
});
const failed = (found: FilterProblem): ParsedFilter => ({
  ok: false,
  error: t('en', found.key, found.vars),
  problem: found,
});
const isProblem = (value: unknown): value is FilterProblem =>
  typeof value === 'object' && value !== null && 'key' in value;

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

function numberSet(value: string): ((n: number) => boolean) | FilterProblem {
  const ranges: [number, number][] = [];
  for (const part of value.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return problem('badNumbers', { part });
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return problem('backwards', { part });
    ranges.push([from, to]);
  }
  return (n) => ranges.some(([from, to]) => n >= from && n <= to);
}

function termTest(key: FilterKey | 'text', value: string): Test | FilterProblem {
  const alternatives = value.split('|').map((v) => v.toLowerCase());
  if (alternatives.some((a) => a === '')) {
    return key === 'text' ? problem('emptyAlternativeText') : problem('emptyAlternative', { key });
  }
  const any = (pick: (f: ListedFrame) => string, exact: boolean): Test => {
    return exact
      ? (f) => alternatives.includes(lower(pick(f)))
      : (f) => {
          const text = lower(pick(f));
          return alternatives.some((a) => text.includes(a));
        };
  };
  switch (key) {
    case 'proto':
      return any((f) => f.protocol, true);
    case 'tag':
      return any((f) => f.tag ?? '', true);
    case 'port':
      return any((f) => f.port, true);
    case 'mode':
      return any((f) => f.mode ?? '', true);
    case 'src':
      return any((f) => f.source, false);
    case 'dst':
      return any((f) => f.destination, false);
    case 'addr':
      return (f) => {
        const src = lower(f.source);
        const dst = lower(f.destination);
        return alternatives.some((a) => src.includes(a) || dst.includes(a));
      };
    case 'rep': {
      const wanted = alternatives.map(Number);
      if (wanted.some((n) => !Number.isInteger(n) || n < 1)) return problem('badRep');
      return (f) => wanted.includes(f.rep);
    }
    case 'no': {
      const tests = alternatives.map(numberSet);
      const error = tests.find(isProblem);
      if (error) return error;
      return (f) => tests.some((test) => (test as (n: number) => boolean)(f.no));
    }
    case 'text':
      return (f) => {
        const text =
          `${f.no}\u0000${f.source}\u0000${f.destination}\u0000${f.protocol}\u0000${f.info}\u0000${f.port}\u0000${f.tag ?? ''}`.toLowerCase();
        return alternatives.some((a) => text.includes(a));
      };
  }
}

export function parseFilter(expression: string): ParsedFilter {
  const terms = expression.trim().split(/\s+/).filter(Boolean);
  const tests: Test[] = [];
  for (const raw of terms) {
    const negated = raw.startsWith('!');
    const term = negated ? raw.slice(1) : raw;
    if (!term) return failed(problem('bang'));
    const colon = term.indexOf(':');
    // A colon inside a MAC or IPv6 address is text, not a key.
    const key = colon > 0 ? term.slice(0, colon).toLowerCase() : undefined;
    let test: Test | FilterProblem;
    if (key && (FILTER_KEYS as readonly string[]).includes(key)) {
      const value = term.slice(colon + 1);
      if (!value) return failed(problem('noValue', { key, example: exampleFor(key as FilterKey) }));
      test = termTest(key as FilterKey, value);
    } else if (key && /^[a-z]+$/.test(key) && !/^[0-9a-f]{2}$/.test(key)) {
      return failed(problem('unknown', { key, keys: FILTER_KEYS.map((k) => `${k}:`).join(' ') }));
    } else {
      test = termTest('text', term);
    }
    if (isProblem(test)) return failed(test);
    const inner = test;
    tests.push(negated ? (f) => !inner(f) : inner);
  }
  return { ok: true, empty: tests.length === 0, test: (f) => tests.every((t) => t(f)) };
}

function exampleFor(key: FilterKey): string {
  return {
    proto: 'arp',
    tag: 'probe',
    addr: '10.77.1.253',
    src: '00:e0:4c',
    dst: 'ff:ff:ff',
    port: 'tester0',
    no: '3,17',
    mode: 'balance-rr',
    rep: '1',
  }[key];
}

/** Frame numbers as a short no: term, runs folded into ranges as the reports write them: [1,2,3,7] → "no:1-3,7". */
export function frameNumbersTerm(numbers: readonly number[]): string {
  return `no:${frameList(numbers).replaceAll('–', '-').replaceAll(', ', ',')}`;
}
