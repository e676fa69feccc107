import { describe, expect, it } from 'vitest';
import { agentLaunch, agentSudoersLine, insideAsar, npcapDllDir, prependPath } from '../../shared/platform/agent.js';

// Paths as electron-builder lays out an installed app: NSIS per-machine on Windows, the deb under /opt.
const WIN_EXE = 'C:\\Program Files\\BondBench\\BondBench.exe';
const WIN_AGENT = 'C:\\Program Files\\BondBench\\resources\\app.asar\\out\\main\\agent.js';
const WIN_USER_DATA = 'C:\\Users\\ana\\AppData\\Roaming\\BondBench';
const WIN_ENV = {
  Path: 'C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem',
  SystemRoot: 'C:\\Windows',
  USERPROFILE: 'C:\\Users\\ana',
};
const LINUX_EXE = '/opt/BondBench/bondbench';
const LINUX_AGENT = '/opt/BondBench/resources/app.asar/out/main/agent.js';

describe('starting the tester agent', () => {
  it('packaged on Windows: Electron as Node, in user data, Npcap first on Path, no console window', () => {
    const launch = agentLaunch({
      platform: 'win32',
      execPath: WIN_EXE,
      agentPath: WIN_AGENT,
      electron: '41.7.1',
      cwd: WIN_USER_DATA,
      env: WIN_ENV,
    });
    expect(launch.command).toBe(WIN_EXE);
    expect(launch.args).toEqual([WIN_AGENT]);
    expect(launch.cwd).toBe(WIN_USER_DATA);
    expect(launch.windowsHide).toBe(true);
    expect(launch.env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(launch.env.Path).toBe(
      'C:\\Windows\\System32\\Npcap;C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem',
    );
    expect(launch.env.PATH).toBeUndefined();
  });

  it('never runs in the package root when that is an asar archive', () => {
    expect(insideAsar('/opt/BondBench/resources/app.asar')).toBe(true);
    expect(insideAsar('C:\\Program Files\\BondBench\\resources\\app.asar\\out')).toBe(true);
    expect(insideAsar('/opt/BondBench/resources/app.asar.unpacked')).toBe(false);
    expect(insideAsar('/home/ana/.config/BondBench')).toBe(false);
    expect(() =>
      agentLaunch({
        platform: 'linux',
        execPath: LINUX_EXE,
        agentPath: LINUX_AGENT,
        electron: '41.7.1',
        cwd: '/opt/BondBench/resources/app.asar',
        env: {},
      }),
    ).toThrow(/inside an archive/);
  });

  it('Linux CLI: plain node, environment untouched', () => {
    const launch = agentLaunch({
      platform: 'linux',
      execPath: '/usr/bin/node',
      agentPath: '/srv/bb/build/main/tester/agent.js',
      cwd: '/tmp',
      env: { PATH: '/usr/bin' },
    });
    expect([launch.command, ...launch.args]).toEqual(['/usr/bin/node', '/srv/bb/build/main/tester/agent.js']);
    expect(launch.env).toEqual({ PATH: '/usr/bin' });
  });

  it('Linux desktop: the agent alone through sudo -n, with a sudoers line for exactly that command', () => {
    const launch = agentLaunch({
      platform: 'linux',
      execPath: LINUX_EXE,
      agentPath: LINUX_AGENT,
      electron: '41.7.1',
      cwd: '/home/ana/.config/BondBench',
      env: { BONDBENCH_TESTER_LAUNCHER: 'sudo' },
    });
    expect([launch.command, ...launch.args]).toEqual([
      'sudo',
      '-n',
      '/usr/bin/env',
      'ELECTRON_RUN_AS_NODE=1',
      LINUX_EXE,
      LINUX_AGENT,
    ]);
    expect(agentSudoersLine('ana', launch)).toBe(
      `ana ALL=(root) NOPASSWD: /usr/bin/env ELECTRON_RUN_AS_NODE\\=1 ${LINUX_EXE} ${LINUX_AGENT}`,
    );
    expect(() =>
      agentLaunch({
        platform: 'win32',
        execPath: WIN_EXE,
        agentPath: WIN_AGENT,
        cwd: WIN_USER_DATA,
        env: { BONDBENCH_TESTER_LAUNCHER: 'sudo' },
      }),
    ).toThrow(/only launcher/);
    expect(() =>
      agentLaunch({
        platform: 'linux',
        execPath: LINUX_EXE,
        agentPath: LINUX_AGENT,
        cwd: '/tmp',
        env: { BONDBENCH_TESTER_LAUNCHER: 'pkexec' },
      }),
    ).toThrow(/only launcher is "sudo"/);
  });

  it('namespaces: Linux only, validated names', () => {
    expect(
      agentLaunch({
        platform: 'linux',
        execPath: '/usr/bin/node',
        agentPath: '/a.js',
        netns: 'bb-i13',
        cwd: '/tmp',
        env: {},
      }).args,
    ).toEqual(['netns', 'exec', 'bb-i13', '/usr/bin/node', '/a.js']);
    expect(() =>
      agentLaunch({
        platform: 'win32',
        execPath: WIN_EXE,
        agentPath: WIN_AGENT,
        netns: 'x',
        cwd: WIN_USER_DATA,
        env: {},
      }),
    ).toThrow(/Linux only/);
    expect(() =>
      agentLaunch({ platform: 'linux', execPath: 'n', agentPath: 'a', netns: '-x;rm', cwd: '/tmp', env: {} }),
    ).toThrow(/network namespace/);
  });

  it('Npcap folder and PATH edits follow the Windows environment', () => {
    expect(npcapDllDir({ SystemRoot: 'D:\\WINNT\\' })).toBe('D:\\WINNT\\System32\\Npcap');
    expect(npcapDllDir({})).toBe('C:\\Windows\\System32\\Npcap');
    const once = prependPath({ PATH: 'a;b' }, 'C:\\Windows\\System32\\Npcap', ';');
    expect(prependPath(once, 'c:\\windows\\system32\\npcap', ';')).toEqual(once);
  });
});

describe('the desktop app from a checkout', () => {
  it('runs the agent under the system node, whose ABI the checkout’s cap was built for', () => {
    const launch = agentLaunch({
      platform: 'linux',
      execPath: '/work/bb/node_modules/electron/dist/electron',
      agentPath: '/work/bb/out/main/agent.js',
      electron: '41.7.1',
      agentNode: 'node',
      cwd: '/home/ana/.config/BondBench',
      env: { PATH: '/usr/bin' },
    });
    expect([launch.command, ...launch.args]).toEqual(['node', '/work/bb/out/main/agent.js']);
    expect(launch.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });
});
