/**
 * Power and link drivers against the virtual lab: the lab's own two-sided pull, host-ifdown over the guest's SSH,
 * the MII check that catches a pull that did nothing, and power off/on/cycle — through the lab driver and through a
 * real pdudaemon whose PDU runs `bondbench lab power` (its lab command). Each pull is checked in /proc/net/bonding/bond0 as well.
 * Leaves the lab as found: powered on, both cables in, the boot-time bond with both slaves up.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkDriver,
  createPowerDriver,
  type DriverContext,
  DriverError,
  type HostExec,
  hostMiiStatus,
} from '../../main/drivers/index.js';
import type { SshSession } from '../../main/ssh/session.js';
import { logText } from '../../shared/run/log.js';
import { type PduDaemon, startPduDaemon } from '../support/drivers-pdudaemon.js';
import { guest, testLab, until } from '../support/lab.js';

const lab = testLab();
const repo = resolve(import.meta.dirname, '../..');
let session: SshSession;
const logged: string[] = [];
const hostExec: HostExec = (command) => session.exec(command);
const context: DriverContext = {
  hostExec,
  miiStatus: hostMiiStatus(hostExec),
  log: (part) => logged.push(logText('en', part)),
  linkDeadlineMs: 3000,
  powerDeadlineMs: 10_000,
};

/** The slave's "MII Status" line in /proc/net/bonding/bond0 — read apart from the driver's own check (sysfs). */
async function procMii(slave: string): Promise<string | undefined> {
  const proc = await guest(session, 'cat /proc/net/bonding/bond0');
  const section = proc.split('\n\n').find((part) => part.startsWith(`Slave Interface: ${slave}\n`));
  return /^MII Status: (.+)$/m.exec(section ?? '')?.[1];
}

async function switchCarrier(slave: string): Promise<boolean | undefined> {
  return (await lab.status()).links?.find((l) => l.slave === slave)?.switchCarrier;
}

/** Changes with every boot of the guest. */
async function bootId(): Promise<string> {
  return (await guest(session, 'cat /proc/sys/kernel/random/boot_id')).trim();
}

/** A new SSH session after the guest was powered off and on (the old one died with it). */
async function reconnect(): Promise<void> {
  session.close();
  session = await lab.ssh();
}

beforeAll(async () => {
  session = await lab.ssh();
});

afterAll(async () => {
  if ((await lab.powerState()) === 'off') await lab.power('on');
  await lab.plug('eth1');
  await lab.plug('eth2');
  if (!session?.isOpen) await reconnect();
  await session.exec('ip link set dev eth1 up; ip link set dev eth2 up');
  await until('both slaves up again', async () =>
    (await procMii('eth1')) === 'up' && (await procMii('eth2')) === 'up' ? true : undefined,
  );
  session.close();
});

describe('lab link driver', () => {
  it('pulls a slave on both sides, confirmed by its MII status going down', async () => {
    const link = createLinkDriver({ type: 'lab', instance: lab.instance }, context);
    expect(link.physical).toBe(true);
    expect(await link.state('eth1')).toBe('plugged');
    logged.length = 0;
    const before = performance.timeOrigin + performance.now();
    const receipt = await link.pull('eth1');
    expect(logged.join('\n')).toMatch(/pull eth1: MII status down on the host after \d+ ms/);
    // Both ends were cut from the same instant; the host's confirmation came after both.
    const host = receipt!.hostCarrierOffMs!;
    const sw = receipt!.switchCarrierOffMs!;
    expect(host[0]).toBe(sw[0]);
    expect(host[0]).toBeGreaterThanOrEqual(before);
    expect(host[1]).toBeGreaterThanOrEqual(host[0]);
    expect(receipt!.confirmedMs).toBeGreaterThanOrEqual(Math.max(host[1], sw[1]));
    expect(receipt!.confirmedBy).toBe('mii');
    expect(await procMii('eth1')).toBe('down');
    expect(await procMii('eth2')).toBe('up');
    expect(await switchCarrier('eth1')).toBe(false);
    expect(await link.state('eth1')).toBe('pulled');

    await link.plug('eth1');
    expect(await procMii('eth1')).toBe('up');
    expect(await switchCarrier('eth1')).toBe(true);
    expect(await link.state('eth1')).toBe('plugged');
  });

  it('refuses a port the lab does not have', async () => {
    const link = createLinkDriver({ type: 'lab', instance: lab.instance }, context);
    await expect(link.pull('eth0')).rejects.toThrow(/"eth0" is not a lab slave port/);
  });
});

describe('host-ifdown link driver', () => {
  it('takes the slave down on the host, while the switch side keeps its carrier: not a physical pull', async () => {
    const link = createLinkDriver({ type: 'host-ifdown' }, context);
    expect(link.physical).toBe(false);
    expect(link.name).toMatch(/not a physical pull/);
    await link.pull('eth2');
    expect(await procMii('eth2')).toBe('down');
    expect(await switchCarrier('eth2')).toBe(true);
    expect(await link.state('eth2')).toBe('pulled');
    await link.plug('eth2');
    expect(await procMii('eth2')).toBe('up');
    expect(await link.state('eth2')).toBe('plugged');
  });

  it('reports what the host said when ip link fails', async () => {
    const link = createLinkDriver({ type: 'host-ifdown' }, context);
    const error = await link.pull('eth9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as Error).message).toMatch(
      /pull eth9: "ip link set dev eth9 down" exited with 1 on the host: .*eth9/,
    );
  });

  it('needs a way to run commands on the host', () => {
    expect(() => createLinkDriver({ type: 'host-ifdown' }, { log: () => undefined })).toThrow(/no hostExec/);
  });
});

describe('the MII check', () => {
  it('fails a pull that did not reach the slave', async () => {
    const inert = createLinkDriver(
      { type: 'command', pull: ['true'], plug: ['true'] },
      { ...context, linkDeadlineMs: 1000 },
    );
    await expect(inert.pull('eth1')).rejects.toThrow(
      /pull eth1: the host still reports eth1's MII status "up" \d+ ms later \(expected "down" within 1000 ms\)/,
    );
    expect(await procMii('eth1')).toBe('up');
  });
});

describe('lab power driver', () => {
  it('switches the guest off and on and cycles it, each read back', async () => {
    const power = createPowerDriver({ type: 'lab', instance: lab.instance }, context);
    expect(power.readable).toBe(true);
    expect(await power.get()).toBe('on');
    const firstBoot = await bootId();

    await power.set('off');
    expect(await power.get()).toBe('off');
    expect((await lab.status()).up).toBe(false);

    await power.set('on');
    expect(await power.get()).toBe('on');
    await reconnect();
    const secondBoot = await bootId();
    expect(secondBoot).not.toBe(firstBoot);

    await power.cycle();
    expect(await power.get()).toBe('on');
    await reconnect();
    expect(await bootId()).not.toBe(secondBoot);
    await until('the boot-time bond', async () => ((await procMii('eth1')) === 'up' ? true : undefined), 30_000);
  });
});

describe('pdudaemon powering the lab', () => {
  let daemon: PduDaemon | undefined;

  afterAll(async () => {
    await daemon?.stop();
  });

  it('switches the guest off and on through pdudaemon, whose PDU runs the lab power command', async () => {
    // Its commands run through pdudaemon's shell with the outlet for %s; the script accepts outlet 1 only.
    daemon = await startPduDaemon(
      (dir) => ({
        'lab-pdu': {
          driver: 'localcmdline',
          cmd_on: `${process.execPath} --import tsx ${dir}/lab-power.mjs on %s`,
          cmd_off: `${process.execPath} --import tsx ${dir}/lab-power.mjs off %s`,
        },
      }),
      repo,
    );
    await writeFile(
      join(daemon.dir, 'lab-power.mjs'),
      [
        `if (process.argv[3] !== '1') { console.error('the lab has one outlet: 1'); process.exit(1); }`,
        `const { labCommand } = await import(${JSON.stringify(join(repo, 'main/cli/lab.ts'))});`,
        `process.exitCode = await labCommand(['power', process.argv[2], '--instance', ${JSON.stringify(lab.instance)}]);`,
        '',
      ].join('\n'),
    );
    const power = createPowerDriver(
      { type: 'pdudaemon', url: daemon.url, hostname: 'lab-pdu', port: 1, timeoutMs: 200_000 },
      context,
    );
    const before = await bootId();
    await power.set('off');
    // pdudaemon answers 200 whatever its command did: the lab itself says whether it happened.
    expect(await lab.powerState(), daemon.log()).toBe('off');
    await power.set('on');
    expect(await lab.powerState(), daemon.log()).toBe('on');
    await reconnect();
    expect(await bootId()).not.toBe(before);
    expect(daemon.log()).toContain('/power/control/off?hostname=lab-pdu&port=1');
  });
});
