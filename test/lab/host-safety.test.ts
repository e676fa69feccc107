/**
 * What host control refuses, against the real lab guest: shell metacharacters (before any command runs), plans
 * that touch the management interface eth0, unknown and changed host keys.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementPathError } from '../../main/host/backend.js';
import { HostControl } from '../../main/host/control.js';
import { UnknownHostKeyError } from '../../main/ssh/known-hosts.js';
import { HostKeyMismatchError, parsePublicKeyLine, sha256Fingerprint } from '../../main/ssh/session.js';
import { LAB_NETWORK } from '../../shared/lab/topology.js';
import { InvalidValueError } from '../../shared/net/names.js';
import { testLab } from '../support/lab.js';
import { writeLabSshConfig } from './host-support.js';

const dir = mkdtempSync(join(tmpdir(), 'bondbench-host-safety-'));
let host: HostControl;
let before: string;

beforeAll(async () => {
  host = await HostControl.open(`lab:${testLab().instance}`);
  before = JSON.stringify(await host.bondStatus());
});

afterAll(async () => {
  // Nothing here may have changed the bond.
  expect(JSON.stringify(await host.bondStatus())).toBe(before);
  host.close();
  execFileSync('rm', ['-rf', dir]);
});

describe('refused before anything runs on the host', () => {
  it('shell metacharacters in an interface name or an option', async () => {
    const sent = host.remote.history.length;
    const attempts: [object, RegExp][] = [
      [{ mode: 'active-backup', slaves: ['eth1', 'eth2;reboot'] }, /slaves\[1\]/],
      [{ mode: 'active-backup', slaves: ['eth1', '$(reboot)'] }, /slaves\[1\]/],
      [{ mode: 'active-backup', slaves: ['eth1', 'eth2'], bond: 'bond0 && reboot' }, /bond/],
      [{ mode: 'active-backup', slaves: ['eth1', 'eth2'], primary: 'eth1`reboot`' }, /primary/],
      [{ mode: 'balance-xor', slaves: ['eth1', 'eth2'], xmit_hash_policy: 'layer2; reboot' }, /xmit_hash_policy/],
      [
        {
          mode: 'active-backup',
          slaves: ['eth1', 'eth2'],
          miimon: 0,
          arp_interval: 100,
          arp_ip_target: ['10.77.1.252|reboot'],
        },
        /arp_ip_target/,
      ],
      [{ mode: 'active-backup; reboot', slaves: ['eth1', 'eth2'] }, /unknown bonding mode/],
      [{ mode: 'active-backup', slaves: ['eth1', 'eth2'], address: '10.77.1.253/24;reboot' }, /address/],
    ];
    for (const [request, message] of attempts) {
      for (const backend of ['runtime', 'netifrc'] as const) {
        const error = await host.plan(request as never, { backend }).catch((e: unknown) => e);
        expect(error, JSON.stringify(request)).toBeInstanceOf(InvalidValueError);
        expect((error as Error).message).toMatch(message);
      }
    }
    expect(host.remote.history.length).toBe(sent);
    await expect(host.counters(['eth1;reboot'])).rejects.toThrow(InvalidValueError);
    await expect(host.bondStatus('bond0/../../etc')).rejects.toThrow(InvalidValueError);
    expect(host.remote.history.length).toBe(sent);
  });
});

describe('the management path (eth0 carries this SSH session)', () => {
  it('is found from $SSH_CONNECTION and the route back', async () => {
    expect(await host.managementPath()).toEqual({
      clientAddress: LAB_NETWORK.managementHostAddress.split('/')[0],
      serverAddress: LAB_NETWORK.guestSshHost,
      interface: 'eth0',
      protectedInterfaces: ['eth0'],
    });
  });

  it('refuses to enslave it, to make it the bond, in either backend', async () => {
    for (const backend of ['runtime', 'netifrc'] as const) {
      await expect(host.plan({ mode: 'active-backup', slaves: ['eth0', 'eth1'] }, { backend })).rejects.toThrow(
        ManagementPathError,
      );
      await expect(host.plan({ mode: 'active-backup', slaves: ['eth0', 'eth1'] }, { backend })).rejects.toThrow(
        /eth0 carries this SSH session \(10\.77\.0\.1 → 10\.77\.0\.2 through eth0\): enslaving it/,
      );
      await expect(
        host.plan({ bond: 'eth0', mode: 'balance-rr', slaves: ['eth1', 'eth2'] }, { backend }),
      ).rejects.toThrow(/eth0 carries this SSH session .*takes it down/);
    }
  });

  it('refuses an interface the host does not have', async () => {
    await expect(host.plan({ mode: 'balance-rr', slaves: ['eth1', 'eth9'] })).rejects.toThrow(/has no interface eth9/);
  });
});

describe('host keys', () => {
  const lab = testLab();
  const config = (knownHosts: string) =>
    writeLabSshConfig(lab, dir, { name: Math.random().toString(36).slice(2), knownHosts });

  it('refuses a host key that changed, saying which one it expected', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'impostor')]);
    const impostor = readFileSync(join(dir, 'impostor.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const knownHosts = join(dir, 'known_hosts_changed');
    writeFileSync(knownHosts, `${LAB_NETWORK.guestSshHost} ${impostor}\n`);
    const error = await HostControl.open('guest', { sshConfigFile: config(knownHosts), acceptNewHostKey: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect((error as Error).message).toContain(sha256Fingerprint(parsePublicKeyLine(impostor).blob));
    expect((error as Error).message).toContain(`${knownHosts} line 1`);
    // Refused means refused: the file still holds only the old key.
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${LAB_NETWORK.guestSshHost} ${impostor}\n`);
  });

  it('refuses an unknown host key unless accepted, then pins it', async () => {
    const knownHosts = join(dir, 'known_hosts_new');
    const file = config(knownHosts);
    const labKey = (await lab.status()).ssh!.hostKey;
    const fingerprint = sha256Fingerprint(parsePublicKeyLine(labKey).blob);
    const refused = await HostControl.open('guest', { sshConfigFile: file }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnknownHostKeyError);
    expect((refused as Error).message).toContain(fingerprint);
    let shown: string | undefined;
    const accepted = await HostControl.open('guest', {
      sshConfigFile: file,
      acceptNewHostKey: (key) => {
        shown = key.fingerprint;
        return true;
      },
    });
    expect(shown).toBe(fingerprint);
    expect(accepted.session.hostKeyFingerprint).toBe(fingerprint);
    accepted.close();
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${LAB_NETWORK.guestSshHost} ${labKey}\n`);
    // Pinned: the next connection needs no accept.
    const again = await HostControl.open('guest', { sshConfigFile: file });
    expect((await again.exec('echo ok')).stdout).toBe('ok\n');
    again.close();
  });
});
