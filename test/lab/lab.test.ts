/**
 * The virtual lab itself, against the running guest: SSH with a pinned host key, the real bonding driver in all
 * seven modes, faithful cable pulls, warm reboots, and the write-up's configure-then-reboot procedure.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceStream } from '../../main/lab/netns.js';
import { HostKeyMismatchError, SshSession } from '../../main/ssh/session.js';
import { BONDING_MODES, type BondingMode, MODE_DESCRIPTIONS } from '../../shared/bonding/modes.js';
import { LAB_NETWORK, LAB_NICS, namespaceName } from '../../shared/lab/topology.js';
import { renderNetConf } from '../../shared/netifrc/confd.js';
import { guest, setBondModeAtRuntime, testLab, until } from '../support/lab.js';

const lab = testLab();
let session: SshSession;
let originalConf: string;

const macOf = (name: string) => LAB_NICS.find((nic) => nic.guestName === name)!.mac;

const setModeAtRuntime = (mode: BondingMode) => setBondModeAtRuntime(session, mode);

async function slaveMii(slave: string): Promise<string | undefined> {
  const proc = await guest(session, 'cat /proc/net/bonding/bond0');
  const block = proc.split(/\n(?=Slave Interface: )/).find((b) => b.startsWith(`Slave Interface: ${slave}\n`));
  return block?.match(/MII Status: (\S+)/)?.[1];
}

async function uptimeSeconds(s: SshSession): Promise<number> {
  return Number.parseFloat(await guest(s, 'cut -d" " -f1 /proc/uptime'));
}

beforeAll(async () => {
  session = await lab.ssh();
  originalConf = await guest(session, 'cat /etc/conf.d/net');
});

afterAll(async () => {
  // Leave the lab as the next test file expects it: the write-up's balance-rr bond, both cables in.
  await lab.plug('eth1').catch(() => undefined);
  await lab.plug('eth2').catch(() => undefined);
  const s = await lab.ssh();
  await s.exec(`cat > /etc/conf.d/net <<'BONDBENCH'\n${originalConf}BONDBENCH\n`);
  s.close();
  await lab.reset({ wait: true });
  session?.close();
});

describe('SSH into the guest', () => {
  it('logs in with the pinned host key and runs a command with its exit code', async () => {
    const ok = await session.exec('uname -r; exit 3');
    expect(ok.code).toBe(3);
    expect(ok.stdout).toMatch(/-amd64\n$/);
  });

  it('refuses a guest whose host key is not the pinned one', async () => {
    const wrongKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    await expect(
      SshSession.connect({
        label: 'lab guest with a wrong pinned key',
        sock: namespaceStream(namespaceName(lab.instance), LAB_NETWORK.guestSshHost, LAB_NETWORK.guestSshPort),
        username: 'root',
        password: 'never sent: the host key check fails first',
        hostKey: { kind: 'pinned', publicKey: wrongKey },
      }),
    ).rejects.toBeInstanceOf(HostKeyMismatchError);
  });

  it('is reachable by OpenSSH through the ssh_config the lab writes (ProxyCommand, strict host key)', async () => {
    const status = await lab.status();
    const { stdout } = await promisify(execFile)('ssh', [
      '-F',
      status.ssh!.sshConfig,
      '-o',
      'BatchMode=yes',
      'lab',
      'cat /sys/class/net/eth0/address',
    ]);
    expect(stdout.trim()).toBe(macOf('eth0'));
  });
});

describe('the real bonding driver', () => {
  it.each(BONDING_MODES.map((mode) => [mode]))('runs in %s set at runtime', async (mode) => {
    await setModeAtRuntime(mode);
    const sysfs = (await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim();
    expect(sysfs.split(' ')).toEqual([mode, String(BONDING_MODES.indexOf(mode))]);
    const proc = await guest(session, 'cat /proc/net/bonding/bond0');
    const expectedTitle = MODE_DESCRIPTIONS[mode];
    expect(proc).toContain(`Bonding Mode: ${expectedTitle}`);
    expect(proc).toContain('Slave Interface: eth1');
    expect(proc).toContain('Slave Interface: eth2');
    expect(proc).toContain(`Permanent HW addr: ${macOf('eth1')}`);
    expect(proc).toContain(`Permanent HW addr: ${macOf('eth2')}`);

    const eth1 = (await guest(session, 'cat /sys/class/net/eth1/address')).trim();
    const eth2 = (await guest(session, 'cat /sys/class/net/eth2/address')).trim();
    const bond = (await guest(session, 'cat /sys/class/net/bond0/address')).trim();
    if (mode === 'balance-tlb' || mode === 'balance-alb') {
      // tlb/alb keep each slave's own MAC; the bond's MAC sits on the active slave.
      expect(new Set([eth1, eth2])).toEqual(new Set([macOf('eth1'), macOf('eth2')]));
    } else {
      expect([eth1, eth2]).toEqual([bond, bond]);
      expect(bond).toBe(macOf('eth1'));
    }
  });
});

describe('cable pulls and reboots', () => {
  it('pull eth1 drops carrier on both ends; plug brings it back', async () => {
    await setModeAtRuntime('balance-rr');
    await lab.pull('eth1');
    expect(await until('eth1 MII down', async () => ((await slaveMii('eth1')) === 'down' ? 'down' : undefined))).toBe(
      'down',
    );
    expect(await slaveMii('eth2')).toBe('up');
    const status = await lab.status();
    expect(status.links?.find((l) => l.slave === 'eth1')).toMatchObject({ pulled: true, switchCarrier: false });
    await lab.plug('eth1');
    expect(await until('eth1 MII up', async () => ((await slaveMii('eth1')) === 'up' ? 'up' : undefined))).toBe('up');
    expect((await lab.status()).links?.find((l) => l.slave === 'eth1')).toMatchObject({
      pulled: false,
      switchCarrier: true,
    });
  });

  it('reset reboots the guest: uptime drops and SSH comes back', async () => {
    await guest(session, 'sleep 2');
    const before = await uptimeSeconds(session);
    const dropped = new Promise<void>((resolve) => session.onClose(() => resolve()));
    const resetMs = await lab.reset({ wait: true });
    await dropped;
    expect(resetMs).toBeGreaterThan(0);
    session = await lab.ssh();
    const after = await uptimeSeconds(session);
    expect(after).toBeLessThan(before + resetMs! / 1000);
    expect(after).toBeLessThan(resetMs! / 1000 + 1);
  });

  it('a /etc/conf.d/net in the write-up style brings bond0 up in that mode after a reboot', async () => {
    const conf = renderNetConf({
      management: { iface: 'eth0', address: LAB_NETWORK.managementGuestAddress },
      bond: {
        name: 'bond0',
        slaves: ['eth1', 'eth2'],
        mode: 'active-backup',
        miimon: 250,
        address: LAB_NETWORK.bondAddress,
      },
      style: 'writeup',
    });
    await guest(session, `cat > /etc/conf.d/net <<'BONDBENCH'\n${conf}BONDBENCH\n`);
    session.close();
    await lab.reset({ wait: true });
    session = await lab.ssh();
    expect((await guest(session, 'cat /sys/class/net/bond0/bonding/mode')).trim()).toBe('active-backup 1');
    expect((await guest(session, 'cat /sys/class/net/bond0/bonding/miimon')).trim()).toBe('250');
    expect((await guest(session, 'cat /sys/class/net/bond0/bonding/slaves')).trim()).toBe('eth1 eth2');
    expect(await guest(session, 'ip -br -4 addr show bond0')).toContain(LAB_NETWORK.bondAddress);
    // netifrc's own log, as a Gentoo admin would read it.
    expect(await guest(session, 'cat /var/log/netifrc.log')).toContain('Bonding mode is set to active-backup on bond0');
  });
});
