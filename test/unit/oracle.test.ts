/** The oracle on a recorded lab run (test/fixtures/runs), and on that run's steps changed the way a fault would. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunFolder } from '../../main/engine/store.js';
import { packageRoot } from '../../main/paths.js';
import { expectationFor, judgeRun } from '../../shared/oracle/oracle.js';
import type { StepRecord } from '../../shared/run/model.js';

const run = await readRunFolder(join(packageRoot, 'test/fixtures/runs/lab-miimon100'));
const rowOf = (steps: StepRecord[], mode: string) => judgeRun(run.plan, steps).find((r) => r.mode === mode)!;

describe('the oracle', () => {
  it('knows the documented behaviour of every mode', () => {
    expect(expectationFor('balance-tlb', {}).sharedMac).toBe(false);
    expect(expectationFor('active-backup', { fail_over_mac: 'active' }).sharedMac).toBe(false);
    expect(expectationFor('active-backup', { num_grat_arp: 3 }).gratuitousArpAtFailover).toBe(3);
    expect(expectationFor('broadcast', {}).duplicates).toBe(true);
    expect(expectationFor('802.3ad', {}).needsLacpPartner).toBe(true);
    expect(expectationFor('standalone', {}).faultTolerant).toBe(false);
  });

  it('judges a recorded lab run as the kernel documentation says', () => {
    const matrix = judgeRun(run.plan, run.steps);
    expect(matrix.map((r) => r.mode)).toEqual(run.plan.modes);
    for (const row of matrix) {
      expect(row.cells.eth1Mac?.verdict, row.mode).toBe('expected');
      expect(row.cells.eth2Mac?.verdict, row.mode).toBe('expected');
      expect(row.cells.faultTolerance?.verdict, row.mode).toBe('expected');
    }
    const lacp = rowOf(run.steps, '802.3ad');
    expect(lacp.notes.some((n) => n.startsWith('no LACP partner'))).toBe(true);
    expect(lacp.cells.failoverMs?.verdict).toBe('not-measurable');
    expect(lacp.cells.loadBalancing?.verdict).toBe('not-measurable');
    // Evidence points at frames of the pcapng the step wrote.
    const failover = rowOf(run.steps, 'active-backup').cells.failoverMs!;
    expect(failover.evidence.pcapng).toBe('capture/r1-active-backup.pcapng');
    expect(failover.evidence.frames).toHaveLength(2);
  });

  it('calls shared MACs in balance-alb unexpected', () => {
    const steps = structuredClone(run.steps);
    const macs = steps.find((s) => s.mode === 'balance-alb' && s.kind === 'read-macs')!;
    for (const slave of macs.reading!.slaves) slave.mac = macs.reading!.slaves[0]!.mac;
    const row = rowOf(steps, 'balance-alb');
    expect(row.cells.eth2Mac?.verdict).toBe('unexpected');
    expect(row.cells.eth2Mac?.reason).toContain('keeps distinct slave MACs');
  });

  it('calls a bond that stops answering after a pull not fault tolerant', () => {
    const steps = structuredClone(run.steps);
    const pull = steps.find((s) => s.mode === 'balance-rr' && s.kind === 'pull')!;
    const samples = pull.measurements!.probe!.samples;
    for (let i = Math.floor(samples.length / 3); i < samples.length; i++) samples[i]![1] = null;
    const row = rowOf(steps, 'balance-rr');
    expect(row.cells.faultTolerance).toMatchObject({ value: false, verdict: 'unexpected' });
  });

  it('calls a broadcast without duplicates unexpected, and a bring-up that failed not run', () => {
    const steps = structuredClone(run.steps);
    const probe = steps.find((s) => s.mode === 'broadcast' && s.kind === 'probe')!;
    probe.measurements!.probe!.duplicates = 0;
    expect(rowOf(steps, 'broadcast').cells.loadBalancing?.verdict).toBe('unexpected');
    const bringUp = steps.find((s) => s.mode === 'balance-xor' && s.kind === 'bring-up')!;
    Object.assign(bringUp, { status: 'failed', error: 'the driver said no' });
    const xor = rowOf(steps, 'balance-xor');
    expect(xor.cells).toEqual({});
    expect(xor.notes).toContain('bring-up failed: the driver said no');
  });
});
