/**
 * Target parsing, ssh_config resolution and known_hosts pinning, checked against OpenSSH's own tools:
 * `ssh -G` (the config ssh would use, without connecting) and `ssh-keygen -H` (hashed known_hosts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHostTarget } from '../../main/host/target.js';
import {
  checkKnownHost,
  hostFieldMatches,
  KnownHosts,
  knownHostName,
  parseKnownHosts,
  UnknownHostKeyError,
} from '../../main/ssh/known-hosts.js';
import { HostKeyMismatchError, parsePublicKeyLine, sha256Fingerprint } from '../../main/ssh/session.js';
import { expandTokens, parseSshDestination, resolveSsh } from '../../main/ssh/ssh-config.js';

const dir = mkdtempSync(join(tmpdir(), 'bondbench-ssh-'));
afterAll(() => execFileSync('rm', ['-rf', dir]));

function newKey(name: string): { type: string; blob: Buffer; line: string; fingerprint: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const { type, blob } = parsePublicKeyLine(line);
  return { type, blob, line, fingerprint: sha256Fingerprint(blob) };
}

describe('targets', () => {
  it('reads OpenSSH destinations and the lab', () => {
    expect(parseHostTarget('lab', 'h3')).toEqual({ kind: 'lab', instance: 'h3', text: 'lab' });
    expect(parseHostTarget('lab:test-2')).toEqual({ kind: 'lab', instance: 'test-2', text: 'lab:test-2' });
    expect(parseSshDestination('root@gentoo:2222')).toEqual({ user: 'root', host: 'gentoo', port: 2222 });
    expect(parseSshDestination('ssh://bench@192.168.0.253')).toEqual({
      user: 'bench',
      host: '192.168.0.253',
      port: undefined,
    });
    expect(parseSshDestination('admin@[fe80::1]:22')).toEqual({ user: 'admin', host: 'fe80::1', port: 22 });
    expect(parseSshDestination('gentoo-1')).toEqual({ user: undefined, host: 'gentoo-1', port: undefined });
  });

  it('refuses what could reach a shell (ProxyCommand gets %h) or is no destination', () => {
    for (const bad of [
      'root@host;reboot',
      'root@$(id)',
      'a b',
      'root@host:99999',
      'root@',
      '@host',
      'x`id`@host',
      'lab:Bad_Name',
      'host:port',
    ]) {
      expect(() => parseHostTarget(bad), bad).toThrow();
    }
  });
});

describe('ssh_config, resolved as `ssh -G` resolves it', () => {
  const key = join(dir, 'id_test');
  const config = join(dir, 'config');
  const included = join(dir, 'extra.conf');
  writeFileSync(included, 'Host inc-*\n  User included\n  Port 2022\n');
  writeFileSync(
    config,
    [
      `Include ${included}`,
      'Host gentoo-*',
      '  HostName %h.lab.example',
      '  User root',
      '  Port 2222',
      `  IdentityFile ${key}`,
      '  IdentityFile ~/.ssh/id_other',
      '  ProxyCommand /usr/bin/nc -w 5 %h %p',
      '  UserKnownHostsFile ~/.ssh/bench_known_hosts',
      '  ServerAliveInterval 5',
      '',
      'Host jumped',
      '  HostName 10.0.0.9',
      '  ProxyJump admin@bastion:2200',
      '  IdentitiesOnly yes',
      '',
      'Host *',
      '  User fallback',
      '  ConnectTimeout 7',
      '',
    ].join('\n'),
  );

  const sshG = (host: string) =>
    Object.fromEntries(
      execFileSync('ssh', ['-G', '-F', config, host], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
    ) as Record<string, string>;

  it('a Host pattern with HostName tokens, User, Port, IdentityFile, ProxyCommand, known hosts file', async () => {
    const ours = await resolveSsh('gentoo-1', { configFile: config });
    const openssh = sshG('gentoo-1');
    expect(ours.hostName).toBe(openssh.hostname);
    expect(ours.user).toBe(openssh.user);
    expect(String(ours.port)).toBe(openssh.port);
    expect(ours.proxyCommand).toBe(openssh.proxycommand!.replace('%h', openssh.hostname!).replace('%p', openssh.port!));
    expect(ours.identityFiles[0]).toBe(key);
    expect(ours.userKnownHostsFiles).toEqual([expandTokens('~/.ssh/bench_known_hosts', {})]);
    expect(ours.serverAliveIntervalMs).toBe(5000);
    expect(ours.connectTimeoutMs).toBe(Number(openssh.connecttimeout) * 1000);
  });

  it('the destination’s own user and port win over the config', async () => {
    const ours = await resolveSsh('bench@gentoo-2:2200', { configFile: config });
    expect([ours.user, ours.port]).toEqual(['bench', 2200]);
    expect(ours.hostName).toBe(sshG('gentoo-2').hostname);
  });

  it('ProxyJump, IdentitiesOnly, the catch-all Host *, and Include', async () => {
    const jumped = await resolveSsh('jumped', { configFile: config });
    const openssh = sshG('jumped');
    expect(jumped).toMatchObject({
      hostName: openssh.hostname,
      user: openssh.user,
      proxyJump: openssh.proxyjump,
      identitiesOnly: true,
    });
    const inc = await resolveSsh('inc-3', { configFile: config });
    expect([inc.user, String(inc.port)]).toEqual([sshG('inc-3').user, sshG('inc-3').port]);
    const plain = await resolveSsh('elsewhere', { configFile: config });
    expect([plain.hostName, plain.user, plain.port]).toEqual(['elsewhere', 'fallback', 22]);
  });

  it('without a config: the destination as given, the local user', async () => {
    const r = await resolveSsh('192.168.0.253', { configFile: null });
    expect(r).toMatchObject({ hostName: '192.168.0.253', port: 22, proxyCommand: undefined, proxyJump: undefined });
  });
});

describe('known_hosts', () => {
  const alpha = newKey('alpha');
  const beta = newKey('beta');

  it('matches plain, [host]:port, wildcard and negated patterns', () => {
    expect(knownHostName('10.77.0.2', 22)).toBe('10.77.0.2');
    expect(knownHostName('10.77.0.2', 2222)).toBe('[10.77.0.2]:2222');
    expect(hostFieldMatches('gentoo,10.77.0.2', '10.77.0.2')).toBe(true);
    expect(hostFieldMatches('[10.77.0.2]:2222', '[10.77.0.2]:2222')).toBe(true);
    expect(hostFieldMatches('[10.77.0.2]:2222', '10.77.0.2')).toBe(false);
    expect(hostFieldMatches('*.lab,!bad.lab', 'good.lab')).toBe(true);
    expect(hostFieldMatches('*.lab,!bad.lab', 'bad.lab')).toBe(false);
    expect(hostFieldMatches('10.77.0.?', '10.77.0.2')).toBe(true);
  });

  it('reads entries that ssh-keygen -H hashed', () => {
    const file = join(dir, 'hashed_known_hosts');
    writeFileSync(file, `gentoo ${alpha.line}\n[10.77.0.2]:2222 ${beta.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(checkKnownHost(entries, ['gentoo'], alpha).status).toBe('known');
    expect(checkKnownHost(entries, ['[10.77.0.2]:2222'], beta).status).toBe('known');
    expect(checkKnownHost(entries, ['gentoo'], beta).status).toBe('changed');
    expect(checkKnownHost(entries, ['other'], alpha).status).toBe('unknown');
  });

  it('a revoked key is refused even where it is also listed as known', () => {
    const entries = parseKnownHosts(`@revoked * ${alpha.line}\ngentoo ${alpha.line}\n# comment\nbroken line\n`);
    expect(entries).toHaveLength(2);
    expect(checkKnownHost(entries, ['gentoo'], alpha).status).toBe('revoked');
  });

  it('pins on explicit accept, refuses unknown without it, and refuses a changed key', async () => {
    const file = join(dir, 'bench', 'known_hosts');
    const hosts = new KnownHosts([file]);
    const offered = { ...alpha };
    await expect(hosts.verifier('root@gentoo', ['gentoo'], undefined)(offered)).rejects.toThrow(UnknownHostKeyError);
    await expect(hosts.verifier('root@gentoo', ['gentoo'], undefined)(offered)).rejects.toThrow(alpha.fingerprint);
    let asked: string | undefined;
    const accepted = await hosts.verifier('root@gentoo', ['gentoo'], (key) => {
      asked = key.fingerprint;
      return true;
    })(offered);
    expect([accepted, asked]).toEqual([true, alpha.fingerprint]);
    expect(readFileSync(file, 'utf8')).toBe(`gentoo ${alpha.line}\n`);
    // OpenSSH reads what we wrote.
    expect(execFileSync('ssh-keygen', ['-F', 'gentoo', '-f', file], { encoding: 'utf8' })).toContain(alpha.line);
    expect(await hosts.verifier('root@gentoo', ['gentoo'], undefined)(offered)).toBe(true);
    const changed = hosts.verifier('root@gentoo', ['gentoo'], () => true)({ ...beta });
    await expect(changed).rejects.toThrow(HostKeyMismatchError);
    await expect(hosts.verifier('root@gentoo', ['gentoo'], () => true)({ ...beta })).rejects.toThrow(`${file} line 1`);
    expect(await hosts.keyTypes(['gentoo'])).toEqual(['ssh-ed25519']);
  });
});
