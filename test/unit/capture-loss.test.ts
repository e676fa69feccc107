/**
 * Capture accounting per step and per file: counters turned into what each step lost and where, and what the run's
 * report says about it in both languages (a recorded run with a loss injected into one step's record).
 */
import { describe, expect, it } from 'vitest';
import type { EchoRecord } from '../../shared/measure/echo.js';
import { buildReport } from '../../shared/report/build.js';
import {
  describeLoss,
  lossBetween,
  lossNotes,
  missingFrames,
  probeFellShort,
  stepNotes,
  worthWarning,
} from '../../shared/run/capture-loss.js';
import { probeStats } from '../../shared/run/measure-step.js';
import type { CaptureLoss } from '../../shared/run/model.js';
import { parseStepRecord, RunFileError } from '../../shared/run/schema.js';
import type { CaptureCounters } from '../../shared/tester/protocol.js';
import { fixtureNames, loadFixture } from './report-fixtures.js';

const counters = (c: Partial<CaptureCounters>): CaptureCounters => ({
  received: 0,
  bytes: 0,
  queueDropped: 0,
  sampled: 0,
  writerDropped: 0,
  malformed: 0,
  written: 0,
  ...c,
});

describe('capture loss between two readings', () => {
  it('gives one step’s counts from cumulative counters, each kind of drop where it happened', () => {
    const first = counters({
      received: 1000,
      written: 990,
      writerDropped: 10,
      sampled: 400,
      queueDropped: 5,
      kernel: { received: 1003, dropped: 3, ifDropped: 1 },
    });
    const second = counters({
      received: 5000,
      written: 4900,
      writerDropped: 100,
      sampled: 3000,
      queueDropped: 5,
      kernel: { received: 5020, dropped: 20, ifDropped: 4 },
    });
    expect(lossBetween('capture/r1-802.3ad.pcapng', 'tester0', undefined, first)).toEqual({
      file: 'capture/r1-802.3ad.pcapng',
      port: 'tester0',
      received: 1000,
      written: 990,
      kernelDropped: 3,
      interfaceDropped: 1,
      writerDropped: 10,
      liveSkipped: 405,
    });
    const step = lossBetween('f', 'tester0', first, second);
    expect(step).toMatchObject({
      received: 4000,
      written: 3910,
      kernelDropped: 17,
      interfaceDropped: 3,
      writerDropped: 90,
    });
    expect(missingFrames([step])).toBe(107);
    expect(describeLoss(step, 'mode 802.3ad: pull eth1')).toBe(
      'mode 802.3ad: pull eth1: f (tester0): 107 of 4017 frames are not in the file — kernel dropped 17, ' +
        "writer dropped 90; the interface's own drop counter rose by 3",
    );
  });

  it('counts from zero when a kernel counter wrapped, and carries the writer’s error', () => {
    const before = counters({ kernel: { received: 4294967000, dropped: 4294967290, ifDropped: 0 } });
    const after = counters({ kernel: { received: 500, dropped: 7, ifDropped: 0 }, writerError: 'ENOSPC' });
    expect(lossBetween('f', 'p', before, after)).toMatchObject({ kernelDropped: 7, writerError: 'ENOSPC' });
  });

  it('warns about frames missing from the file and about interface drops, not about a sampled live view', () => {
    const clean: CaptureLoss = {
      file: 'f',
      port: 'p',
      received: 10,
      written: 10,
      kernelDropped: 0,
      interfaceDropped: 0,
      writerDropped: 0,
      liveSkipped: 9,
    };
    expect(worthWarning(clean)).toBe(false);
    expect(lossNotes(clean)).toEqual([]);
    expect(lossNotes({ ...clean, interfaceDropped: 2 }).map((n) => n.key)).toEqual(['captureLoss.interfaceOnly']);
    expect(missingFrames([{ ...clean, interfaceDropped: 2 }])).toBe(0);
    expect(lossNotes({ ...clean, writerDropped: 1, writerError: 'disk full' }).map((n) => n.key)).toEqual([
      'captureLoss.step',
      'captureLoss.writerError',
    ]);
  });
});

describe('capture losses in the report', () => {
  it('names the step, the file, the port and each kind of drop, in English and Chinese', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const step = run.steps[1]!;
    step.capture = [
      {
        file: 'capture/r1-balance-rr.pcapng',
        port: 'tester0',
        received: 5000,
        written: 4990,
        kernelDropped: 7,
        interfaceDropped: 2,
        writerDropped: 10,
        liveSkipped: 0,
      },
      {
        file: 'capture/r1-balance-rr-eth1.pcapng',
        port: 'tap-eth1',
        received: 100,
        written: 100,
        kernelDropped: 0,
        interfaceDropped: 0,
        writerDropped: 0,
        liveSkipped: 0,
      },
    ];
    const en = buildReport(run, 'en').warnings.filter((w) => w.kind === 'dropped-frames');
    expect(en).toHaveLength(1);
    expect(en[0]!.step).toBe(step.index);
    expect(en[0]!.text).toMatch(
      /^Step \d+ \(.+\): 17 of 5007 frames are not in capture\/r1-balance-rr\.pcapng \(tester0\): kernel dropped 7, writer dropped 10; the interface’s drop counter rose by 2\.$/,
    );
    const zh = buildReport(run, 'zh-CN').warnings.filter((w) => w.kind === 'dropped-frames');
    expect(zh[0]!.text).toContain('缺少 5007 帧中的 17 帧：内核丢弃 7，写入器丢弃 10');
  });
});

describe('the probe’s achieved rate', () => {
  const records = (count: number, everyMs: number): EchoRecord[] =>
    Array.from({ length: count }, (_, seq) => ({
      seq,
      sentMs: 1_795_000_000_000 + seq * everyMs,
      sentClock: 'capture' as const,
      replies: [],
    }));
  const stats = (echo: EchoRecord[]) =>
    probeStats(echo, [], { rate: 100, stepStartMs: 1_795_000_000_000, bondIp: '10.77.1.253' });

  it('is measured from the requests that left, and judged against the plan’s rate', () => {
    const kept = stats(records(201, 10));
    expect(kept.achievedRate).toBe(100);
    expect(probeFellShort(kept)).toBe(false);
    const slow = stats(records(101, 20));
    expect(slow.achievedRate).toBe(50);
    expect(probeFellShort(slow)).toBe(true);
    // Requests whose leaving nobody saw do not count as sent.
    const unseen = records(201, 10).map((r, i) => (i % 2 ? { ...r, sentMs: Number.NaN } : r));
    expect(stats(unseen).achievedRate).toBe(50);
    expect(stats(records(1, 10)).achievedRate).toBeUndefined();
    expect(probeFellShort(stats(records(1, 10)))).toBe(false);
  });

  it('is a warning of the report and of the run view when it fell short', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const step = run.steps.find((s) => s.measurements?.probe)!;
    step.measurements!.probe!.achievedRate = 61.5;
    const warning = buildReport(run, 'en').warnings.find((w) => w.kind === 'probe-rate');
    expect(warning?.step).toBe(step.index);
    expect(warning?.text).toMatch(/the probe sent 61\.5 requests\/s, short of the planned 100\/s/);
    expect(buildReport(run, 'zh-CN').warnings.find((w) => w.kind === 'probe-rate')?.text).toContain(
      '探测实际发送 61.5 个请求/秒，低于计划的 100/秒',
    );
    expect(stepNotes(step).map((n) => n.key)).toEqual(['captureLoss.probeShort']);
  });
});

describe('capture losses in steps.jsonl', () => {
  const record = (capture: unknown) =>
    JSON.stringify({
      index: 0,
      repetition: 1,
      mode: 'balance-rr',
      kind: 'probe',
      label: 'mode balance-rr: probe 2 s',
      startedAt: '2026-11-29T18:00:00.000Z',
      durationMs: 2000,
      status: 'ok',
      capture,
    });
  const loss = {
    file: 'capture/r1-balance-rr.pcapng',
    port: 'tester0',
    received: 10,
    written: 9,
    kernelDropped: 1,
    interfaceDropped: 0,
    writerDropped: 1,
    liveSkipped: 0,
  };

  it('are read back checked: counts must be counts', () => {
    expect(parseStepRecord(record([loss]), 'steps.jsonl', 1).capture).toEqual([loss]);
    expect(() => parseStepRecord(record([{ ...loss, kernelDropped: '1<script>' }]), 'steps.jsonl', 3)).toThrow(
      /steps\.jsonl.*3/,
    );
    expect(() => parseStepRecord(record([{ ...loss, written: -1 }]), 'steps.jsonl', 4)).toThrow(RunFileError);
  });
});
