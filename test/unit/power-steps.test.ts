/**
 * Power in the plan and in what a run says about it: the step forms and the checks that refuse a boot of a
 * runtime-applied mode; what crossed the wire during a boot, per capture port; the matrix's ARP at boot taken from
 * a real boot; the report's boots.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunFolder } from '../../main/engine/store.js';
import { packageRoot } from '../../main/paths.js';
import { mismatchPart } from '../../shared/bonding/options.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { checkPlan, loadPlan, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { buildReport } from '../../shared/report/build.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { bootWire } from '../../shared/run/boot-wire.js';
import type { HostReading, StepRecord } from '../../shared/run/model.js';
import type { CapturedFrame } from '../../shared/run/samples.js';
import { buildArp } from '../../shared/wire/build.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import { BOND_IP, craftLacpdu, craftLearningFrame, ETH1_MAC, ETH2_MAC, TESTER_MAC } from './wire-frames.js';

const netifrc = (plan: Plan): Plan => ({
  ...plan,
  modes: ['active-backup', 'balance-tlb'],
  apply: { method: 'netifrc', netifrcStyle: 'writeup', boot: 'power-cycle', offSeconds: 3 },
});

describe('power steps in the plan', () => {
  it('reads reboot and power-cycle in their short and long forms, and writes them back the same', () => {
    const yaml = planToYaml(netifrc(defaultLabPlan('ci'))).replace(
      /^steps:\n(?: {2}- .*\n)+/m,
      'steps:\n  - read-macs\n  - power-cycle\n  - power-cycle: {off: 12}\n  - reboot\n',
    );
    const plan = loadPlan(yaml);
    expect(plan.steps).toEqual([
      { kind: 'read-macs' },
      { kind: 'power-cycle', offSeconds: 5 },
      { kind: 'power-cycle', offSeconds: 12 },
      { kind: 'reboot' },
    ]);
    expect(plan.apply).toMatchObject({ boot: 'power-cycle', offSeconds: 3 });
    expect(loadPlan(planToYaml(plan))).toEqual(plan);
    expect(checkPlan(plan)).toEqual([]);
  });

  it('refuses a boot of a mode applied at runtime: it would boot the old configuration', () => {
    const plan = { ...defaultLabPlan('ci'), steps: [{ kind: 'reboot' as const }] };
    const errors = checkPlan(plan);
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'steps[0]',
        message: expect.stringMatching(
          /^a reboot boots what \/etc\/conf.d\/net holds, but standalone, balance-rr, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb are applied at runtime/,
        ),
      }),
    ]);
    expect(errors[0]!.line).toBeGreaterThan(1);
  });

  it('refuses apply.boot when nothing is applied with netifrc, and out-of-range times', () => {
    const plan = { ...defaultLabPlan('ci'), modes: ['balance-rr' as const] };
    plan.apply = { method: 'runtime', netifrcStyle: 'writeup', boot: 'power-cycle' };
    expect(checkPlan(plan).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'apply.boot: boots a netifrc bring-up, but no mode is applied with netifrc: set apply.method: netifrc',
    ]);
    const yaml = planToYaml(netifrc(defaultLabPlan('ci'))).replace('offSeconds: 3', 'offSeconds: 3600');
    expect(parsePlan(yaml).errors.map((e) => e.path)).toEqual(['apply.offSeconds']);
    const cycles = planToYaml(netifrc(defaultLabPlan('ci'))).replace('rebootSeconds: 120', 'powerCycles: 9');
    expect(parsePlan(cycles).errors.map((e) => e.path)).toEqual(['timeouts.powerCycles']);
  });
});

describe('what crossed the wire during a boot', () => {
  const plan = defaultLabPlan('ci');
  const reading = {
    bondMac: ETH1_MAC,
    slaves: [
      { name: 'eth1', mac: ETH1_MAC, permanentMac: ETH1_MAC },
      { name: 'eth2', mac: ETH2_MAC, permanentMac: ETH2_MAC },
    ],
  } as HostReading;
  let no = 0;
  const frame = (port: string, timeMs: number, bytes: Uint8Array): CapturedFrame => ({
    no: ++no,
    port,
    timeMs,
    frame: decodeFrame(bytes),
  });
  const gratuitous = (mac: string) =>
    buildArp({ opcode: 'request', senderMac: mac, senderIp: BOND_IP, targetIp: BOND_IP });
  const probe = (mac: string) =>
    buildArp({ opcode: 'request', senderMac: mac, senderIp: '0.0.0.0', targetIp: BOND_IP });
  const actor = { systemPriority: 65535, system: ETH1_MAC, key: 9, portPriority: 255, port: 1, state: 0x3d };

  it('counts the host’s frames from power-on, per port: tester and each slave’s mirror', () => {
    const frames = [
      frame('tester0', 999, gratuitous(ETH1_MAC)), // before power-on: not this boot
      frame('tester0', 1000, probe(ETH1_MAC)),
      frame('tester0', 1001, gratuitous(ETH1_MAC)),
      frame('tap-eth1', 1001, gratuitous(ETH1_MAC)),
      frame('tap-eth2', 1002, gratuitous(ETH1_MAC)),
      frame('tap-eth2', 1003, craftLacpdu(ETH2_MAC, actor, actor)),
      frame('tap-eth1', 1004, craftLearningFrame(ETH1_MAC)),
      frame('tester0', 1005, gratuitous(TESTER_MAC)), // the tester's own: not the host's
    ];
    expect(bootWire(plan, frames, 1000, [reading])).toEqual([
      { port: 'tester', frames: 2, arpProbe: 1, arpGratuitous: 1, arpOther: 0, lacpdus: 0, learningFrames: 0 },
      { port: 'eth1', frames: 2, arpProbe: 0, arpGratuitous: 1, arpOther: 0, lacpdus: 0, learningFrames: 1 },
      { port: 'eth2', frames: 2, arpProbe: 0, arpGratuitous: 1, arpOther: 0, lacpdus: 1, learningFrames: 0 },
    ]);
  });
});

describe('ARP at boot and the report’s boots', async () => {
  const run = await readRunFolder(join(packageRoot, 'test/fixtures/runs/lab-miimon100'));
  const mode = 'active-backup';
  const steps: StepRecord[] = structuredClone(run.steps);
  const last = steps.filter((s) => s.mode === mode).at(-1)!;
  const boot: StepRecord = {
    ...structuredClone(last),
    index: last.index + 0.5,
    kind: 'power-cycle',
    label: `mode ${mode}: power-cycle (off 5 s)`,
    boot: {
      via: 'power-cycle',
      driver: 'lab "ci" power',
      offSeconds: 5,
      bootMs: 14_210,
      persisted: {
        matches: false,
        differences: ['mode is "balance-rr 0", expected "active-backup 1"'],
        differenceParts: [mismatchPart({ option: 'mode', expected: 'active-backup 1', actual: 'balance-rr 0' })],
      },
      wire: [{ port: 'tester', frames: 3, arpProbe: 0, arpGratuitous: 3, arpOther: 0, lacpdus: 0, learningFrames: 0 }],
      recoveries: [{ attempt: 1, at: '2026-01-01T00:00:00Z', reason: 'no SSH', outcome: 'back', bootMs: 15_000 }],
    },
    measurements: {
      ...structuredClone(last.measurements!),
      arp: { probe: 0, gratuitous: 3, request: 0, reply: 0 },
      arpFrames: [7, 8, 9],
    },
  };
  steps.splice(steps.indexOf(last) + 1, 0, boot);

  it('takes the ARP at boot cell from a real boot, and says which', () => {
    const before = judgeRun(run.plan, run.steps).find((r) => r.mode === mode)!.cells.arpAtBoot!;
    expect(before.reason).not.toContain('measured across');
    const cell = judgeRun(run.plan, steps).find((r) => r.mode === mode)!.cells.arpAtBoot!;
    expect(cell.value).toBe(3);
    expect(cell.evidence).toMatchObject({ steps: [boot.index], frames: [7, 8, 9] });
    expect(cell.reason).toMatch(/; measured across a power-cycle, SSH back after 14210 ms$/);
    // Said in the reader's language, like the rest of the reason.
    const zh = buildReport({ ...run, steps }, 'zh-CN')
      .matrix.find((r) => r.mode === mode)!
      .cells.find((c) => c.column === 'arpAtBoot')!;
    expect(zh.reason).toContain('在一次断电重启过程中测得，SSH 于 14210 ms 后恢复');
    expect(zh.reason).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('lists each boot in the report with its time, the bond against its persisted configuration and the wire', () => {
    const report = buildReport({ ...run, steps }, 'en');
    expect(report.boots).toEqual([
      expect.objectContaining({
        step: boot.index,
        via: 'power-cycle',
        bootMs: 14_210,
        persisted: false,
        recoveries: 1,
        linkFailures: expect.any(Array),
      }),
    ]);
    const html = renderHtml(report);
    expect(html).toContain('power-cycle, 5 s off');
    expect(html).toContain('no: mode is &quot;balance-rr 0&quot;, expected &quot;active-backup 1&quot;');
    expect(html).toContain('tester: 0/3/0, 0, 0');
    expect(renderMarkdown(report)).toContain('## Boots');
    const zhHtml = renderHtml(buildReport({ ...run, steps }, 'zh-CN'));
    expect(zhHtml).toContain('断电重启，断电 5 秒');
    // The differences in the reader's language, the option and its values as the host has them.
    expect(zhHtml).toContain('mode 为 &quot;balance-rr 0&quot;，应为 &quot;active-backup 1&quot;');
    expect(zhHtml).not.toContain('expected &quot;');
    expect(renderMarkdown(buildReport({ ...run, steps }, 'zh-CN'))).toContain(
      'mode 为 "balance-rr 0"，应为 "active-backup 1"',
    );
    // The English is the one the host check throws (VerifyError), word for word.
    expect(sayReason('en', boot.boot!.persisted!.differenceParts!)).toBe(boot.boot!.persisted!.differences[0]);
    expect(sayReason('zh-CN', [mismatchPart({ option: 'miimon', expected: '100', actual: undefined })])).toBe(
      '缺少 miimon，应为 "100"',
    );
    expect(renderHtml(buildReport(run, 'en'))).toContain('The run did not boot the host');
  });

  it('names a watchdog power-cycle of a host that stopped answering mid-step as such', () => {
    const lost: StepRecord = {
      ...boot,
      kind: 'probe',
      status: 'failed',
      boot: { via: 'power-cycle', watchdog: true, driver: 'lab guest ci', offSeconds: 5, bootMs: 16_000 },
    };
    const withLost = [...steps.filter((s) => s !== boot), lost];
    for (const [language, text] of [
      ['en', 'watchdog power-cycle (5 s off): SSH stopped answering mid-step'],
      ['zh-CN', '看门狗断电重启（断电 5 秒）：步骤进行中 SSH 停止响应'],
    ] as const) {
      const report = buildReport({ ...run, steps: withLost }, language);
      expect(report.boots).toEqual([expect.objectContaining({ via: 'watchdog', status: 'failed', bootMs: 16_000 })]);
      expect(renderHtml(report)).toContain(text);
      expect(renderMarkdown(report)).toContain(text);
    }
    // A failed step's boot never stands for the mode's ARP at boot.
    const cell = judgeRun(run.plan, withLost).find((r) => r.mode === mode)!.cells.arpAtBoot!;
    expect(cell.evidence.steps).not.toContain(lost.index);
  });
});
