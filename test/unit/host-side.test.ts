/** The engine's host side: a netifrc bring-up is only as good as the bond the host booted into. */
import { describe, expect, it } from 'vitest';
import { SshHostSide } from '../../main/engine/sides.js';
import { VerifyError } from '../../main/host/backend.js';
import type { HostControl } from '../../main/host/control.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';

/** A HostControl that records calls and answers the live read-back as told. */
function control(live: () => Promise<{ checked: string[] }>) {
  const calls: string[] = [];
  const fake = {
    label: 'fake host',
    configure: async (request: { mode: string; miimon?: number }, options: { backend: string }) => {
      calls.push(`configure ${options.backend} ${request.mode} miimon=${request.miimon}`);
      return { plan: { backend: options.backend }, applied: {}, verified: { checked: ['mode=x'] } };
    },
    reboot: async () => {
      calls.push('reboot');
      return { bootMs: 12_000 };
    },
    confirm: async () => {
      calls.push('confirm');
    },
    verify: async (_plan: unknown, options: { live?: boolean }) => {
      calls.push(`verify live=${options.live}`);
      return live();
    },
  };
  return { calls, host: new SshHostSide(fake as unknown as HostControl, 60_000, 'bond0') };
}

describe('netifrc bring-up', () => {
  const plan = defaultLabPlan('fake');

  it('reads the live bond back after the reboot and keeps what it checked', async () => {
    const { calls, host } = control(async () => ({ checked: ['mode=active-backup', 'miimon=100'] }));
    expect(await host.apply(plan, 'active-backup', 'netifrc')).toEqual({
      rebootMs: 12_000,
      verified: ['mode=active-backup', 'miimon=100'],
    });
    // Confirmed first (or the armed rollback reboots the host mid-run), then verified.
    expect(calls).toEqual(['configure netifrc active-backup miimon=100', 'reboot', 'confirm', 'verify live=true']);
  });

  it('fails when the host booted into something else, saying what differs', async () => {
    const { host } = control(async () => {
      throw new VerifyError('fake host', [
        { option: 'miimon', expected: '100', actual: '200' },
        { option: 'ad_select', expected: 'stable', actual: undefined },
      ]);
    });
    const failure = host.apply(plan, 'active-backup', 'netifrc');
    await expect(failure).rejects.toBeInstanceOf(VerifyError);
    await expect(failure).rejects.toThrow(
      'fake host after booting from /etc/conf.d/net: the bond does not match the plan: miimon is "200", expected "100"; ad_select is missing, expected "stable"',
    );
  });

  it('a runtime bring-up returns the options configure() read back', async () => {
    const { host } = control(async () => ({ checked: [] }));
    expect(await host.apply(plan, 'balance-xor', 'runtime')).toEqual({ verified: ['mode=x'] });
  });
});
