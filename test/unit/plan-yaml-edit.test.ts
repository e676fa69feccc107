/**
 * The plan form's edits of the YAML (shared/plan/yaml-edit.ts): each edit changes its field only, keeps the user's
 * comments (on the edited line, around a list item, heading a list), and yields what the plan check then reads.
 */
import { describe, expect, it } from 'vitest';
import { defaultLabPlan, MODE_NAMES } from '../../shared/plan/plan.js';
import { parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import {
  errorsAt,
  numberOrText,
  PlanEditError,
  readField,
  readList,
  readSteps,
  setListMember,
  stepEntry,
  writeField,
  writeList,
  writeSteps,
} from '../../shared/plan/yaml-edit.js';

const COMMENTED = `# my bench, my notes
version: 1
host:
  target: lab:ui # the lab of this test
bond:
  slaves: [eth1, eth2]
  address: 10.77.1.253/24
  peer: 10.77.1.252
  options:
    miimon: 100 # the write-up's value
modes:
  # the baseline first
  - standalone
  - balance-rr # round robin
  # then the one that matters
  - active-backup
probe:
  rate: 100 # per second
steps:
  - read-macs
  # pull eth1 while probing
  - pull: eth1 # the cable at the back
  - plug: eth1
repeat: 1
`;

const lines = (text: string) => text.split('\n');
/** Every comment line of a text, trimmed: what an edit must keep. */
const comments = (text: string) =>
  lines(text)
    .map((l) => l.match(/#.*$/)?.[0]?.trim())
    .filter(Boolean);

describe('writeField', () => {
  it('changes the value and keeps the comment on its line and every other comment', () => {
    const out = writeField(COMMENTED, ['probe', 'rate'], 250);
    expect(out).toContain('rate: 250 # per second');
    expect(comments(out)).toEqual(comments(COMMENTED));
    expect(parsePlan(out).plan?.probe.rate).toBe(250);
  });

  it('creates missing parents, removes a field given undefined', () => {
    let out = writeField(COMMENTED, ['bond', 'options', 'updelay'], 200);
    expect(parsePlan(out).plan?.bond.options).toEqual({ miimon: 100, updelay: 200 });
    out = writeField(out, ['probe', 'pullRate'], 500);
    expect(parsePlan(out).plan?.probe.pullRate).toBe(500);
    out = writeField(out, ['bond', 'options', 'miimon'], undefined);
    expect(out).not.toContain('miimon');
    expect(parsePlan(out).plan?.bond.options).toEqual({ updelay: 200 });
  });

  it('writes a bad number as typed, so the plan check refuses it at that field and line', () => {
    const out = writeField(COMMENTED, ['probe', 'rate'], numberOrText('fast'));
    const { errors } = parsePlan(out);
    const line = lines(out).findIndex((l) => l.includes('rate: fast')) + 1;
    expect(errors).toEqual([expect.objectContaining({ path: 'probe.rate', line })]);
    expect(errorsAt(errors, ['probe', 'rate'])).toHaveLength(1);
    expect(errorsAt(errors, ['probe'])).toHaveLength(0);
    expect(errorsAt(errors, ['probe'], true)).toHaveLength(1);
  });

  it('refuses to edit text that does not parse', () => {
    expect(() => writeField('host: [\n', ['repeat'], 2)).toThrow(PlanEditError);
    expect(() => writeField('- a list\n', ['repeat'], 2)).toThrow(/mapping/);
  });
});

describe('lists', () => {
  it('removing a mode keeps the comments of the others, and a heading comment passes on', () => {
    let out = setListMember(COMMENTED, ['modes'], 'balance-rr', false);
    expect(readList(out, ['modes'])).toEqual(['standalone', 'active-backup']);
    expect(comments(out)).toEqual(comments(COMMENTED).filter((c) => c !== '# round robin'));
    out = setListMember(out, ['modes'], 'standalone', false);
    expect(out).toContain('# the baseline first');
    expect(out).toContain('# then the one that matters');
    expect(readList(out, ['modes'])).toEqual(['active-backup']);
    expect(parsePlan(out).errors).toEqual([]);
  });

  it('adding a mode puts it in the modes’ order, and keeps flow style', () => {
    const out = setListMember(COMMENTED, ['modes'], 'broadcast', true, MODE_NAMES);
    expect(readList(out, ['modes'])).toEqual(['standalone', 'balance-rr', 'active-backup', 'broadcast']);
    const first = setListMember(out, ['modes'], 'balance-xor', true, MODE_NAMES);
    expect(readList(first, ['modes'])).toEqual([
      'standalone',
      'balance-rr',
      'active-backup',
      'balance-xor',
      'broadcast',
    ]);
    expect(comments(first)).toEqual(comments(COMMENTED));
    // Already there: nothing changes, not even the text.
    expect(setListMember(COMMENTED, ['modes'], 'standalone', true, MODE_NAMES)).toBe(COMMENTED);
    const slaves = writeList(COMMENTED, ['bond', 'slaves'], ['eth1', 'eth2', 'eth3']);
    expect(slaves).toContain('slaves: [ eth1, eth2, eth3 ]');
  });

  it('creates a list that is not there, refuses a path that holds something else', () => {
    const out = writeList(COMMENTED, ['bond', 'options', 'arp_ip_target'], ['10.77.1.252']);
    expect(readList(out, ['bond', 'options', 'arp_ip_target'])).toEqual(['10.77.1.252']);
    expect(() => writeList(COMMENTED, ['probe'], ['x'])).toThrow(/probe is not a list/);
  });
});

describe('steps', () => {
  it('reads the file’s steps as typed, or the defaults when the plan has none', () => {
    expect(readSteps(COMMENTED)).toEqual({
      steps: [{ kind: 'read-macs' }, { kind: 'pull', slave: 'eth1' }, { kind: 'plug', slave: 'eth1' }],
      defaulted: false,
    });
    const bare = planToYaml(defaultLabPlan('ui')).replace(/^steps:\n(?: {2}- .*\n)+/m, '');
    const read = readSteps(bare);
    expect(read?.defaulted).toBe(true);
    expect(read?.steps.map((s) => s.kind)).toEqual(['read-macs', 'probe', 'pull', 'plug', 'pull', 'plug']);
    expect(readSteps('steps: [\n')).toBeUndefined();
  });

  it('an edited step keeps the comments around it; others are untouched', () => {
    const read = readSteps(COMMENTED)!;
    const steps = read.steps.map((s, i) => (i === 1 ? { ...s, seconds: '3' } : s));
    const out = writeSteps(COMMENTED, steps);
    expect(out).toMatch(
      /# pull eth1 while probing\n {2}- pull:\n {6}slave: eth1 # the cable at the back\n {6}hold: 3\n/,
    );
    expect(comments(out)).toEqual(comments(COMMENTED));
    expect(parsePlan(out).plan?.steps[1]).toEqual({ kind: 'pull', slave: 'eth1', holdSeconds: 3 });
  });

  it('a moved step takes its comments along; an added one is written in the short form', () => {
    const read = readSteps(COMMENTED)!;
    const moved = [read.steps[1]!, read.steps[0]!, read.steps[2]!, { kind: 'probe' as const, seconds: '0.5' }];
    const out = writeSteps(COMMENTED, moved);
    expect(out).toMatch(
      /steps:\n {2}# pull eth1 while probing\n {2}- pull: eth1 # the cable at the back\n {2}- read-macs/,
    );
    expect(parsePlan(out).plan?.steps.at(-1)).toEqual({ kind: 'probe', seconds: 0.5 });
  });

  it('writes every kind in the form plan check reads back', () => {
    expect(stepEntry({ kind: 'reboot' })).toBe('reboot');
    expect(stepEntry({ kind: 'power-cycle' })).toBe('power-cycle');
    expect(stepEntry({ kind: 'power-cycle', seconds: '10' })).toEqual({ 'power-cycle': { off: 10 } });
    expect(stepEntry({ kind: 'plug', slave: 'eth2', seconds: '4' })).toEqual({ plug: { slave: 'eth2', settle: 4 } });
    expect(stepEntry({ kind: 'probe', seconds: 'x' })).toEqual({ probe: 'x' });
    const out = writeSteps(COMMENTED, [{ kind: 'probe', seconds: 'x' }]);
    const paths = parsePlan(out).errors.map((e) => e.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p) => p.startsWith('steps[0]'))).toBe(true);
  });
});

describe('readField', () => {
  it('reads scalars, and nothing from text that does not parse', () => {
    expect(readField(COMMENTED, ['host', 'target'])).toBe('lab:ui');
    expect(readField(COMMENTED, ['bond', 'options', 'miimon'])).toBe('100');
    expect(readField(COMMENTED, ['modes'])).toBeUndefined();
    expect(readField('host: [', ['host'])).toBeUndefined();
  });
});
