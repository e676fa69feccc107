/**
 * Reaching the lab guest the way a user's OpenSSH setup would: an ssh_config with Host patterns, a ProxyCommand
 * (`bondbench lab connect --instance NAME %h %p`), ProxyJump through the guest itself, an encrypted key with its
 * passphrase, and ssh-agent. The real OpenSSH client reads the same config and known_hosts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostControl } from '../../main/host/control.js';
import { SshAuthError } from '../../main/ssh/connect.js';
import { LAB_NETWORK } from '../../shared/lab/topology.js';
import { testLab, until } from '../support/lab.js';
import { labClientKey, labConnectProxyCommand } from './host-support.js';

const lab = testLab();
const dir = mkdtempSync(join(tmpdir(), 'bondbench-host-sshconfig-'));
const knownHosts = join(dir, 'known_hosts');
const encryptedKey = join(dir, 'id_encrypted');
const configFile = join(dir, 'config');
const agentPids: number[] = [];

afterAll(() => {
  for (const pid of agentPids) process.kill(pid);
  execFileSync('rm', ['-rf', dir]);
});

function writeConfig(): void {
  execFileSync('cp', [labClientKey(lab), encryptedKey]);
  execFileSync('ssh-keygen', ['-q', '-p', '-f', encryptedKey, '-P', '', '-N', 'correct horse']);
  writeFileSync(
    configFile,
    [
      '# A user’s config: patterns, a jump host, an encrypted key. The first value found wins, as in ssh.',
      'Host lab-agent',
      '  IdentitiesOnly no',
      '  IdentityFile /nonexistent/key',
      `  ProxyCommand ${labConnectProxyCommand(lab, dir)}`,
      '',
      'Host lab-*',
      `  HostName ${LAB_NETWORK.guestSshHost}`,
      '  User root',
      `  UserKnownHostsFile ${knownHosts}`,
      '  IdentitiesOnly yes',
      '',
      'Host lab-direct lab-jump',
      `  IdentityFile ${labClientKey(lab)}`,
      `  ProxyCommand ${labConnectProxyCommand(lab, dir)}`,
      '',
      'Host lab-through-jump',
      `  IdentityFile ${labClientKey(lab)}`,
      '  ProxyJump lab-jump',
      '',
      'Host lab-encrypted',
      `  IdentityFile ${encryptedKey}`,
      `  ProxyCommand ${labConnectProxyCommand(lab, dir)}`,
      '',
    ].join('\n'),
  );
}

describe('ssh_config with ProxyCommand, ProxyJump, keys and agent', () => {
  it('connects through the ProxyCommand of a Host pattern and pins the host key on accept', async () => {
    writeConfig();
    const host = await HostControl.open('lab-direct', { sshConfigFile: configFile, acceptNewHostKey: true });
    try {
      expect(host.label).toBe(`root@${LAB_NETWORK.guestSshHost}`);
      expect((await host.exec('uname -r; echo $SSH_CONNECTION')).stdout).toMatch(
        /^6\.1\.\S+\n10\.77\.0\.1 \d+ 10\.77\.0\.2 22\n$/,
      );
      const probe = await host.probe();
      expect(probe.management.interface).toBe('eth0');
    } finally {
      host.close();
    }
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${LAB_NETWORK.guestSshHost} ${(await lab.status()).ssh!.hostKey}\n`);
  });

  it('the real OpenSSH client reads the same config and the key BondBench pinned', () => {
    const out = execFileSync(
      'ssh',
      ['-F', configFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'lab-direct', 'echo', 'openssh-ok'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(out).toBe('openssh-ok\n');
  });

  it('ProxyJump: through the jump host’s direct-tcpip channel', async () => {
    const host = await HostControl.open('lab-through-jump', { sshConfigFile: configFile });
    try {
      // The guest jumps to itself: the second hop arrives from its own address.
      expect((await host.exec('echo $SSH_CONNECTION')).stdout).toMatch(/^10\.77\.0\.2 \d+ 10\.77\.0\.2 22\n$/);
    } finally {
      host.close();
    }
  });

  it('an encrypted IdentityFile: with its passphrase, a wrong one, and none', async () => {
    const host = await HostControl.open('lab-encrypted', {
      sshConfigFile: configFile,
      passphrase: async () => 'correct horse',
    });
    expect((await host.exec('id -u')).stdout).toBe('0\n');
    host.close();
    await expect(HostControl.open('lab-encrypted', { sshConfigFile: configFile, passphrase: 'wrong' })).rejects.toThrow(
      /the passphrase for .*id_encrypted is wrong/,
    );
    const none = await HostControl.open('lab-encrypted', { sshConfigFile: configFile }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(SshAuthError);
    expect((none as Error).message).toMatch(/no way to log in/);
  });

  it('ssh-agent (SSH_AUTH_SOCK) when no key file works', async () => {
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    agentPids.push(agent.pid!);
    await until('the agent socket', async () => (existsSync(socket) ? true : undefined));
    execFileSync('ssh-add', ['-q', labClientKey(lab)], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = socket;
    try {
      const host = await HostControl.open('lab-agent', { sshConfigFile: configFile });
      expect((await host.exec('echo agent-ok')).stdout).toBe('agent-ok\n');
      host.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
