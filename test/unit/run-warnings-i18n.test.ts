/**
 * The run's own warnings and error (session.ts, runner.ts) are recorded in English (log.txt's words) and as message
 * parts beside them (RunManifest.warningParts, errorParts): the report says them in its language in every format,
 * and in Chinese no English sentence of the engine is left, only what came from outside (a driver's error text, the
 * host's target, file names).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { planErrorText, runErrorText } from '../../renderer/src/cells.js';
import { createI18n } from '../../renderer/src/i18n.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { buildReport } from '../../shared/report/build.js';
import { renderCsv } from '../../shared/report/csv.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { describeLoss, lossParts } from '../../shared/run/capture-loss.js';
import type { CaptureLoss, ReasonPart } from '../../shared/run/model.js';
import { MESSAGE_DEPTH, parseRunManifest } from '../../shared/run/schema.js';
import { fakeSides } from '../support/fake-sides.js';

let runsDir: string;
beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-warnings-'));
});
afterAll(() => rm(runsDir, { recursive: true, force: true }));

const plan: Plan = {
  ...defaultLabPlan('fake'),
  modes: ['balance-xor', 'broadcast'],
  steps: [],
  apply: { method: 'runtime', netifrcStyle: 'writeup' },
};

const BRING_UP = 'fake: setting updelay=0 failed';
const RESTORE = 'fake: ssh connection lost';

/** Every string value of the parts, nested parts included: what came from outside the engine's words. */
function values(parts: readonly ReasonPart[]): string[] {
  return parts.flatMap((part) =>
    Object.values(part.vars ?? {}).flatMap((v) =>
      typeof v === 'object' ? values([v]) : typeof v === 'string' ? [v] : [],
    ),
  );
}

/** `text` with the outside values and the names a user types (log.txt, the restore command) taken out. */
function engineWords(text: string, parts: readonly ReasonPart[]): string {
  let left = text;
  for (const value of values(parts).sort((a, b) => b.length - a.length)) left = left.replaceAll(value, '');
  return left.replace(/log\.txt|bondbench host restore|balance-xor|\.pcapng|tester0/g, '');
}

describe('the run’s warnings and error in the reader’s language', () => {
  it('are recorded as parts beside the English, and said in Chinese in the report in every format', async () => {
    const sides = fakeSides({ failBringUp: () => BRING_UP });
    sides.host.restore = async () => {
      throw new Error(RESTORE);
    };
    const outcome = await (await startRun(plan, { runsDir, sides, locksDir: runsDir })).finished;
    expect(outcome.error).toBe(`no mode came up: ${BRING_UP}`);
    const run = await readRunFolder(outcome.dir);
    const { manifest } = run;
    expect(manifest.warnings).toEqual([
      '2 step(s) failed; see log.txt',
      `could not restore the host: ${RESTORE}; run "bondbench host restore ${plan.host.target}"`,
    ]);
    expect(manifest.warningParts?.map((p) => p?.[0]?.key)).toEqual(['runWarning.stepsFailed', 'runWarning.restore']);
    expect(manifest.errorParts?.[0]?.key).toBe('runWarning.noModeUp');
    // The English of each part is the recorded text, word for word.
    expect(manifest.warningParts!.map((parts) => sayReason('en', parts!))).toEqual(manifest.warnings);
    expect(sayReason('en', manifest.errorParts!)).toBe(manifest.error);

    const en = buildReport(run, 'en');
    expect(en.warnings.filter((w) => w.kind === 'run').map((w) => w.text)).toEqual(manifest.warnings);
    const zh = buildReport(run, 'zh-CN');
    const said = zh.warnings.filter((w) => w.kind === 'run' || w.kind === 'error');
    expect(said.map((w) => w.text)).toEqual([
      `运行错误：没有任何模式成功启用：“${BRING_UP}”`,
      '2 个步骤失败；详见 log.txt',
      `无法恢复主机：“${RESTORE}”；请运行 "bondbench host restore ${plan.host.target}"`,
    ]);
    const allParts = [...manifest.errorParts!, ...manifest.warningParts!.flatMap((p) => p ?? [])];
    for (const warning of said) expect(engineWords(warning.text, allParts), warning.text).not.toMatch(/[a-z]{2,}/i);
    for (const [format, text] of [
      ['html', renderHtml(zh)],
      ['markdown', renderMarkdown(zh)],
      ['csv', renderCsv(zh)],
    ] as const) {
      expect(text, format).not.toContain('step(s) failed');
      expect(text, format).not.toContain('could not restore');
      expect(text, format).not.toContain('no mode came up');
    }
    expect(renderHtml(zh)).toContain('2 个步骤失败；详见 log.txt');
    // The UI's i18next says the run's error as the report does.
    expect(runErrorText(manifest, createI18n('zh-CN').t)).toBe(`没有任何模式成功启用：“${BRING_UP}”`);
    expect(runErrorText(manifest, createI18n('en').t)).toBe(manifest.error);
  });

  it('says a capture loss in Chinese with the same figures, its English unchanged', () => {
    const loss: CaptureLoss = {
      file: 'capture/r1-balance-xor.pcapng',
      port: 'tester0',
      written: 50_000,
      received: 51_000,
      kernelDropped: 1000,
      writerDropped: 200,
      interfaceDropped: 0,
      liveSkipped: 0,
      writerError: 'ENOSPC',
    };
    const where: ReasonPart = { key: 'runWarning.where', vars: { mode: 'balance-xor', repetition: 1 } };
    const parts = lossParts(loss, where);
    const english = describeLoss(loss, 'mode balance-xor, repetition 1');
    expect(sayReason('en', parts)).toBe(english);
    const zh = sayReason('zh-CN', parts);
    expect(zh).toMatch(/^模式 balance-xor，第 1 轮：/);
    expect(zh).toContain('写入已停止：ENOSPC');
    expect(engineWords(zh, parts)).not.toMatch(/[a-z]{2,}/i);
  });

  /** The least run.json of a failed run, for the parts a test adds to it. */
  const FAILED_RUN = {
    format: 1,
    id: 'x',
    benchVersion: '0',
    planName: 'p',
    startedAt: '2026-01-01T00:00:00Z',
    status: 'failed',
    totalSteps: 0,
    warnings: [] as string[],
  };

  it('refuses a run.json whose parts are not message parts', () => {
    const manifest = { ...FAILED_RUN, warnings: ['w'] };
    const ok = { ...manifest, warningParts: [[{ key: 'runWarning.stepsFailed', vars: { count: 1 } }]] };
    expect(() => parseRunManifest(JSON.stringify(ok))).not.toThrow();
    for (const bad of [
      { warningParts: [[{ vars: {} }]] },
      { warningParts: [[{ key: 'a', vars: { x: true } }]] },
      { errorParts: [{ key: '<script>' }] },
    ]) {
      expect(() => parseRunManifest(JSON.stringify({ ...manifest, ...bad })), JSON.stringify(bad)).toThrow();
    }
  });

  it('reads back the nesting a run writes: a run stopped by a power driver that could not reach its PDU', () => {
    // failure.run ← error.runStop.powerFailed ← the driver's failure ← the OS's cause (faults lab test, CI).
    const os: ReasonPart = { key: 'failure.cause.ECONNREFUSED', vars: { text: 'connect ECONNREFUSED 127.0.0.1:1' } };
    const driver: ReasonPart = { key: 'failure.driver', vars: { driver: 'pdudaemon lab-pdu port 4', cause: os } };
    const stop: ReasonPart = {
      key: 'error.runStop.powerFailed',
      vars: { why: { key: 'log.boot.why.planned' }, cause: driver, stop: '', label: 'lab', seconds: 1, command: 'c' },
    };
    const manifest = { ...FAILED_RUN, errorParts: [{ key: 'failure.run', vars: { cause: stop } }] };
    expect(parseRunManifest(JSON.stringify(manifest)).errorParts).toEqual(manifest.errorParts);
    // Deeper than MESSAGE_DEPTH: refused, not read.
    let deep: ReasonPart = { key: 'a' };
    for (let i = 0; i < MESSAGE_DEPTH; i++) deep = { key: 'a', vars: { x: deep } };
    expect(() => parseRunManifest(JSON.stringify({ ...manifest, errorParts: [deep] }))).toThrow();
  });

  it('are said by the UI’s i18next as by the reports’ t(), plurals and nested parts included', () => {
    const yaml = planToYaml({ ...plan, steps: [{ kind: 'reboot' }] }).replace('peer: 10.77.1.252', 'peer: 10.0.0.9');
    const { errors } = parsePlan(yaml);
    expect(errors.length).toBeGreaterThan(1);
    for (const language of ['en', 'zh-CN'] as const) {
      const { t } = createI18n(language);
      for (const error of errors) expect(planErrorText(error, t)).toBe(sayReason(language, error.parts!));
      const stepsFailed = [{ key: 'runWarning.stepsFailed', vars: { count: 1 } }];
      expect(runErrorText({ warnings: [], error: 'x', errorParts: stepsFailed } as never, t)).toBe(
        sayReason(language, stepsFailed),
      );
    }
  });
});
