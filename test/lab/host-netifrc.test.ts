/**
 * The netifrc backend on the lab guest (its boot honours /etc/conf.d/net): the write-up's style and the modern
 * style, each verified on the running bond after a reboot; a commit-confirmed rollback that is confirmed, and
 * one that fires because the confirmation never comes; restore back to the original file, byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostControl } from '../../main/host/control.js';
import { LAB_NETWORK } from '../../shared/lab/topology.js';
import { logText } from '../../shared/run/log.js';
import { testLab } from '../support/lab.js';

const slaves = ['eth1', 'eth2'];
const runDir = mkdtempSync(join(tmpdir(), 'bondbench-host-netifrc-'));
const lab = testLab();
let host: HostControl;
let original: Buffer;

const conf = async () => (await host.remote.readFile('/etc/conf.d/net'))!;
/** Under TCG on a busy machine a guest reboot can take minutes instead of seconds: wait long, never forever. */
const BOOT_TIMEOUT_MS = 600_000;
const LONG = { timeout: 1_500_000 };

beforeAll(async () => {
  host = await HostControl.open(`lab:${lab.instance}`, { log: (part) => console.log(logText('en', part)) });
  original = await conf();
});

afterAll(async () => {
  await host.restore({ runDir }).catch((error: Error) => {
    // Nothing left to restore is fine only if the last test restored already.
    if (!/nothing to restore/.test(error.message)) throw error;
  });
  expect((await conf()).equals(original)).toBe(true);
  expect(await host.bondStatus()).toMatchObject({ mode: 'balance-rr', miimonMs: 100 });
  host.close();
  rmSync(runDir, { recursive: true, force: true });
});

describe('netifrc backend', () => {
  it('write-up style, active-backup: written now, running after a reboot that is confirmed', LONG, async () => {
    const plan = await host.plan(
      { mode: 'active-backup', slaves, primary: 'eth2', ad_select: 'bandwidth', lp_interval: 3 },
      { backend: 'netifrc', style: 'writeup' },
    );
    const file = plan.files![0]!;
    expect(file.before).toBe(original.toString());
    expect(file.after).toContain('BOND_MODE="active-backup"');
    expect(file.after).toContain('echo ${BOND_PRIMARY} >/sys/class/net/bond0/bonding/primary');
    expect(file.after).toContain(`config_eth0=( "${LAB_NETWORK.managementGuestAddress}" )`);
    expect(plan.links).toEqual([]);
    expect(plan.requiresReboot).toBe(true);

    const applied = await host.apply(plan, { runDir });
    expect((await host.verify(plan)).liveSkipped).toMatch(/next boot/);
    // netifrc reads the file at boot: the running bond is still the old one.
    expect((await host.bondStatus()).mode).toBe('balance-rr');

    const reboot = await host.reboot({
      rollbackSeconds: 900,
      rollbackBackupId: applied.backupId,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    console.log(
      `host reboot: connection drop seen after ${reboot.dropDetectedMs} ms, SSH back after ${reboot.bootMs} ms (${reboot.attempts} attempts)`,
    );
    expect(reboot.dropDetectedMs).toBeGreaterThan(0);
    expect(reboot.bootMs).toBeGreaterThan(reboot.dropDetectedMs!);
    expect(reboot.bootId).not.toBe(reboot.previousBootId);
    expect(reboot.rollback?.seconds).toBe(900);
    expect((await host.rollbackStatus()).armed).toBe(true);

    const live = await host.verify(plan, { live: true });
    expect(live.status).toMatchObject({ mode: 'active-backup', primarySlave: 'eth2' });
    // preup() wrote every option the plan set before the bond came up; each one read back from sysfs.
    expect(live.checked).toEqual(expect.arrayContaining(['ad_select=bandwidth', 'lp_interval=3', 'primary=eth2']));
    expect(await host.confirm()).toBe(true);
    expect(await host.rollbackStatus()).toEqual({ armed: false, fired: [] });
  });

  it('modern style, 802.3ad with fast LACP: running after a warm reset (lab reset)', LONG, async () => {
    const plan = await host.plan(
      { mode: '802.3ad', slaves, lacp_rate: 'fast', min_links: 1, num_unsol_na: 2 },
      { backend: 'netifrc', style: 'modern' },
    );
    expect(plan.files![0]!.after).toMatch(
      /^slaves_bond0="eth1 eth2"\nmode_bond0="802.3ad"\nmiimon_bond0="100"\nlacp_rate_bond0="fast"\nmin_links_bond0="1"\nnum_grat_arp_bond0="2"\n/m,
    );
    expect(plan.files![0]!.after).not.toContain('preup()');
    await host.apply(plan, { runDir });
    const previousBootId = await host.bootId();
    const sentAt = performance.now();
    await lab.reset({ wait: true, timeoutMs: BOOT_TIMEOUT_MS });
    const back = await host.waitForHost({ previousBootId, sentAt, timeoutMs: BOOT_TIMEOUT_MS });
    console.log(`lab reset: SSH back after ${back.bootMs} ms`);
    expect(back.bootId).not.toBe(previousBootId);
    const live = await host.verify(plan, { live: true });
    expect(live.status).toMatchObject({ mode: '802.3ad', ad: { lacpRate: 'fast' } });
    expect(live.checked).toEqual(expect.arrayContaining(['min_links=1', 'num_grat_arp=2', 'num_unsol_na=2']));
  });

  it('restore puts /etc/conf.d/net back byte for byte and the bond as it was', async () => {
    const restored = await host.restore({ runDir });
    expect(restored.files).toEqual(['/etc/conf.d/net', '/etc/init.d/net.bond0', '/etc/runlevels/default/net.bond0']);
    expect(restored.bondState).toBe('restored');
    expect((await conf()).equals(original)).toBe(true);
    expect(await host.bondStatus()).toMatchObject({ mode: 'balance-rr', miimonMs: 100 });
    expect((await host.exec('readlink /etc/init.d/net.bond0; readlink /etc/runlevels/default/net.bond0')).stdout).toBe(
      'net.lo\n/etc/init.d/net.bond0\n',
    );
  });

  it('a rollback fires when the confirmation does not come', LONG, async () => {
    const plan = await host.plan(
      { mode: 'balance-xor', slaves, xmit_hash_policy: 'layer2+3' },
      { backend: 'netifrc', style: 'modern' },
    );
    const applied = await host.apply(plan, { runDir });
    const seconds = 45;
    const reboot = await host.reboot({ rollbackSeconds: seconds, timeoutMs: BOOT_TIMEOUT_MS });
    expect(reboot.rollback?.backupId).toBe(applied.backupId);
    // The new configuration is running, but the bench stays silent.
    expect((await host.bondStatus()).mode).toBe('balance-xor');
    const session = host.session;
    const dropped = new Promise<number>((resolve) => session.onClose(() => resolve(performance.now())));
    const waitStarted = performance.now();
    const droppedAt = await dropped;
    console.log(`rollback: the host went down ${Math.round(droppedAt - waitStarted)} ms after we stopped talking`);
    const back = await host.waitForHost({
      previousBootId: reboot.bootId,
      sentAt: droppedAt,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    console.log(`rollback: SSH back ${back.bootMs} ms after the drop`);
    expect((await conf()).equals(original)).toBe(true);
    expect((await host.bondStatus()).mode).toBe('balance-rr');
    const status = await host.rollbackStatus();
    expect(status.armed).toBe(false);
    expect(status.fired).toHaveLength(1);
    expect(status.fired[0]).toMatch(
      new RegExp(`rolled back to ${applied.backupId} \\(not confirmed within ${seconds} s\\)`),
    );
  });
});
