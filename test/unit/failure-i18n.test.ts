/**
 * Errors from outside the bench said in the reader's language (shared/run/failure.ts): real errors from this
 * machine's OS (a refused loopback connection, a missing file) and ssh2's failure shapes keep their text in English
 * and become a Chinese sentence for the cause, the text quoted after it; the host check's failed line
 * (Bench.checkHost) and "Check everything" say what failed in Chinese.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Bench } from '../../main/engine/bench.js';
import { ApplyError, ManagementPathError, PlanRefusedError } from '../../main/host/backend.js';
import { PrivilegeError, RemoteCommandError } from '../../main/host/remote.js';
import { SshAuthError } from '../../main/ssh/connect.js';
import { CATALOGUE, t } from '../../shared/i18n/catalogue.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { parsePlan } from '../../shared/plan/plan-file.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { englishSentences } from '../support/english.js';
import { MINIMAL_PLAN } from '../support/plans.js';

/** The error a TCP connect to loopback port 1 (nothing listens there) fails with, as libuv reports it. */
function refused(): Promise<Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 1 });
    socket.on('error', (error) => resolve(error));
    socket.on('connect', () => {
      socket.destroy();
      resolve(new Error('port 1 answered'));
    });
  });
}

describe('an error from the OS or SSH as a message part', () => {
  it('a refused connection, also when wrapped (SSH to … failed: …, with its cause)', async () => {
    const os = await refused();
    expect((os as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    const wrapped = new Error(`SSH to root@127.0.0.1:1 failed: ${os.message}`, { cause: os });
    const part = errorPart(wrapped);
    expect(part.key).toBe('failure.cause.ECONNREFUSED');
    expect(sayReason('en', [part])).toBe(wrapped.message);
    const zh = sayReason('zh-CN', [part]);
    expect(zh).toBe(`连接被拒绝：对方端口上没有服务在监听（原文：“${wrapped.message}”）`);
    expect(englishSentences(zh)).toEqual([]);
  });

  it('a missing file, a handshake timeout, a refused login, an unknown error', async () => {
    const missing = await readFile(join(tmpdir(), 'bondbench-no-such-file')).catch((e: Error) => e);
    expect(errorPart(missing).key).toBe('failure.cause.ENOENT');
    // ssh2's shapes: its `level` on the error, or only its words.
    const timeout = Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' });
    expect(errorPart(timeout).key).toBe('failure.cause.sshHandshakeTimeout');
    expect(errorPart(new Error('All configured authentication methods failed')).key).toBe('failure.cause.sshAuth');
    const auth = Object.assign(new Error('root@x refused every login method offered'), { name: 'SshAuthError' });
    expect(sayReason('zh-CN', [errorPart(auth)])).toMatch(/^SSH 无法登录/);
    // Ours says why in its own parts.
    const refusedLogin = new SshAuthError('refused', { label: 'root@x' });
    expect(refusedLogin.message).toBe(
      'root@x refused every login method offered (agent, keys, password): check the user name, authorized_keys on the host, or choose password login with --password-stdin',
    );
    expect(sayReason('zh-CN', [errorPart(refusedLogin)])).toMatch(/^root@x 拒绝了所有登录方式/);
    const other = errorPart(new Error('something we never saw'));
    expect(other.key).toBe('failure.cause.other');
    expect(sayReason('zh-CN', [other])).toBe('“something we never saw”');
    expect(errorPart('a string').vars).toEqual({ message: 'a string' });
  });

  it('an error that says itself in parts keeps them (a lab that is not running)', () => {
    const parts = [{ key: 'failure.labDown', vars: { instance: 'i17x' } }];
    const lab = Object.assign(new Error(sayReason('en', parts)), { name: 'LabError', parts });
    expect(errorPart(lab)).toEqual(parts[0]);
    expect(lab.message).toBe('lab "i17x" is not running: start it with "bondbench lab up"');
    expect(sayReason('zh-CN', [errorPart(lab)])).toBe('虚拟实验室 "i17x" 没有在运行：请用 "bondbench lab up" 启动它');
    expect(sayReason('en', [joinParts([...parts, ...parts])])).toBe(`${lab.message}; ${lab.message}`);
  });

  it('every cause has its sentence in both languages; in Chinese no English but the quoted original', () => {
    const causes = Object.keys(CATALOGUE.en.failure.cause);
    expect(causes).toEqual(expect.arrayContaining(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'sshAuth', 'other']));
    for (const cause of causes) {
      const message = 'connect ECONNREFUSED 10.0.0.1:22 and the rest of the English text';
      expect(t('en', `failure.cause.${cause}`, { message })).toBe(message);
      expect(englishSentences(t('zh-CN', `failure.cause.${cause}`, { message }))).toEqual([]);
    }
  });
});

describe('the host check and "Check everything" say what failed in Chinese', () => {
  const target = 'root@127.0.0.1:1';

  it('Bench.checkHost: the English as the error said it, the Chinese naming the host and the cause', async () => {
    const check = await new Bench({ runsDir: tmpdir() }).checkHost(target);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(sayReason('en', check.errorParts!)).toBe(check.error);
    const zh = sayReason('zh-CN', check.errorParts!);
    expect(zh.startsWith(`无法连接并读取主机 ${target}：`), zh).toBe(true);
    expect(englishSentences(zh), zh).toEqual([]);
  }, 30_000);

  it('Bench.checkEverything: a YAML syntax error and its line, in both languages', async () => {
    const items = await new Bench({ runsDir: tmpdir() }).checkEverything(`${MINIMAL_PLAN}\tcolour: red\n`);
    expect(items).toHaveLength(1);
    const [plan] = items;
    expect(plan!.ok).toBe(false);
    expect(plan!.fix).toMatch(/^line 9: Tabs are not allowed as indentation/);
    const { what, detail, fix } = plan!.parts!;
    expect(sayReason('en', [what])).toBe(plan!.what);
    expect(sayReason('en', [detail])).toBe(plan!.detail);
    expect(sayReason('en', [fix!])).toBe(plan!.fix);
    expect(sayReason('zh-CN', [what])).toBe('计划');
    expect(sayReason('zh-CN', [fix!])).toMatch(/^第 9 行：YAML 语法错误：YAML 不能用制表符缩进/);
    for (const part of [what, detail, fix!]) expect(englishSentences(sayReason('zh-CN', [part]))).toEqual([]);
  });

  it("Bench.defaultPlan: the write-up named in the reader's language, the plan otherwise the same", async () => {
    const bench = new Bench({ runsDir: tmpdir() });
    const [en, zh] = await Promise.all([bench.defaultPlan('en'), bench.defaultPlan('zh-CN')]);
    expect(parsePlan(en).plan!.name).toBe(defaultLabPlan().name);
    expect(parsePlan(zh).plan!.name).toBe(t('zh-CN', 'planDefault.name'));
    expect(englishSentences(parsePlan(zh).plan!.name)).toEqual([]);
    expect({ ...parsePlan(zh).plan!, name: '' }).toEqual({ ...parsePlan(en).plan!, name: '' });
    await expect(bench.defaultPlan('xx' as never)).rejects.toThrow('language must be one of en, zh-CN, not "xx"');
  });

  it('Bench.startRun and deleteRun refuse in parts: an invalid plan with its findings, a run still running', async () => {
    const bench = new Bench({ runsDir: tmpdir() });
    const error = (await bench.startRun(`${MINIMAL_PLAN}\tcolour: red\n`).catch((e: unknown) => e)) as Error & {
      parts: ReasonPart[];
    };
    expect(error.message).toBe('the plan is not valid: line 9: Tabs are not allowed as indentation');
    expect(sayReason('en', error.parts)).toBe(error.message);
    expect(sayReason('zh-CN', error.parts)).toBe('计划无效：第 9 行：YAML 语法错误：YAML 不能用制表符缩进：请改用空格');
    expect(errorPart(error)).toEqual(error.parts[0]);
  });
});

describe('the CLI in Chinese (--lang zh-CN, BONDBENCH_LANG)', () => {
  /** Runs `bondbench …` in-process; its exit status and what it printed. */
  async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
    const { main } = await import('../../main/cli/main.js');
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    try {
      return { status: await main(argv), out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('plan check: findings, the valid line and the error line, English unchanged without --lang', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bondbench-cli-zh-'));
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, `${MINIMAL_PLAN}\tcolour: red\n`);
    const en = await cli(['plan', 'check', bad]);
    expect(en).toMatchObject({ status: 1, err: `${bad}:9:1: Tabs are not allowed as indentation` });
    const zh = await cli(['plan', 'check', bad, '--lang', 'zh-CN']);
    expect(zh).toMatchObject({ status: 1, err: `${bad}:9:1: YAML 语法错误：YAML 不能用制表符缩进：请改用空格` });
    const good = join(dir, 'good.yaml');
    await writeFile(good, MINIMAL_PLAN);
    expect((await cli(['plan', 'check', good])).out).toBe(`${good}: valid — 2 modes × 7 steps × 1`);
    expect((await cli(['plan', 'check', good, '--lang=zh-CN'])).out).toBe(`${good}: 有效 — 2 个模式 × 7 步 × 1`);
    // An error the command throws: what failed and why, the OS's text quoted.
    const missing = await cli(['plan', 'check', join(dir, 'none.yaml'), '--lang', 'zh-CN']);
    expect(missing.status).toBe(1);
    expect(missing.err).toMatch(
      /^bondbench: 文件或程序不存在（原文：“ENOENT: no such file or directory, open '.*none\.yaml'”）$/,
    );
    process.env.BONDBENCH_LANG = 'zh-CN';
    try {
      expect((await cli(['plan', 'check', good])).out).toBe(`${good}: 有效 — 2 个模式 × 7 步 × 1`);
    } finally {
      delete process.env.BONDBENCH_LANG;
    }
    expect((await cli(['plan', 'check', good, '--lang', 'fr'])).status).toBe(2);
  });
});

describe('the host control’s refusals and failures in Chinese (main/host)', () => {
  it('a sysfs write the kernel refused, a step that failed, a plan refused: English as before, Chinese from parts', () => {
    const option = new ApplyError('lab guest', 'configuring bond0', 'updelay=50', 'write error: Invalid argument');
    expect(option.message).toBe('lab guest: setting updelay=50 failed: write error: Invalid argument');
    expect(sayReason('zh-CN', [errorPart(option)])).toBe(
      'lab guest：设置 updelay=50 失败（原文：“write error: Invalid argument”）',
    );
    expect(new ApplyError('lab guest', 'configuring bond0', undefined, '').message).toBe(
      'lab guest: configuring bond0 failed',
    );
    const refused = new ManagementPathError({
      key: 'slaveCarries',
      vars: {
        label: 'gentoo',
        slave: 'eth0',
        session: {
          key: 'hostRefusal.session',
          vars: { client: '192.168.0.1', server: '192.168.0.253', interface: 'eth0' },
        },
        guarded: 'eth0',
      },
    });
    expect(refused.message).toBe(
      'gentoo: eth0 carries this SSH session (192.168.0.1 → 192.168.0.253 through eth0): enslaving it would take its address and route away. Choose slaves other than eth0.',
    );
    const zh = sayReason('zh-CN', [errorPart(refused)]);
    expect(zh).toBe(
      'gentoo：eth0 承载着本次 SSH 会话（192.168.0.1 → 192.168.0.253，经由 eth0）：把它加入 bond 会拿走它的地址和路由。请选择 eth0 以外的从属接口。',
    );
    expect(englishSentences(zh)).toEqual([]);
    expect(new PlanRefusedError('not a runtime plan').parts).toBeUndefined();
    // A command on the host that failed: what we ran stays quoted, the host's output too.
    const remote = new RemoteCommandError('lab guest', 'reading /proc/net/bonding/bond0', {
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'cat: /proc/net/bonding/bond0: No such file or directory',
    } as never);
    expect(remote.message).toBe(
      'lab guest: reading /proc/net/bonding/bond0 failed (exit 1):\ncat: /proc/net/bonding/bond0: No such file or directory',
    );
    const said = sayReason('zh-CN', [errorPart(remote)]);
    expect(said).toBe(
      'lab guest：主机上的命令失败（“reading /proc/net/bonding/bond0”，退出码 1），输出：\n“cat: /proc/net/bonding/bond0: No such file or directory”',
    );
    expect(englishSentences(said)).toEqual([]);
    expect(new PrivilegeError('notRoot', 'gentoo').message).toBe(
      'gentoo: this needs root and the login is not root: log in as root, or allow sudo (--sudo) with a NOPASSWD rule for this user',
    );
  });
});

describe('a driver that could not do its job, in Chinese (main/drivers DriverError)', () => {
  it('a command driver whose program fails, or does not exist: English as before, Chinese from parts', async () => {
    const { createPowerDriver } = await import('../../main/drivers/index.js');
    const failing = createPowerDriver(
      { type: 'command', on: ['sh', '-c', 'echo outlet jammed >&2; exit 3'], off: ['true'] },
      { log: () => undefined },
    );
    const error = (await failing.set('on').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('command power (sh): on: sh exited with 3: outlet jammed');
    const zh = sayReason('zh-CN', [errorPart(error)]);
    expect(zh).toBe('command power (sh)：on：sh 以退出码 3 结束（输出：“outlet jammed”）');
    expect(englishSentences(zh)).toEqual([]);
    const missing = createPowerDriver(
      { type: 'command', on: ['/nonexistent/pdu-tool'], off: ['true'] },
      { log: () => undefined },
    );
    const none = (await missing.set('on').catch((e: unknown) => e)) as Error;
    expect(none.message).toBe(
      'command power (/nonexistent/pdu-tool): on: cannot start /nonexistent/pdu-tool: no such program',
    );
    expect(sayReason('zh-CN', [errorPart(none)])).toBe(
      'command power (/nonexistent/pdu-tool)：on：无法启动 /nonexistent/pdu-tool：没有这个程序',
    );
  });
});

describe('the host check’s bonding driver line', () => {
  it('says built-in/module/missing and loaded as the English always did, and in Chinese', () => {
    for (const available of ['built-in', 'module', 'missing'] as const) {
      for (const loaded of [false, true]) {
        const key = `checkItem.bonding.${available === 'built-in' ? 'builtIn' : available}${loaded ? 'Loaded' : ''}`;
        expect(t('en', key)).toBe(`${available}${loaded ? ', loaded' : ''}`);
        expect(t('zh-CN', key)).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });
});

describe('a pull the host does not confirm, in Chinese (main/drivers/verify.ts)', () => {
  it('says which slave, what was read, for how long, and what to check', async () => {
    const { verifiedLink } = await import('../../main/drivers/verify.js');
    const cable = {
      name: 'test link',
      physical: true,
      pull: async () => undefined,
      plug: async () => undefined,
      state: async () => 'unknown' as const,
    };
    const link = verifiedLink(cable, { miiStatus: async () => 'up', log: () => undefined }, 100);
    const error = (await link.pull('eth1').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^test link: pull eth1: the host still reports eth1's MII status "up" \d+ ms later \(expected "down" within 100 ms\): check that the port this driver maps to eth1 is the one eth1's cable goes to$/,
    );
    const zh = sayReason('zh-CN', [errorPart(error)]);
    expect(zh).toMatch(
      /^test link：拔线 eth1：\d+ ms 后主机报告的 eth1 MII 状态仍为 "up"（应在 100 ms 内变为 "down"）：请检查该驱动映射到 eth1 的端口，是否正是 eth1 网线所接的端口$/,
    );
  });
});

describe('host-ifdown when ip link fails on the host, in Chinese', () => {
  it('names the command, its exit code and the host’s output, quoted', async () => {
    const { createLinkDriver } = await import('../../main/drivers/index.js');
    const driver = createLinkDriver({ type: 'host-ifdown' }, {
      log: () => undefined,
      hostExec: async () => ({ code: 1, stdout: '', stderr: 'Cannot find device "eth1"' }),
    } as never);
    const error = (await driver.pull('eth1').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/: pull eth1: ".*" exited with 1 on the host: Cannot find device "eth1"$/);
    const zh = sayReason('zh-CN', [errorPart(error)]);
    expect(zh).toMatch(/：pull eth1：主机上的 ".*" 以退出码 1 结束（输出：“Cannot find device "eth1"”）$/);
  });
});
