/**
 * A driver's word is not proof: a pull is done when the bonding driver on the host sees the slave's MII status go
 * down, a power change when the outlet reads back as asked. These wrappers wait for that, up to a deadline, and
 * fail with what was seen instead.
 */
import { assertInterfaceName, shellCommand } from '../../shared/net/names.js';
import {
  type DriverContext,
  DriverError,
  type HostExec,
  type LinkDriver,
  type MiiStatus,
  type PowerDriver,
  type PowerState,
  type PullReceipt,
  sleep,
} from './types.js';

export const DEFAULT_LINK_DEADLINE_MS = 3_000;
export const DEFAULT_POWER_DEADLINE_MS = 15_000;

/**
 * The MII status the bonding driver keeps per slave (/sys/class/net/<slave>/bonding_slave/mii_status): "up",
 * "down", and during updelay/downdelay "going back" (still down) or "going down" (still up).
 */
export function hostMiiStatus(hostExec: HostExec): (slave: string) => Promise<MiiStatus> {
  return async (slave) => {
    const name = assertInterfaceName(slave, 'slave');
    const result = await hostExec(shellCommand(['cat', `/sys/class/net/${name}/bonding_slave/mii_status`]));
    if (result.code !== 0) return 'unknown';
    const status = result.stdout.trim();
    if (status === 'up' || status === 'going down') return 'up';
    if (status === 'down' || status === 'going back') return 'down';
    return 'unknown';
  };
}

/** Reads until the reading is `want` or deadlineMs has passed; says what it saw last and when. */
async function readUntil<T>(
  read: () => Promise<T>,
  want: T,
  deadlineMs: number,
  intervalMs: number,
): Promise<{ reached: boolean; seen: T; elapsed: number }> {
  const started = performance.now();
  for (;;) {
    const seen = await read();
    const elapsed = Math.round(performance.now() - started);
    if (seen === want || elapsed >= deadlineMs) return { reached: seen === want, seen, elapsed };
    await sleep(intervalMs);
  }
}

/**
 * The link driver, with each pull and plug confirmed on the host within deadlineMs: by the slave's MII status, or,
 * when the bond has no link monitoring (miimon 0 and arp_interval 0: its MII status never changes, bonding.rst
 * "Link Monitoring"), by the slave's own carrier (/sys/class/net/<slave>/carrier). A pull resolves with the
 * driver's timing and when the confirming read returned.
 */
export function verifiedLink(
  driver: LinkDriver,
  context: Pick<DriverContext, 'miiStatus' | 'carrier' | 'confirmBy' | 'log'>,
  deadlineMs = DEFAULT_LINK_DEADLINE_MS,
): LinkDriver {
  const byCarrier = context.confirmBy === 'carrier' && context.carrier !== undefined;
  const read = byCarrier ? context.carrier : context.miiStatus;
  if (!read) return driver;
  const readingPart = { key: `driverFailure.${byCarrier ? 'carrier' : 'miiStatus'}` };

  async function confirm(slave: string, want: 'up' | 'down', action: 'pull' | 'plug'): Promise<number> {
    const { reached, seen, elapsed } = await readUntil(() => read!(slave), want, deadlineMs, 20);
    if (reached) {
      context.log({
        key: 'log.driver.linkConfirmed',
        vars: { action: { key: `log.driver.action.${action}` }, slave, what: readingPart, want, ms: elapsed },
      });
      return performance.timeOrigin + performance.now();
    }
    const actionPart = { key: `driverFailure.action.${action}` };
    if (seen === 'unknown') {
      throw new DriverError(driver.name, {
        key: 'unconfirmedUnreadable',
        vars: { action, actionPart, slave, what: readingPart },
      });
    }
    const hint = {
      key:
        action === 'plug'
          ? 'driverFailure.hint.plug'
          : driver.physical
            ? 'driverFailure.hint.physicalPull'
            : 'driverFailure.hint.logicalPull',
      vars: { slave },
    };
    throw new DriverError(driver.name, {
      key: 'unconfirmed',
      vars: { action, actionPart, slave, what: readingPart, seen, elapsed, want, deadline: deadlineMs, hint },
    });
  }

  return {
    name: driver.name,
    physical: driver.physical,
    async pull(slave): Promise<PullReceipt> {
      const timing = (await driver.pull(slave)) ?? {};
      const confirmedMs = await confirm(slave, 'down', 'pull');
      return { ...timing, confirmedMs, confirmedBy: byCarrier ? 'carrier' : 'mii' };
    },
    async plug(slave) {
      await driver.plug(slave);
      await confirm(slave, 'up', 'plug');
    },
    state: (slave) => driver.state(slave),
  };
}

/** The power driver, with each change read back from the outlet within deadlineMs where the device allows it. */
export function verifiedPower(
  driver: PowerDriver,
  context: Pick<DriverContext, 'log'>,
  deadlineMs = DEFAULT_POWER_DEADLINE_MS,
): PowerDriver {
  /** `log.driver.power.*`: "power on", "power off", "power cycle". */
  const actionPart = (action: 'on' | 'off' | 'cycle') => ({ key: `log.driver.power.${action}` });
  async function confirm(want: PowerState, action: 'on' | 'off' | 'cycle'): Promise<void> {
    if (!driver.readable) {
      context.log({ key: 'log.driver.powerUnreadable', vars: { driver: driver.name, action: actionPart(action) } });
      return;
    }
    const { reached, seen, elapsed } = await readUntil(() => driver.get(), want, deadlineMs, 200);
    if (reached) {
      context.log({
        key: 'log.driver.powerConfirmed',
        vars: { driver: driver.name, action: actionPart(action), want, ms: elapsed },
      });
      return;
    }
    throw new DriverError(driver.name, {
      key: 'outletUnconfirmed',
      vars: { action: `power ${action}`, seen, elapsed, want, deadline: deadlineMs },
    });
  }

  return {
    name: driver.name,
    readable: driver.readable,
    async set(state) {
      await driver.set(state);
      await confirm(state, state);
    },
    async cycle() {
      await driver.cycle();
      await confirm('on', 'cycle');
    },
    get: () => driver.get(),
  };
}
