/**
 * The bench's rarer errors said in the reader's language (SaidError, shared/run/said-error.ts): each class's English
 * message is what it always printed (the CLI, log.txt), and its parts say it in 简体中文 with no English sentence
 * beyond quoted outside values (paths, QEMU's or the OS's own text). Most errors here are real: thrown by the code
 * under test on this machine (a run folder that is not one, a missing QMP socket, a tester agent that cannot
 * start); the rest are built as their throw site builds them. The Electron IPC bridge carries the parts too.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createLinkDriver, createPowerDriver } from '../../main/drivers/index.js';
import { type IpcMainLike, registerBenchIpc } from '../../main/electron/ipc.js';
import { buildBridge } from '../../main/electron/preload.js';
import { RunStopError } from '../../main/engine/boot.js';
import { RecordedCaptures } from '../../main/engine/captures.js';
import { HostBusyError } from '../../main/engine/host-lock.js';
import { HostPowerCycledError } from '../../main/engine/sides.js';
import { listRuns, readRegularFile, readRunFolder, resolveRun, runDirOf } from '../../main/engine/store.js';
import { BackupError, validateBackupManifest } from '../../main/host/backup.js';
import { RollbackUnavailableError } from '../../main/host/rollback.js';
import { ManagementPathUnknownError } from '../../main/host/system.js';
import { HostDidNotReturnError } from '../../main/host/wait.js';
import { LabError } from '../../main/lab/lab.js';
import { QmpClient, QmpError } from '../../main/lab/qmp.js';
import { packageRoot } from '../../main/paths.js';
import { exportReport } from '../../main/report/export.js';
import { parseApiRequest } from '../../main/server/server.js';
import { RevokedHostKeyError, UnknownHostKeyError } from '../../main/ssh/known-hosts.js';
import { HostKeyMismatchError, SshSession } from '../../main/ssh/session.js';
import { TesterAgentError, TesterClient } from '../../main/tester/client.js';
import { CommandError, commandHint, run, runOk } from '../../main/util/exec.js';
import { electronBridge } from '../../renderer/src/transport/electron.js';
import { API_METHODS, type BenchClient, checkApiArguments } from '../../shared/api.js';
import { DriverConfigError, parsePowerDriverConfig } from '../../shared/drivers/config.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { PlanEditError, writeField } from '../../shared/plan/yaml-edit.js';
import { agentLaunch } from '../../shared/platform/agent.js';
import { sweepPointRun } from '../../shared/run/compare.js';
import { errorPart } from '../../shared/run/failure.js';
import { parseRunManifest, parseStepRecord, RunFileError } from '../../shared/run/schema.js';
import { ipcAnswer } from '../../shared/shell.js';
import { englishSentences } from '../support/english.js';

// The preload calls contextBridge when loaded; Electron cannot run here.
vi.mock('electron', () => ({ contextBridge: { exposeInMainWorld: () => undefined }, ipcRenderer: {} }));

/** The error's Chinese, checked to have no English sentence and to differ from its English. */
function chinese(error: unknown): string {
  const zh = sayReason('zh-CN', [errorPart(error)]);
  expect(englishSentences(zh), zh).toEqual([]);
  expect(zh).toMatch(/[\u4e00-\u9fff]/);
  return zh;
}

/** The English from the parts is the message itself (what the CLI and log.txt print). */
function englishIsMessage(error: Error): void {
  expect(sayReason('en', [errorPart(error)])).toBe(error.message);
}

async function thrown(work: () => unknown): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not throw');
}

describe('run folders (main/engine/store.ts, shared/run/schema.ts)', () => {
  it('a bad run id, a run that is not there, a folder without run.json, a symlink, a broken run.json', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bondbench-store-i18n-'));
    const badId = await thrown(() => runDirOf('../etc', root));
    expect(badId.message).toBe(
      '"../etc" is not a run id: an id is a run folder\'s name (letters, digits, ".", "_", "-")',
    );
    expect(chinese(badId)).toBe('"../etc" 不是运行编号：编号是运行文件夹的名字（字母、数字及 "."、"_"、"-"）');
    const none = await thrown(() => runDirOf('r1', root));
    expect(none.message).toBe(`no run "r1" in ${root}: pick one from "bondbench runs"`);
    expect(chinese(none)).toBe(`${root} 中没有运行 "r1"：请从 "bondbench runs" 的列表中选一个`);
    const notGiven = await thrown(() => resolveRun('nowhere/at all', root));
    expect(notGiven.message).toBe('no run "nowhere/at all": give a run folder or an id from "bondbench runs"');
    chinese(notGiven);

    const empty = join(root, 'empty');
    await mkdir(empty);
    const noManifest = await thrown(() => readRunFolder(empty));
    expect(noManifest.message).toBe(`${empty} is not a BondBench run folder (no run.json)`);
    expect(chinese(noManifest)).toBe(`${empty} 不是 BondBench 的运行文件夹（没有 run.json）`);
    await symlink('/etc/hostname', join(empty, 'link'));
    const link = await thrown(() => readRegularFile(join(empty, 'link')));
    expect(link.message).toBe(`${join(empty, 'link')} is a symbolic link: a run folder holds regular files only`);
    chinese(link);

    // A run.json that is not JSON, listed as unreadable with its reason in parts (relative to the folder).
    const broken = join(root, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'run.json'), '{ nope');
    const [listed] = await listRuns(root);
    expect(listed).toMatchObject({ id: 'broken', status: 'unreadable' });
    expect(listed!.unreadable).toMatch(/^run\.json: not JSON \(/);
    expect(sayReason('en', listed!.unreadableParts!)).toBe(listed!.unreadable);
    const zh = sayReason('zh-CN', listed!.unreadableParts!);
    expect(zh).toMatch(/^run\.json：不是 JSON（解析器：“.+”）$/);
    expect(englishSentences(zh)).toEqual([]);
  });

  it('RunFileError: a line that is not JSON, a field missing, one unexpected, the wrong value', () => {
    const cut = thrown(() => parseStepRecord('{"mode":', 'steps.jsonl', 4));
    return cut.then((error) => {
      expect(error).toBeInstanceOf(RunFileError);
      expect(error.message).toMatch(/^steps\.jsonl:4: not JSON \(/);
      expect(chinese(error)).toMatch(/^steps\.jsonl 第 4 行：不是 JSON（解析器：“/);
      for (const text of ['{"format": 1}', '[]', '{"format": 99, "x": 1}']) {
        const bad = (() => {
          try {
            parseRunManifest(text, 'run.json');
          } catch (e) {
            return e as RunFileError;
          }
          throw new Error('accepted');
        })();
        englishIsMessage(bad);
        expect(bad.message.startsWith(`run.json${bad.line ? `:${bad.line}` : ''}: ${bad.detail}`)).toBe(true);
        chinese(bad);
      }
    });
  });
});

describe('the host (main/host): backups, rollback, the management path, a host that did not return, its lock', () => {
  it('BackupError: a manifest that is not ours, field by field; a path refused', () => {
    const notObject = (() => {
      try {
        validateBackupManifest([], 'gentoo:/var/lib/bondbench/backup/x/manifest.json');
      } catch (e) {
        return e as BackupError;
      }
      throw new Error('accepted');
    })();
    expect(notObject).toBeInstanceOf(BackupError);
    expect(notObject.message).toBe(
      'gentoo:/var/lib/bondbench/backup/x/manifest.json: the manifest is not an object: this is not a backup BondBench wrote; refusing it',
    );
    expect(chinese(notObject)).toBe(
      'gentoo:/var/lib/bondbench/backup/x/manifest.json：清单 不是对象：这不是 BondBench 写的备份，拒绝使用',
    );
    const badId = (() => {
      try {
        validateBackupManifest({ id: 'x; reboot' }, 'm.json');
      } catch (e) {
        return e as BackupError;
      }
      throw new Error('accepted');
    })();
    expect(badId.message).toBe('m.json: id is "x; reboot": this is not a backup BondBench wrote; refusing it');
    expect(chinese(badId)).toBe('m.json：id 的值为 "x; reboot"：这不是 BondBench 写的备份，拒绝使用');
    for (const error of [
      new BackupError('refusedPath', { path: '"/etc/../root"' }),
      new BackupError('nothingToRestoreRun', { label: 'gentoo', root: '/var/lib/bondbench', runDir: '/runs/r1' }),
      new BackupError('copyChecksum', { label: 'gentoo', path: '/etc/conf.d/net' }),
      new BackupError('notJson', { source: 'gentoo:/x/manifest.json', error: 'Unexpected token } in JSON' }),
    ]) {
      englishIsMessage(error);
      chinese(error);
    }
    expect(new BackupError('nothingToRestoreRun', { label: 'g', root: '/r', runDir: '/d' }).message).toBe(
      'g: nothing to restore: no baseline backup in /r on the host nor in /d',
    );
  });

  it('RollbackUnavailableError, ManagementPathUnknownError, HostDidNotReturnError, HostBusyError', () => {
    const rollback = new RollbackUnavailableError('gentoo');
    expect(rollback.message).toMatch(/^gentoo has no way for BondBench to arm a rollback: .* \(--no-rollback\) if/);
    expect(chinese(rollback)).toMatch(/^gentoo 上 BondBench 无法设置自动回滚/);
    const path = new ManagementPathUnknownError('gentoo', 'noRoute', { client: '192.168.0.1' });
    expect(path.message).toBe(
      'gentoo: cannot tell which interface carries this SSH session (no route to 192.168.0.1), so BondBench will not change networking on it',
    );
    expect(chinese(path)).toBe(
      'gentoo：无法确定本次 SSH 会话经由哪个接口（没有到 192.168.0.1 的路由），因此 BondBench 不会改动它的网络配置',
    );
    chinese(new ManagementPathUnknownError('gentoo', 'noSshConnection'));
    chinese(new ManagementPathUnknownError('gentoo', 'routeNotJson', { client: '192.168.0.1' }));

    const refused = Object.assign(new Error('connect ECONNREFUSED 192.168.0.253:22'), { code: 'ECONNREFUSED' });
    const silent = new HostDidNotReturnError('gentoo', 90_400, errorPart(refused));
    expect(silent.message).toBe(
      'gentoo did not answer SSH within 90 s (last attempt: connect ECONNREFUSED 192.168.0.253:22)',
    );
    expect(chinese(silent)).toBe(
      'gentoo 在 90 秒内没有应答 SSH（最后一次尝试：连接被拒绝：对方端口上没有服务在监听（原文：“connect ECONNREFUSED 192.168.0.253:22”））',
    );
    expect(new HostDidNotReturnError('gentoo', 2_000, { key: 'error.hostDidNotReturn.sameBoot' }).message).toBe(
      'gentoo did not answer SSH within 2 s (last attempt: still the same boot)',
    );
    chinese(new HostDidNotReturnError('gentoo', 2_000, undefined));

    const busy = new HostBusyError('root@gentoo', {
      pid: 4242,
      machine: 'bench-1',
      runId: '2026-11-30T030000',
      target: 'root@gentoo',
      since: '2026-11-30T03:00:00Z',
    });
    expect(busy.message).toBe(
      'root@gentoo is in use by run 2026-11-30T030000 (process 4242 on bench-1, since 2026-11-30T03:00:00Z): one run per host at a time — wait for it or cancel it',
    );
    chinese(busy);
  });
});

describe('the lab (main/lab): LabError and QMP', () => {
  it('says each LabError in both languages, its console and commands as values', () => {
    const cases: [LabError, string][] = [
      [
        new LabError('error.lab.held', {
          instance: 'i17b',
          pid: '77',
          holder: 'bondbench lab up',
          command: 'bondbench lab down --instance i17b',
        }),
        'lab "i17b" is held by process 77 (bondbench lab up): wait for it to finish, or stop it and run "bondbench lab down --instance i17b"',
      ],
      [
        new LabError('error.lab.upWithPartner', { instance: 'x', command: 'bondbench lab down --instance x' }),
        'lab "x" is set up with the LACP partner; to bring it up without it, first run "bondbench lab down --instance x"',
      ],
      [
        new LabError('error.lab.guestSlow', {
          last: { key: 'error.lab.noAnswer' },
          console: '[  OK  ] Reached target Network.\nlogin:',
        }),
        'the lab guest did not answer SSH in time (no answer). Console:\n[  OK  ] Reached target Network.\nlogin:',
      ],
      [
        new LabError('error.lab.recabled', {
          slave: 'eth1',
          to: { key: 'error.lab.cabling.partner' },
          now: { key: 'error.lab.cabling.bridge' },
        }),
        're-cabling eth1 to the partner left it on bridge',
      ],
      [
        new LabError('error.lab.notSetUp', { instance: 'i17b' }),
        'lab "i17b" is not set up: start it with "bondbench lab up"',
      ],
      [
        new LabError('failure.labDown', { instance: 'i17b' }),
        'lab "i17b" is not running: start it with "bondbench lab up"',
      ],
    ];
    for (const [error, english] of cases) {
      expect(error.message).toBe(english);
      expect(error.name).toBe('LabError');
      chinese(error);
    }
    expect(chinese(cases[3]![0])).toBe('把 eth1 改接到LACP 对端后，它仍在网桥上');
    chinese(new LabError('error.lab.needsRoot'));
    chinese(
      new LabError('error.lab.partnerSlow', { console: 'bond0: Warning: No 802.3ad response from the link partner' }),
    );
  });

  it('QMP: a socket nobody listens on (the OS’s error kept as the cause), and QEMU refusing a command', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'bondbench-qmp-')), 'qmp.sock');
    const unreachable = await thrown(() => QmpClient.open(path, 2000));
    expect(unreachable.message).toMatch(/^cannot reach QEMU's QMP socket .*qmp\.sock: connect ENOENT /);
    expect(chinese(unreachable)).toMatch(
      /^无法连接 QEMU 的 QMP 套接字 .*qmp\.sock：文件或程序不存在（原文：“connect ENOENT/,
    );
    const refused = new QmpError('set_link', 'DeviceNotFound', "Device 'nic9' not found");
    expect(refused.message).toBe("QMP set_link failed: DeviceNotFound: Device 'nic9' not found");
    expect(chinese(refused)).toBe("QEMU 拒绝了 QMP 命令 set_link（DeviceNotFound：“Device 'nic9' not found”）");
  });
});

describe('the tester agent (main/tester/client.ts, shared/platform/agent.ts)', () => {
  it('an agent that cannot start, exits, refuses a request or is launched wrongly', async () => {
    const launch = { command: '/nonexistent/node', args: [], cwd: tmpdir(), env: {}, windowsHide: true };
    const cannot = await thrown(() => TesterClient.start({ launch, startTimeoutMs: 5000 }));
    expect(cannot).toBeInstanceOf(TesterAgentError);
    expect(cannot.message).toBe('cannot start the tester agent (/nonexistent/node): spawn /nonexistent/node ENOENT');
    expect(chinese(cannot)).toBe(
      '无法启动测试端代理（/nonexistent/node）：文件或程序不存在（原文：“spawn /nonexistent/node ENOENT”）',
    );
    const exited = new TesterAgentError('exitedSaid', {
      how: { key: 'error.tester.code', vars: { code: '1' } },
      stderr: 'Error: socket: Operation not permitted',
    });
    expect(exited.message).toBe('the tester agent exited (code 1): Error: socket: Operation not permitted');
    chinese(exited);
    // A request the agent answered with an error and its parts (an OS error on the capture device).
    const request = new TesterAgentError('request', {
      request: 'capture.start',
      cause: errorPart(Object.assign(new Error('eth9: No such device exists'), { code: 'ENODEV' })),
    });
    expect(request.message).toBe('capture.start: eth9: No such device exists');
    expect(chinese(request)).toBe(
      '测试端代理无法完成 capture.start：没有这个设备（原文：“eth9: No such device exists”）',
    );
    const launcher = await thrown(() =>
      agentLaunch({
        platform: 'linux',
        execPath: '/usr/bin/node',
        agentPath: '/opt/bondbench/agent.js',
        cwd: tmpdir(),
        env: { BONDBENCH_TESTER_LAUNCHER: 'doas' },
      } as Parameters<typeof agentLaunch>[0]),
    );
    expect(launcher.message).toBe(
      'BONDBENCH_TESTER_LAUNCHER=doas: the only launcher is "sudo" (Linux and macOS; see the README\'s capture permissions)',
    );
    chinese(launcher);
    // A spec the agent refused (a bench fault) keeps its text, quoted, under a Chinese sentence.
    chinese(
      Object.assign(new Error('capture c1: snapLength must be an integer from 64 to 262144'), {
        name: 'TesterSpecError',
      }),
    );
  });
});

describe('drivers: settings that are not valid, a type nobody registered', () => {
  it('DriverConfigError lists every field; the unknown type names the known ones', async () => {
    const invalid = await thrown(() =>
      parsePowerDriverConfig({ type: 'pdudaemon', url: 'ftp://x?y', hostname: 'pdu 1', port: 0, colour: 'red' }),
    );
    expect(invalid).toBeInstanceOf(DriverConfigError);
    const issues = (invalid as DriverConfigError).issues;
    expect(invalid.message).toBe(
      `the power driver is not valid:\n${issues.map((i) => `  power${i.path ? `.${i.path}` : ''}: ${i.message}`).join('\n')}`,
    );
    const zh = chinese(invalid);
    expect(zh.startsWith('电源驱动的设置无效：\n  power')).toBe(true);
    expect(zh.split('\n')).toHaveLength(issues.length + 1);
    const unknown = await thrown(() => createLinkDriver({ type: 'telepathy' }, { log: () => undefined }));
    expect(unknown.message).toMatch(/^link driver type "telepathy" is unknown: use one of .*\bcommand\b/);
    expect(chinese(unknown)).toMatch(/^未知的链路驱动类型 "telepathy"：可用的类型为「.*\bcommand\b.*」$/);
    await thrown(() => createPowerDriver({ type: 'command' }, { log: () => undefined })).then(chinese);
  });
});

describe('the API: requests the server cannot call, and the Electron bridge', () => {
  it('parseApiRequest and checkApiArguments say what is wrong in parts', () => {
    for (const [text, english] of [
      ['nope', 'the request is not JSON'],
      ['[]', 'the request must be an object'],
      ['{"method":"runs"}', 'the request needs an id (number or string)'],
      ['{"id":1,"method":"checkHost","params":"x"}', 'params must be an array of arguments'],
      ['{"id":1,"method":"checkHost","params":[]}', 'checkHost takes (string)'],
    ] as const) {
      const error = (() => {
        try {
          parseApiRequest(text);
        } catch (e) {
          return e as Error;
        }
        throw new Error('accepted');
      })();
      expect(error.message).toBe(english);
      chinese(error);
    }
    const none = (() => {
      try {
        checkApiArguments('listRuns', ['x']);
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(none.message).toBe('listRuns takes no arguments');
    // Written in English beside its parts (the preload bundles shared/api.ts without the catalogue): the same words.
    englishIsMessage(none);
    chinese(none);
  });

  it('an API failure crosses IPC as a value and reaches the page as an Error with its parts', async () => {
    const handlers = new Map<string, (event: never, ...args: unknown[]) => unknown>();
    const ipc: IpcMainLike = { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) };
    const bench = {
      ...Object.fromEntries(API_METHODS.map((m) => [m, async () => m])),
      getRun: async (id: string) => runDirOf(id, tmpdir()),
      onEvent: () => () => undefined,
    } as unknown as BenchClient;
    registerBenchIpc(
      ipc,
      bench,
      () => undefined,
      () => [],
    );
    // Electron's invoke: the main side's answer, structured-cloned (only plain data survives).
    const invoke = async (channel: string, ...args: unknown[]) =>
      structuredClone(await handlers.get(channel)!({ senderFrame: { url: 'bondbench://app/' } } as never, ...args));
    const wire = buildBridge({ invoke, on: () => undefined, removeListener: () => undefined } as never);
    const page = electronBridge(wire);
    expect(await page.defaultPlan('zh-CN')).toBe('defaultPlan');
    const failed = (await page.getRun('no-such-run').catch((e: unknown) => e)) as Error & { parts: unknown };
    expect(failed).toBeInstanceOf(Error);
    expect(failed.message).toMatch(/^no run "no-such-run" in .*: pick one from "bondbench runs"$/);
    expect(chinese(failed)).toMatch(/中没有运行 "no-such-run"：请从 "bondbench runs" 的列表中选一个$/);
    // Arguments the method does not take: refused in parts too.
    const wrong = (await (page.getRun as (...a: unknown[]) => Promise<unknown>)(42).catch((e: unknown) => e)) as Error;
    expect(wrong.message).toBe('getRun takes (string)');
    chinese(wrong);
    // A plain value passes as it is.
    expect(ipcAnswer({ ok: 1 })).toEqual({ ok: 1 });
    // The sandboxed preload may require only Electron: what it bundles (its value imports, followed) never reaches
    // the catalogue or i18next — the failure travels as data and is said in the page.
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms)) {
        const spec = m[1]!;
        if (!spec.startsWith('.')) {
          expect(spec, `${file} imports ${spec}`).toBe('electron');
          continue;
        }
        walk(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    walk(join(packageRoot, 'main/electron/preload.ts'));
    expect([...seen].filter((f) => /i18n|oracle/.test(f))).toEqual([]);
  });
});

describe('the engine: a run that stops, a mode the watchdog ended, a preflight, a capture that cannot be read', () => {
  it('RunStopError and HostPowerCycledError: English as the run records it, Chinese from parts', () => {
    const stop = new RunStopError({
      key: 'error.runStop.gone',
      vars: {
        label: 'lab guest (root@10.0.2.2:2222)',
        what: { key: 'error.runStop.notBack', vars: { via: { key: 'error.runStop.via.reboot' } } },
        silent: { key: 'error.runStop.silentWithin', vars: { seconds: 30, since: { key: 'log.boot.since.reboot' } } },
        cycles: { key: 'error.runStop.cycles', vars: { count: 2, driver: 'pdudaemon lab-pdu port 4' } },
        check: { key: 'error.runStop.checkConsole', vars: { command: 'bondbench host restore lab:i17b' } },
      },
    });
    expect(stop.message).toBe(
      'lab guest (root@10.0.2.2:2222) did not come back after the reboot: no SSH within 30 s after the reboot, and 2 power-cycles through pdudaemon lab-pdu port 4 did not bring it back. Check its console; once it answers SSH, run "bondbench host restore lab:i17b"',
    );
    expect(stop.stopsRun).toBe(true);
    expect(chinese(stop)).toBe(
      'lab guest (root@10.0.2.2:2222) 在重启后没有恢复：重启后 30 秒内没有 SSH 应答，通过 pdudaemon lab-pdu port 4 断电重启 2 次也没能让它恢复。请检查它的控制台；它应答 SSH 后，运行 "bondbench host restore lab:i17b"',
    );
    const cycled = new HostPowerCycledError('gentoo', { via: 'power-cycle', driver: 'pdu 3', bootMs: 9000 } as never);
    expect(cycled.message).toBe(
      'gentoo stopped answering SSH; the watchdog power-cycled it through pdu 3 and it came back 9000 ms after power-on: what the mode had set up at runtime is gone, its remaining steps are skipped',
    );
    chinese(cycled);
    // A run stopped in English words only (the engine's other stops) is said with its text quoted.
    expect(sayReason('zh-CN', [errorPart(new RunStopError('skipped: balance-rr'))])).toBe('“skipped: balance-rr”');
  });

  it('a recorded capture asked wrongly, a plan the form cannot edit, errors named by their class', async () => {
    const notPull = (await thrown(() =>
      new RecordedCaptures().pullTraffic('/nowhere', {} as never, undefined, [], 7),
    )) as Error;
    expect(notPull.message).toBe("step 7 is not a measured pull of this run: give a pull step's index");
    expect(chinese(notPull)).toBe('第 7 步不是本次运行中测得的拔线步骤：请给出拔线步骤的序号');
    const edit = await thrown(() => writeField('host: [\n', ['repeat'], 2));
    expect(edit).toBeInstanceOf(PlanEditError);
    expect(edit.message).toBe('the plan has YAML errors: fix them in the editor first');
    chinese(edit);
    for (const name of ['CaptureFileError', 'ParseError', 'ConfEditError', 'CommandSpawnError', 'CapNotPatchedError']) {
      chinese(Object.assign(new Error('the text the error was thrown with, in English'), { name }));
    }
  });
});

describe('SSH host keys and sessions (main/ssh)', () => {
  it('a connection refused: what failed (SSH to the host) and why (the OS), the OS’s text quoted', async () => {
    const refused = await thrown(() =>
      SshSession.connect({
        label: 'root@127.0.0.1:1',
        host: '127.0.0.1',
        port: 1,
        username: 'root',
        password: 'x',
        hostKey: { kind: 'verify', verify: () => false },
      }),
    );
    expect(refused.message).toBe('SSH to root@127.0.0.1:1 failed: connect ECONNREFUSED 127.0.0.1:1');
    const zh = chinese(refused);
    expect(zh).toBe(
      '通过 SSH 连接 root@127.0.0.1:1 失败：连接被拒绝：对方端口上没有服务在监听（原文：“connect ECONNREFUSED 127.0.0.1:1”）',
    );
    expect(englishSentences(zh)).toEqual([]);
  }, 30_000);

  it('a changed, an unknown and a revoked key: English as ssh users know it, Chinese with the fingerprints as values', () => {
    const changed = new HostKeyMismatchError(
      'root@gentoo',
      'SHA256:aaa',
      'SHA256:bbb',
      '/root/.ssh/known_hosts line 3',
    );
    expect(changed.message).toBe(
      'the host key of root@gentoo has changed: expected SHA256:aaa (/root/.ssh/known_hosts line 3), got SHA256:bbb. If the host was reinstalled on purpose, remove its old key from the known-hosts file (/root/.ssh/known_hosts line 3) and accept the new one; otherwise someone may be intercepting the connection.',
    );
    expect(chinese(changed)).toMatch(/^root@gentoo 的主机密钥变了：应为 SHA256:aaa/);
    const key = { type: 'ssh-ed25519', fingerprint: 'SHA256:ccc' } as never;
    const unknown = new UnknownHostKeyError('root@gentoo', 'gentoo', key, '/root/.config/bondbench/known_hosts');
    expect(unknown.message).toMatch(/^the authenticity of root@gentoo cannot be established: it is not in \/root/);
    chinese(unknown);
    const entry = { file: '/etc/ssh/ssh_known_hosts', line: 9 } as never;
    expect(new RevokedHostKeyError('root@gentoo', entry, 'SHA256:ddd').message).toBe(
      'the host key of root@gentoo (SHA256:ddd) is marked @revoked in /etc/ssh/ssh_known_hosts line 9: refused',
    );
    chinese(new RevokedHostKeyError('root@gentoo', entry, 'SHA256:ddd'));
  });
});

describe('programs on this machine (main/util/exec.ts)', () => {
  it('a program that fails, with its hint; one that is not installed', async () => {
    const failed = await thrown(() =>
      runOk('sh', ['-c', 'echo "RTNETLINK answers: Operation not permitted" >&2; exit 2'], { hint: commandHint('tc') }),
    );
    expect(failed).toBeInstanceOf(CommandError);
    expect(failed.message).toBe(
      'sh -c echo "RTNETLINK answers: Operation not permitted" >&2; exit 2 failed (exit code 2): RTNETLINK answers: Operation not permitted\nthe LACP lab joins taps with tc (ingress qdisc, u32 filter, mirred action): the kernel needs act_mirred and cls_u32',
    );
    expect(chinese(failed)).toMatch(
      /^命令“sh -c .*”失败（退出码 2），输出：“RTNETLINK answers: Operation not permitted”\nLACP 实验室用 tc/,
    );
    const missing = await thrown(() => run('bondbench-no-such-program', []));
    expect(missing.message).toBe(
      'bondbench-no-such-program is not installed: run "bash scripts/setup.sh" (as root) to install what BondBench needs',
    );
    chinese(missing);
  });
});

describe('reports and comparisons asked for what a run does not have', () => {
  it('a sweep point of a run that is not a sweep, a report format there is not', async () => {
    const run = await readRunFolder(join(packageRoot, 'test/fixtures/runs/lab-miimon100'));
    const notSweep = await thrown(() => sweepPointRun(run, 'miimon=50'));
    expect(notSweep.message).toBe("lab-miimon100 is not a sweep's run: it has no points to choose from");
    expect(chinese(notSweep)).toBe('lab-miimon100 不是扫描型运行：没有可选的扫描点');
    const format = await thrown(() => exportReport(run.dir, 'docx' as never, 'en'));
    expect(format.message).toBe('unknown report format "docx": use one of html, pdf, csv, json, md, zip');
    chinese(format);
  });
});
