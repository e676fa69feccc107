/**
 * Standalone mode flushes the first slave's addresses and removes the bond: like every bonded mode it is refused
 * when the bond or a slave carries the SSH session (main/host/backends.ts checkStandaloneSafety), before anything
 * runs on the host.
 */
import { describe, expect, it } from 'vitest';
import { SshHostSide } from '../../main/engine/sides.js';
import { ManagementPathError } from '../../main/host/backend.js';
import { checkStandaloneSafety } from '../../main/host/backends.js';
import type { HostControl } from '../../main/host/control.js';
import type { ManagementPath } from '../../main/host/system.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';

const overEth1: ManagementPath = {
  clientAddress: '10.77.1.252',
  serverAddress: '10.77.1.253',
  interface: 'eth1',
  protectedInterfaces: ['eth1'],
};

describe('standalone mode and the management path', () => {
  it('refuses when a slave carries the SSH session (a plan without host.management)', async () => {
    const ctx = { label: 'gentoo', managementPath: async () => overEth1 };
    await expect(checkStandaloneSafety(ctx, 'bond0', ['eth1', 'eth2'])).rejects.toThrow(ManagementPathError);
    await expect(checkStandaloneSafety(ctx, 'bond0', ['eth1', 'eth2'])).rejects.toThrow(
      /eth1 carries this SSH session .* would cut BondBench off/,
    );
    await expect(checkStandaloneSafety(ctx, 'eth1', ['eth2', 'eth3'])).rejects.toThrow(/flushes the bond/);
    await expect(checkStandaloneSafety(ctx, 'bond0', ['eth2', 'eth3'])).resolves.toBeUndefined();
  });

  it('the run’s host side checks before it sends anything', async () => {
    const sent: string[] = [];
    const control = {
      label: 'gentoo',
      managementPath: async () => overEth1,
      remote: {
        label: 'gentoo',
        run: async (script: string) => {
          sent.push(script);
          return { code: 0, stdout: '', stderr: '' };
        },
        runOk: async (_what: string, script: string) => {
          sent.push(script);
          return { code: 0, stdout: '', stderr: '' };
        },
      },
    } as unknown as HostControl;
    const side = new SshHostSide(control, 1000, 'bond0');
    const plan = { ...defaultLabPlan('x'), host: { target: 'root@gentoo' } };
    await expect(side.apply(plan, 'standalone', 'runtime')).rejects.toThrow(ManagementPathError);
    expect(sent).toEqual([]);
  });
});
