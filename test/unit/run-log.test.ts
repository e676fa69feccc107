/**
 * The run log in message parts (shared/run/log.ts): every `log.*` line said in English as log.txt always had it
 * and in Chinese without an English sentence of ours; the run store writing log.txt (English) and log.jsonl (the
 * parts) side by side, reading log.jsonl back validated (a cut-off last line dropped, a bad line named by file and
 * line), and an old run folder's log.txt read as its lines. Secrets in a driver's argv: plan-secrets.test.ts.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliLog } from '../../main/cli/usage.js';
import { startRun } from '../../main/engine/session.js';
import { RunWriter, readRunLog } from '../../main/engine/store.js';
import type { BenchEvent } from '../../shared/api.js';
import { CATALOGUE, catalogueKeys } from '../../shared/i18n/catalogue.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { errorPart } from '../../shared/run/failure.js';
import { logEvent, logText, stepPart, textLine } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { englishSentences } from '../support/english.js';
import { fakeSides } from '../support/fake-sides.js';

describe('a log line in English: as log.txt has always read', () => {
  it.each<[ReasonPart, string]>([
    [stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 }), 'mode balance-rr: pull eth1'],
    [stepPart('802.3ad', { kind: 'bring-up' }, 'miimon=50'), 'miimon=50, mode 802.3ad: bring-up'],
    [
      stepPart('active-backup', { kind: 'load', peers: 4, flows: 2, seconds: 3, rate: 20 }),
      'mode active-backup: load 4 peers × 2 flows, 3 s',
    ],
    [stepPart('active-backup', { kind: 'power-cycle', offSeconds: 5 }), 'mode active-backup: power-cycle (off 5 s)'],
    [{ key: 'log.run.resuming', vars: { count: 1 } }, 'resuming after 1 step'],
    [{ key: 'log.run.resuming', vars: { count: 3 } }, 'resuming after 3 steps'],
    [
      { key: 'log.agent.echoDropped', vars: { probe: 'p1', count: 1 } },
      'probe p1: 1 echo event dropped (the client did not read it)',
    ],
    [
      {
        key: 'log.step.failed',
        vars: {
          step: stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 }),
          error: errorPart(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:22'), { code: 'ECONNREFUSED' })),
        },
      },
      'mode balance-rr: pull eth1 failed: connect ECONNREFUSED 10.0.0.1:22',
    ],
    [
      {
        key: 'log.tester.probeShort',
        vars: {
          sent: 90,
          due: 100,
          rate: 100,
          achieved: { key: 'log.tester.achieved', vars: { rate: 90 } },
          refused: { key: 'log.tester.refused', vars: { count: 3 } },
        },
      },
      'tester: the probe sent 90 of the 100 requests 100/s called for (90/s); libpcap refused 3',
    ],
    [
      { key: 'log.tester.probeShort', vars: { sent: 90, due: 100, rate: 100, achieved: '', refused: '' } },
      'tester: the probe sent 90 of the 100 requests 100/s called for',
    ],
    [
      {
        key: 'log.driver.linkConfirmed',
        vars: {
          action: { key: 'log.driver.action.pull' },
          slave: 'eth1',
          what: { key: 'driverFailure.miiStatus' },
          want: 'down',
          ms: 103,
        },
      },
      'pull eth1: MII status down on the host after 103 ms',
    ],
    [
      {
        key: 'log.boot.watchdog',
        vars: {
          host: 'root@10.0.0.2',
          silent: {
            key: 'log.boot.silentWithin',
            vars: { seconds: 120, since: { key: 'log.boot.since.reboot' } },
          },
          attempt: 1,
          of: 2,
        },
      },
      'root@10.0.0.2: no SSH within 120 s after the reboot: watchdog power-cycle 1 of 2',
    ],
    [
      {
        key: 'log.lab.recabled',
        vars: { instance: 'i17', from: { key: 'log.lab.end.bridge' }, to: { key: 'log.lab.end.partner' } },
      },
      'lab "i17": eth1 and eth2 re-cabled from the bridge to the partner',
    ],
    [textLine('a line from somewhere else'), 'a line from somewhere else'],
  ])('%j', (part, english) => {
    expect(logText('en', part)).toBe(english);
  });

  it('the API event carries the parts and their English', () => {
    const part = { key: 'log.host.rebootSent', vars: { host: 'root@h' } };
    expect(logEvent('r1', part)).toEqual({ type: 'log', runId: 'r1', line: 'root@h: reboot sent', part });
  });
});

describe('a log line in Chinese', () => {
  const keys = catalogueKeys(CATALOGUE.en.log, 'log');
  /** Values as the engine passes them: names, numbers, nested parts for errors and steps. */
  const sample = (name: string): string | number | ReasonPart =>
    ({
      error: errorPart(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:22'), { code: 'ECONNREFUSED' })),
      why: { key: 'error.hostDidNotReturn.sameBoot' },
      step: stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 }),
      reason: { key: 'log.step.noLacpState' },
      since: { key: 'log.boot.since.powerOn' },
      silent: { key: 'log.boot.silentFor', vars: { seconds: 30, since: { key: 'log.boot.since.reboot' } } },
      what: 'pull eth1',
      driver: 'SNMP apc outlet 3 at 10.0.0.9:161',
      line: textLine('cap: some warning of the agent'),
      text: 'an old line of log.txt',
      warning: textLine('a warning as an old run wrote it'),
      action: { key: 'log.driver.power.on' },
      from: { key: 'log.lab.end.bridge' },
      to: { key: 'log.lab.end.partner' },
      config: {
        key: 'log.host.config',
        vars: { bond: 'bond0', mode: 'balance-rr', slaves: 'eth1+eth2', options: 'miimon 100' },
      },
    })[name] ?? (/count|ms|seconds|n|of|pid|index|attempt|sent|due|rate|code/.test(name) ? 7 : 'eth1');

  it('has every key in both languages, and no English sentence of ours in Chinese', () => {
    expect(catalogueKeys(CATALOGUE['zh-CN'].log, 'log').sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const template = key.split('.').reduce<unknown>((m, k) => (m as Record<string, unknown>)[k], CATALOGUE.en);
      const vars = Object.fromEntries(
        [...String(template).matchAll(/\{\{(\w+)\}\}/g)].map(([, name]) => [name!, sample(name!)]),
      );
      const said = logText('zh-CN', { key, vars });
      expect(said, key).not.toBe(key);
      expect(englishSentences(said), `${key}: ${said}`).toEqual([]);
    }
  });

  it('a step, an error and a LACP reason said through', () => {
    const part = {
      key: 'log.step.failed',
      vars: { step: stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 }), error: textLine('boom') },
    };
    expect(logText('zh-CN', part)).toBe('模式 balance-rr：拔出 eth1 失败：“boom”');
  });

  it('the CLI says a line in BONDBENCH_LANG, its control characters removed', () => {
    const printed: string[] = [];
    const original = console.error;
    console.error = (line: string) => void printed.push(line);
    try {
      cliLog('run', 'zh-CN')({ key: 'log.host.rebootSent', vars: { host: 'root@h\x1b[2J' } });
      cliLog('run', 'en')({ key: 'log.host.rebootSent', vars: { host: 'root@h' } });
    } finally {
      console.error = original;
    }
    expect(printed).toEqual(['run: root@h[2J：已发送重启命令', 'run: root@h: reboot sent']);
  });
});

describe('the run store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bondbench-runlog-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const newRun = () => RunWriter.create(dir, defaultLabPlan('x'), planToYaml(defaultLabPlan('x')), 1, '0.0.0');

  it('writes log.txt in English and log.jsonl in parts, and reads them back', async () => {
    const writer = await newRun();
    const step = stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 });
    await writer.log(step);
    await writer.warn('1 step(s) failed; see log.txt', [{ key: 'runWarning.stepsFailed', vars: { count: 1 } }]);
    await writer.log({ key: 'log.run.restored' });
    const text = await readFile(join(writer.dir, 'log.txt'), 'utf8');
    expect(text.split('\n').map((l) => l.slice(25))).toEqual([
      'mode balance-rr: pull eth1',
      'warning: 1 step(s) failed; see log.txt',
      'host restored to its original configuration',
      '',
    ]);
    const records = await readRunLog(writer.dir);
    expect(records.map(({ at: _at, ...part }) => part)).toEqual([
      step,
      { key: 'log.warning', vars: { warning: { key: 'runWarning.stepsFailed', vars: { count: 1 } } } },
      { key: 'log.run.restored' },
    ]);
    expect(records.every((r) => /^\d{4}-\d\d-\d\dT.*Z$/.test(r.at))).toBe(true);
    expect(records.map((r) => logText('zh-CN', r))).toEqual([
      '模式 balance-rr：拔出 eth1',
      '警告：1 个步骤失败；详见 log.txt',
      '主机已恢复为原来的配置',
    ]);

    // A last line cut short by a crash is dropped; the lines before it still count.
    await appendFile(join(writer.dir, 'log.jsonl'), '{"at":"2026-11-30T00:00:00.000Z","key":"log.r');
    expect(await readRunLog(writer.dir)).toHaveLength(3);
    // Anything else that is not a log record is refused, naming the file and line.
    await appendFile(join(writer.dir, 'log.jsonl'), 'un.restored"}\n{"at":"x","key":"log.run.restored","vars":[1]}\n');
    await expect(readRunLog(writer.dir)).rejects.toThrow(/log\.jsonl:5: vars must be object/);
  });

  it('reads an old run folder’s log.txt as its lines, and keeps them when the run is resumed', async () => {
    const writer = await newRun();
    const old = '2026-01-02T03:04:05.678Z mode balance-rr: bring-up\n2026-01-02T03:04:09.000Z warning: something\n';
    await writeFile(join(writer.dir, 'log.txt'), old);
    expect(await readRunLog(writer.dir)).toEqual([
      { at: '2026-01-02T03:04:05.678Z', key: 'log.text', vars: { text: 'mode balance-rr: bring-up' } },
      { at: '2026-01-02T03:04:09.000Z', key: 'log.text', vars: { text: 'warning: something' } },
    ]);
    await writer.keepTextLog();
    await writer.log({ key: 'log.run.resuming', vars: { count: 2 } });
    const records = await readRunLog(writer.dir);
    expect(records.map((r) => logText('en', r))).toEqual([
      'mode balance-rr: bring-up',
      'warning: something',
      'resuming after 2 steps',
    ]);
    // A folder without any log reads as none.
    await rm(join(writer.dir, 'log.jsonl'));
    await rm(join(writer.dir, 'log.txt'));
    expect(await readRunLog(writer.dir)).toEqual([]);
  });
});

describe('a run', () => {
  it('sends every line of its log to the UI as it writes it: parts, masked, in the order of log.jsonl', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'bondbench-runlog-run-'));
    try {
      const events: BenchEvent[] = [];
      const plan = { ...defaultLabPlan('fake'), modes: ['balance-xor' as const], steps: [] };
      const sides = fakeSides({ failBringUp: () => 'fake: setting updelay=0 failed' });
      const outcome = await (
        await startRun(plan, { runsDir, sides, locksDir: runsDir, emit: (event) => void events.push(event) })
      ).finished;
      const lines = events.flatMap((e) => (e.type === 'log' ? [e] : []));
      const records = await readRunLog(outcome.dir);
      expect(lines.map((e) => e.part)).toEqual(records.map(({ at: _at, ...part }) => part));
      expect(lines.map((e) => e.line)).toEqual([
        'mode balance-xor: bring-up',
        'mode balance-xor: bring-up failed: fake: setting updelay=0 failed',
        'warning: 1 step(s) failed; see log.txt',
        'run failed: no mode came up: fake: setting updelay=0 failed',
        'host restored to its original configuration',
      ]);
      expect(lines.map((e) => logText('zh-CN', e.part!)).at(-1)).toBe('主机已恢复为原来的配置');
    } finally {
      await rm(runsDir, { recursive: true, force: true });
    }
  });
});
