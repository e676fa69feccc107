/**
 * Windows and Linux decisions as pure functions of their inputs (platform, environment, paths) — the shapes
 * Windows gives (%ComSpec%, %LOCALAPPDATA%, the OpenSSH agent pipe) recorded from its documentation.
 */
import { describe, expect, it } from 'vitest';
import { rewritesResponseCsp, startShell } from '../../main/electron/startup.js';
import { commandSpawn, isBatchFile, killPlan } from '../../shared/platform/command.js';
import { chromiumCandidates, runsDirFor } from '../../shared/platform/paths.js';
import { chooseAgent, expandHome, proxyCommandSpawn, WINDOWS_OPENSSH_AGENT_PIPE } from '../../shared/platform/ssh.js';

const WIN_ENV = {
  ComSpec: 'C:\\Windows\\system32\\cmd.exe',
  LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local',
  ProgramFiles: 'C:\\Program Files',
  'ProgramFiles(x86)': 'C:\\Program Files (x86)',
  USERPROFILE: 'C:\\Users\\ana',
};

describe('SSH on Windows and Linux', () => {
  it('runs ProxyCommand with sh -c exec on POSIX and cmd.exe /d /s /c on Windows', () => {
    expect(proxyCommandSpawn('linux', 'nc %h %p', {})).toEqual({
      file: '/bin/sh',
      args: ['-c', 'exec nc %h %p'],
      windowsVerbatimArguments: false,
      windowsHide: true,
    });
    expect(proxyCommandSpawn('win32', 'ssh.exe -W 10.0.0.5:22 jump', WIN_ENV)).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"ssh.exe -W 10.0.0.5:22 jump"'],
      windowsVerbatimArguments: true,
      windowsHide: true,
    });
  });

  it('finds the Windows OpenSSH agent pipe, else Pageant; SSH_AUTH_SOCK and IdentityAgent first', () => {
    const pipe = (path: string) => path === WINDOWS_OPENSSH_AGENT_PIPE;
    const none = () => false;
    expect(chooseAgent('win32', {}, undefined, pipe)).toEqual({
      agent: '\\\\.\\pipe\\openssh-ssh-agent',
      kind: 'pipe',
      source: 'Windows OpenSSH agent',
    });
    expect(chooseAgent('win32', {}, undefined, none)).toEqual({ agent: 'pageant', kind: 'pageant', source: 'Pageant' });
    expect(chooseAgent('win32', {}, 'Pageant', pipe)?.agent).toBe('pageant');
    expect(chooseAgent('win32', {}, 'none', pipe)).toBeUndefined();
    expect(chooseAgent('win32', { SSH_AUTH_SOCK: '\\\\.\\pipe\\my-agent' }, undefined, pipe)).toEqual({
      agent: '\\\\.\\pipe\\my-agent',
      kind: 'pipe',
      source: 'SSH_AUTH_SOCK',
    });
    expect(chooseAgent('linux', { SSH_AUTH_SOCK: '/run/user/1000/ssh-agent.sock' }, undefined, none)?.kind).toBe(
      'socket',
    );
    expect(chooseAgent('linux', {}, undefined, pipe)).toBeUndefined();
  });

  it('expands ~\\ on Windows only, ~/ everywhere', () => {
    expect(expandHome('~\\.ssh\\id_ed25519', 'C:\\Users\\ana', 'win32')).toBe('C:\\Users\\ana\\.ssh\\id_ed25519');
    expect(expandHome('~/.ssh/config', 'C:\\Users\\ana', 'win32')).toBe('C:\\Users\\ana/.ssh/config');
    expect(expandHome('~\\x', '/home/ana', 'linux')).toBe('~\\x');
    expect(expandHome('~/x', '/home/ana', 'linux')).toBe('/home/ana/x');
    expect(expandHome('~ana/x', '/home/ana', 'linux')).toBe('~ana/x');
  });
});

describe('the command driver on Windows and Linux', () => {
  it('Linux: argv as is, its own process group, killed as a group', () => {
    expect(commandSpawn('linux', ['/usr/local/bin/pdu', 'off', '3'], {})).toEqual({
      file: '/usr/local/bin/pdu',
      args: ['off', '3'],
      detached: true,
      windowsHide: true,
      windowsVerbatimArguments: false,
    });
    expect(killPlan('linux', 4242)).toEqual({ kind: 'group', pid: -4242, signal: 'SIGKILL' });
  });

  it('Windows: batch files through cmd.exe with quoted words, no console window, taskkill for the tree', () => {
    expect(isBatchFile('C:\\lab\\pull.CMD')).toBe(true);
    expect(commandSpawn('win32', ['C:\\lab tools\\pull.cmd', 'eth1', 'port 7'], WIN_ENV)).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '""C:\\lab tools\\pull.cmd" "eth1" "port 7""'],
      detached: false,
      windowsHide: true,
      windowsVerbatimArguments: true,
    });
    expect(commandSpawn('win32', ['C:\\lab\\relay.exe', 'off'], WIN_ENV)).toMatchObject({
      file: 'C:\\lab\\relay.exe',
      detached: false,
      windowsHide: true,
    });
    expect(() => commandSpawn('win32', ['pull.bat', '%PATH%'], WIN_ENV)).toThrow(/may not hold %/);
    expect(() => commandSpawn('win32', ['pull.bat', 'a"&calc'], WIN_ENV)).toThrow(/may not hold/);
    expect(killPlan('win32', 4242)).toEqual({ kind: 'program', file: 'taskkill', args: ['/pid', '4242', '/t', '/f'] });
  });
});

describe('places', () => {
  it('keeps runs in %LOCALAPPDATA% on Windows and XDG data on Linux', () => {
    expect(runsDirFor('win32', WIN_ENV, 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Local\\bondbench\\runs');
    expect(runsDirFor('win32', {}, 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Local\\bondbench\\runs');
    expect(runsDirFor('linux', {}, '/home/ana')).toBe('/home/ana/.local/share/bondbench/runs');
    expect(runsDirFor('linux', { XDG_DATA_HOME: '/data/' }, '/home/ana')).toBe('/data/bondbench/runs');
    expect(runsDirFor('win32', { ...WIN_ENV, BONDBENCH_RUNS: 'D:\\runs' }, 'C:\\Users\\ana')).toBe('D:\\runs');
  });

  it('looks for Chrome, Chromium and Edge where Windows installs them', () => {
    const windows = chromiumCandidates('win32', WIN_ENV);
    expect(windows).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    expect(windows).toContain('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe');
    expect(windows).toContain('C:\\Users\\ana\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe');
    expect(chromiumCandidates('linux', {})[0]).toBe('/usr/bin/chromium');
    expect(chromiumCandidates('win32', { BONDBENCH_CHROMIUM: 'D:\\c.exe' })).toEqual(['D:\\c.exe']);
  });
});

describe('desktop shell start-up', () => {
  it('shows an error box when start() fails, not only when whenReady does', async () => {
    const shown: string[] = [];
    await startShell(
      Promise.resolve(),
      async () => {
        throw new Error('cannot register the bondbench scheme');
      },
      (title, message) => shown.push(`${title}: ${message.split('\n')[0]}`),
    );
    expect(shown).toEqual(['BondBench cannot start: Error: cannot register the bondbench scheme']);
    await startShell(
      Promise.reject(new Error('no display')),
      async () => undefined,
      (_title, m) => shown.push(m),
    );
    expect(shown[1]).toMatch(/no display/);
  });

  it('keeps the dev server’s own headers (Vite’s inline preamble), rewrites CSP when packaged', () => {
    expect(rewritesResponseCsp('http://localhost:5173')).toBe(false);
    expect(rewritesResponseCsp(undefined)).toBe(true);
  });
});
