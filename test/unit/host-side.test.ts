/** The engine's host side: a netifrc bring-up is only as good as the bond the host booted into. */
import { describe, expect, it } from 'vitest';
import type { PowerDriver } from '../../main/drivers/types.js';
import { stopsRun } from '../../main/engine/boot.js';
import { HostPowerCycledError, SshHostSide } from '../../main/engine/sides.js';
import { VerifyError } from '../../main/host/backend.js';
import type { HostControl } from '../../main/host/control.js';
import { HostDidNotReturnError } from '../../main/host/wait.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { errorPart } from '../../shared/run/failure.js';
import { logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';

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

describe('a host that stops answering SSH mid-run', () => {
  const plan = defaultLabPlan('fake');

  /** A host whose connection dropped and that answers SSH again only after `silentFor` more waits. */
  function silentHost(silentFor: number) {
    const calls: string[] = [];
    const session = { isOpen: false };
    const fake = {
      label: 'fake host',
      session,
      log: (part: ReasonPart) => calls.push(`log ${logText('en', part)}`),
      waitForHost: async (options: { timeoutMs: number; sentAt?: number }) => {
        calls.push(`wait ${options.timeoutMs}`);
        if (silentFor-- > 0)
          throw new HostDidNotReturnError('fake host', options.timeoutMs, errorPart(new Error('connection refused')));
        session.isOpen = true;
        return { bootMs: 9_000, attempts: 3, bootId: 'new-boot' };
      },
      restore: async () => {
        calls.push('restore');
      },
    };
    const power = {
      name: 'fake PDU outlet 3',
      set: async (state: string) => {
        calls.push(`power ${state}`);
      },
      get: async () => 'on' as const,
    };
    const host = new SshHostSide(fake as unknown as HostControl, 60_000, 'bond0');
    const watchdog = (powerCycles: number) =>
      host.setWatchdog({
        power: power as unknown as PowerDriver,
        offSeconds: 0,
        timeoutMs: 60_000,
        powerCycles,
        target: 'root@fake',
        log: (part) => calls.push(`log ${logText('en', part)}`),
      });
    return { calls, host, watchdog };
  }

  it('power-cycles it through the power driver, fails the step saying so, and keeps the watchdog’s boot', async () => {
    const { calls, host, watchdog } = silentHost(1);
    watchdog(2);
    const error = await host.read(plan).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostPowerCycledError);
    expect((error as Error).message).toBe(
      'fake host stopped answering SSH; the watchdog power-cycled it through fake PDU outlet 3 and it came back 9000 ms after power-on: what the mode had set up at runtime is gone, its remaining steps are skipped',
    );
    expect((error as HostPowerCycledError).boot).toMatchObject({
      via: 'power-cycle',
      watchdog: true,
      driver: 'fake PDU outlet 3',
      recoveries: [
        {
          attempt: 1,
          outcome: 'back',
          reason: expect.stringMatching(/^no SSH for \d+ s after the connection dropped/),
        },
      ],
    });
    // Reconnect first (30 s), then straight to the power-cycle, then the reboot timeout for the host to answer.
    expect(calls.filter((c) => !c.startsWith('log '))).toEqual([
      'wait 30000',
      'power off',
      'power on',
      expect.stringMatching(/^wait \d+(\.\d+)?$/),
    ]);
  });

  it('with timeouts.powerCycles 0 stops the run naming the restore, and does not wait for it again', async () => {
    const { calls, host, watchdog } = silentHost(99);
    watchdog(0);
    const error = await host.read(plan).catch((caught: unknown) => caught);
    expect(stopsRun(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^fake host stopped answering SSH: no SSH for \d+ s after the connection dropped \(timeouts\.powerCycles is 0: no power-cycle tried\)\. Check its SSH server and console; once it answers SSH, run "bondbench host restore root@fake"$/,
    );
    expect(calls.filter((c) => c.startsWith('power'))).toEqual([]);
    // Every later command (the restore at the end of the run too) fails at once with the same words, not after
    // another 30 s of waiting.
    const waits = calls.filter((c) => c.startsWith('wait')).length;
    await expect(host.read(plan)).rejects.toBe(error);
    expect(calls.filter((c) => c.startsWith('wait')).length).toBe(waits);
  });
});
