/**
 * buildReport: a run folder's content (manifest, plan, steps) → the report model, in one language. The verdicts
 * come from the oracle, statistics from shared/run/stats.ts; nothing here measures anything anew. Pure.
 */

import type { Language } from '../api.js';
import { modeKey, t } from '../i18n/catalogue.js';
import { mapPartText, sayReason } from '../oracle/failover.js';
import { judgeRun, outageDistribution } from '../oracle/oracle.js';
import { type ModeName, type Plan, stepLabel } from '../plan/plan.js';
import { planToYaml } from '../plan/plan-file.js';
import { maskSecrets, planSecrets, redactPlan } from '../plan/secrets.js';
import { planAtPoint, pointLabel, sweepAxes, sweepPoints } from '../plan/sweep.js';
import { stepNotes } from '../run/capture-loss.js';
import type { RunContent } from '../run/compare.js';
import { ALL_REPETITIONS, MATRIX_COLUMNS, type MatrixRow, type RunManifest, type StepRecord } from '../run/model.js';
import { failoverStats, sweepSeries } from '../run/stats.js';
import { sayCell } from './cell-text.js';
import {
  type ArpRow,
  type BootRow,
  type OutageSeries,
  type PlanFacts,
  type PullRow,
  REPORT_VERSION,
  type ReportCell,
  type ReportColumn,
  type ReportModel,
  type ReportRow,
  type ReportWarning,
  type RunFacts,
  type ShareRow,
  type StepHead,
  type StepRow,
  type SweepReport,
  type Timeline,
} from './model.js';

export type { RunContent };

/** How a boot row's host was booted, in the reader's language (the Boots table's "boot" column). */
export function bootVia(language: Language, boot: Pick<BootRow, 'via' | 'offSeconds'>): string {
  const seconds = boot.offSeconds ?? 0;
  if (boot.via === 'reboot') return t(language, 'power.report.reboot');
  if (boot.via === 'watchdog') return t(language, 'power.report.watchdog', { seconds });
  return t(language, 'power.report.powerCycle', { seconds });
}

export function modeLabel(language: Language, mode: string): string {
  return t(language, modeKey(mode));
}

/** A matrix column's title; the MAC columns are named after the plan's first and second slave. */
export function columnLabel(language: Language, column: string, slaves: readonly (string | undefined)[]): string {
  const slave = column === 'eth1Mac' ? slaves[0] : column === 'eth2Mac' ? slaves[1] : undefined;
  return t(language, `matrix.column.${column}`, { slave: slave ?? '?' });
}

/** A step as the report names it, in its language ("pull eth1"); the engine's own label stays in StepRow. */
export function stepText(
  language: Language,
  step: { kind: StepRecord['kind']; slave?: string | null; label: string },
): string {
  const kind = t(language, `report.kind.${step.kind}`);
  switch (step.kind) {
    case 'pull':
    case 'plug':
      return step.slave ? `${kind} ${step.slave}` : kind;
    case 'probe': {
      const seconds = /probe ([\d.]+) s/.exec(step.label)?.[1];
      return seconds ? `${kind} ${t(language, 'report.units.s', { value: seconds })}` : kind;
    }
    default:
      return kind;
  }
}

// One home for what counts as a credential: shared/plan/secrets.ts.
export { planHasSecrets, redactPlan } from '../plan/secrets.js';

/** The run's error in a language: from its parts when the run said it in its own words, else as recorded. */
function runError(language: Language, manifest: RunManifest): string | undefined {
  return manifest.errorParts ? sayReason(language, manifest.errorParts) : manifest.error;
}

function runFacts(language: Language, manifest: RunManifest, steps: StepRecord[]): RunFacts {
  const started = Date.parse(manifest.startedAt);
  const finished = manifest.finishedAt ? Date.parse(manifest.finishedAt) : Number.NaN;
  return {
    id: manifest.id,
    planName: manifest.planName,
    status: manifest.status,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt ?? null,
    durationMs: Number.isFinite(started) && Number.isFinite(finished) ? finished - started : null,
    benchVersion: manifest.benchVersion,
    host: manifest.host
      ? { target: manifest.host.target, kernel: manifest.host.kernel, distribution: manifest.host.distribution }
      : null,
    nics: (manifest.host?.nics ?? []).map((n) => ({
      name: n.name,
      mac: n.mac,
      permanentMac: n.permanentMac ?? null,
      driver: n.driver ?? null,
      speedMbps: n.speedMbps ?? null,
    })),
    tester: manifest.tester
      ? {
          interface: manifest.tester.interface,
          address: manifest.tester.address ?? null,
          mac: manifest.tester.mac ?? null,
          filter: manifest.tester.filter,
          timestamps: manifest.tester.timestamps,
        }
      : null,
    restored: manifest.restored ?? null,
    error: runError(language, manifest) ?? null,
    stepsDone: steps.length,
    totalSteps: manifest.totalSteps,
  };
}

function planFacts(language: Language, plan: Plan, steps: readonly StepRecord[]): PlanFacts {
  const shown = redactPlan(plan);
  const optionText = (v: unknown) => (Array.isArray(v) ? v.join(' ') : String(v));
  return {
    name: plan.name,
    target: plan.host.target,
    bond: { name: plan.bond.name, slaves: [...plan.bond.slaves], address: plan.bond.address, peer: plan.bond.peer },
    options: Object.entries(plan.bond.options)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => ({ name, value: optionText(v) })),
    modes: [...plan.modes],
    apply: {
      method: plan.apply.method,
      perMode: Object.entries(plan.apply.perMode ?? {}).map(([mode, method]) => ({ mode: mode as ModeName, method })),
      netifrcStyle: plan.apply.netifrcStyle,
    },
    probeRate: plan.probe.rate,
    // What the pulls ran at, from their records (a run made before pullRate existed probed pulls at probe.rate).
    pullRate:
      steps.find((s) => s.kind === 'pull' && s.measurements?.probe)?.measurements?.probe?.rate ?? plan.probe.pullRate,
    arpPolicy: plan.probe.arpPolicy,
    reaskAfterMs: plan.probe.arpPolicy === 'passive' ? null : (plan.probe.reaskAfterMs ?? 1000),
    steps: plan.steps.map(stepLabel),
    repeat: plan.repeat,
    drivers: {
      power: plan.drivers.power.type,
      link: plan.drivers.link.type,
      ...(plan.drivers.switch ? { switch: plan.drivers.switch.type } : {}),
    },
    yaml: planToYaml(shown, language),
  };
}

function matrixRows(
  language: Language,
  rows: MatrixRow[],
  byIndex: Map<number, StepRecord>,
  pointLabels: Map<number, string>,
): ReportRow[] {
  return rows.map((row) => ({
    mode: row.mode,
    modeLabel: modeLabel(language, row.mode),
    repetition: row.repetition,
    ...(row.point !== undefined ? { point: pointLabels.get(row.point) ?? String(row.point) } : {}),
    cells: MATRIX_COLUMNS.flatMap((column): ReportCell[] => {
      const cell = row.cells[column];
      if (!cell) return [];
      return [
        {
          column,
          value: cell.value,
          text: sayCell(
            (key, vars) => t(language, key, vars),
            column,
            cell,
            (i) => byIndex.get(i),
          ),
          verdict: cell.verdict,
          verdictText: t(language, `verdict.${cell.verdict}`),
          reason: cell.reasonParts ? sayReason(language, cell.reasonParts) : cell.reason,
          evidence: cell.evidence,
        },
      ];
    }),
    // Notes the oracle said in message parts are said in the report's language; the others as written.
    notes: row.notes.map((note, i) => {
      const parts = row.noteParts?.[i];
      return parts ? sayReason(language, parts) : note;
    }),
  }));
}

function stepRow(step: StepRecord, language: Language): StepRow {
  const m = step.measurements;
  const p = m?.probe;
  const r = step.reading;
  return {
    index: step.index,
    repetition: step.repetition,
    mode: step.mode,
    kind: step.kind,
    slave: step.slave ?? null,
    label: step.label,
    status: step.status,
    error: step.errorParts ? sayReason(language, step.errorParts) : (step.error ?? null),
    startedAt: step.startedAt,
    durationMs: step.durationMs,
    applyMethod: step.apply?.method ?? null,
    rebootMs: step.apply?.rebootMs ?? null,
    pcapng: step.pcapng ?? null,
    firstFrame: step.frames?.first ?? null,
    lastFrame: step.frames?.last ?? null,
    bondMode: r?.bondMode ?? null,
    bondMac: r?.bondMac ?? null,
    activeSlave: r?.activeSlave ?? null,
    miimon: r?.miimon ?? null,
    slaves: r?.slaves.map((s) => ({ ...s })) ?? [],
    arpProbe: m?.arp.probe ?? null,
    arpGratuitous: m?.arp.gratuitous ?? null,
    arpRequest: m?.arp.request ?? null,
    arpReply: m?.arp.reply ?? null,
    learningFrames: m?.learningFrames ?? null,
    unsolicitedNa: m?.unsolicitedNa ?? null,
    lacpdus: m?.lacpdus ?? null,
    droppedFrames: m?.droppedFrames ?? null,
    probeRate: p?.rate ?? null,
    sent: p?.sent ?? null,
    received: p?.received ?? null,
    lost: p?.lost ?? null,
    duplicates: p?.duplicates ?? null,
    reordered: p?.reordered ?? null,
    rttMinMs: p?.rttMs?.min ?? null,
    rttMedianMs: p?.rttMs?.median ?? null,
    rttMaxMs: p?.rttMs?.max ?? null,
    failoverMs: p?.failoverMs ?? null,
    lossConvergenceMs: p?.lossConvergenceMs ?? null,
    detectionMs: p?.detectionMs ?? null,
    gapFrameBefore: p?.gapFrames?.[0] ?? null,
    gapFrameAfter: p?.gapFrames?.[1] ?? null,
    txShare: m?.txShare ? { ...m.txShare } : null,
    portShare: m?.portShare ? { ...m.portShare } : null,
  };
}

function stepHead(language: Language, step: StepRecord): StepHead {
  return {
    step: step.index,
    repetition: step.repetition,
    mode: step.mode,
    kind: step.kind,
    label: stepText(language, step),
  };
}

function timelines(language: Language, steps: StepRecord[]): Timeline[] {
  return steps.flatMap((step): Timeline[] => {
    const p = step.measurements?.probe;
    if (!p) return [];
    return [
      {
        ...stepHead(language, step),
        slave: step.slave ?? null,
        caption: t(language, 'report.timeline.caption', {
          step: step.index,
          mode: modeLabel(language, step.mode),
          repetition: step.repetition,
          label: stepText(language, step),
        }),
        rate: p.rate,
        sent: p.sent,
        received: p.received,
        lost: p.lost,
        duplicates: p.duplicates,
        rttMs: p.rttMs ? { ...p.rttMs } : null,
        failoverMs: p.failoverMs ?? null,
        gapFrames: p.gapFrames ? [p.gapFrames[0], p.gapFrames[1]] : null,
        pcapng: step.pcapng ?? null,
        samples: p.samples.map(([at, rtt]) => [at, rtt]),
        markers: p.markers.map((mk) => ({ ...mk })),
      },
    ];
  });
}

function pullRows(language: Language, steps: StepRecord[]): PullRow[] {
  return steps.flatMap((step): PullRow[] => {
    const p = step.measurements?.probe;
    const a = p?.anatomy;
    if (!p || !a || step.kind !== 'pull') return [];
    const ports = (before?: string, after?: string) => `${before ?? '?'} → ${after ?? '?'}`;
    const paths = a.lostPaths;
    return [
      {
        ...stepHead(language, step),
        slave: a.slave,
        pcapng: step.pcapng ?? null,
        rate: p.rate,
        carrierOffUncertaintyMs: a.carrierOffUncertaintyMs,
        cableOutMs: a.cableOutMs ?? null,
        confirmedMs: a.confirmedMs ?? null,
        confirmedBy: a.confirmedBy ?? null,
        lastReplyBeforeMs: a.lastReplyBefore?.atMs ?? null,
        reactionMs: a.reaction?.atMs ?? null,
        reaction: a.reaction
          ? t(language, 'failover.anatomy.reactionAt', {
              kind: t(language, `failover.kind.${a.reaction.kind}`),
              port: a.reaction.port,
              frame: a.reaction.frame,
            })
          : null,
        reaskMs: a.testerReask?.atMs ?? null,
        firstReplyAfterMs: a.firstReplyAfter?.atMs ?? null,
        replyPorts: ports(a.replyPortBefore, a.replyPortAfter),
        requestPorts: ports(a.requestPortBefore, a.requestPortAfter),
        gapMs: a.gapMs,
        lossDerivedMs: a.lossDerivedMs,
        lost: a.lost,
        sentInOutage: a.sentInOutage,
        lossSpanMs: a.lossSpanMs,
        partial: a.partial,
        endedBy: t(language, `failover.anatomy.ended.${a.endedBy}`),
        lostPaths: t(language, 'failover.anatomy.paths', {
          toPulled: paths.toPulledSlave,
          noReply: paths.noReply,
          // Runs recorded before the dead cable was told apart counted those replies as unanswered.
          deadCable: paths.replyToPulledSlave ?? 0,
          notDelivered: paths.replyNotDelivered,
          unseen: paths.unseen,
        }),
      },
    ];
  });
}

function arpRows(language: Language, steps: StepRecord[]): ArpRow[] {
  return steps.flatMap((step): ArpRow[] => {
    const m = step.measurements;
    if (!m) return [];
    return [
      {
        ...stepHead(language, step),
        pcapng: step.pcapng ?? null,
        ...m.arp,
        frames: [...m.arpFrames],
        bySource: Object.entries(m.arpBySource)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([mac, counts]) => ({ mac, ...counts })),
      },
    ];
  });
}

function bootRows(language: Language, steps: StepRecord[]): BootRow[] {
  return steps.flatMap((step): BootRow[] => {
    const boot = step.boot;
    if (!boot) return [];
    return [
      {
        ...stepHead(language, step),
        status: step.status,
        via: boot.watchdog ? 'watchdog' : boot.via,
        driver: boot.driver ?? null,
        offSeconds: boot.offSeconds ?? null,
        bootMs: boot.bootMs ?? null,
        persisted: boot.persisted ? boot.persisted.matches : null,
        differences: boot.persisted?.differenceParts
          ? boot.persisted.differenceParts.map((part) => sayReason(language, [part]))
          : [...(boot.persisted?.differences ?? [])],
        linkFailures: (step.reading?.slaves ?? []).flatMap((s) =>
          s.linkFailures === undefined ? [] : [{ slave: s.name, count: s.linkFailures }],
        ),
        recoveries: boot.recoveries?.length ?? 0,
        wire: (boot.wire ?? []).map((w) => ({ ...w })),
        pcapng: step.pcapng ?? null,
      },
    ];
  });
}

function shareRows(language: Language, steps: StepRecord[], slaves: readonly string[]): ShareRow[] {
  const ordered = (share: Record<string, number>) => {
    const names = [...slaves.filter((s) => s in share), ...Object.keys(share).filter((s) => !slaves.includes(s))];
    return names.map((slave) => ({ slave, share: share[slave]! }));
  };
  return steps.flatMap((step) => {
    const m = step.measurements;
    const rows: ShareRow[] = [];
    const base = stepHead(language, step);
    if (m?.portShare) rows.push({ ...base, source: 'switch-ports', shares: ordered(m.portShare) });
    if (m?.txShare) rows.push({ ...base, source: 'host-counters', shares: ordered(m.txShare) });
    return rows;
  });
}

function warnings(language: Language, manifest: RunManifest, steps: StepRecord[]): ReportWarning[] {
  const list: ReportWarning[] = [];
  const add = (kind: ReportWarning['kind'], step: number | null, key: string, vars: Record<string, string | number>) =>
    list.push({ kind, step, text: t(language, `report.warning.${key}`, vars) });
  if (manifest.status !== 'completed') {
    add('status', null, 'status', { status: t(language, `report.status.${manifest.status}`) });
  }
  const error = runError(language, manifest);
  if (error) add('error', null, 'error', { text: error });
  if (steps.length < manifest.totalSteps)
    add('incomplete', null, 'incomplete', { done: steps.length, total: manifest.totalSteps });
  if (manifest.restored === false) add('not-restored', null, 'notRestored', {});
  manifest.warnings.forEach((text, i) => {
    const parts = manifest.warningParts?.[i];
    add('run', null, 'run', { text: parts ? sayReason(language, parts) : text });
  });
  for (const step of steps) {
    const vars = { step: step.index, mode: modeLabel(language, step.mode), label: stepText(language, step) };
    if (step.status === 'failed') {
      const error = step.errorParts ? sayReason(language, step.errorParts) : (step.error ?? '?');
      add('step-failed', step.index, 'stepFailed', { ...vars, error });
    }
    for (const note of stepNotes(step)) {
      const kind = note.key === 'captureLoss.probeShort' ? 'probe-rate' : 'dropped-frames';
      list.push({ kind, step: step.index, text: t(language, note.key, { ...vars, ...note.vars }) });
    }
    if (!step.capture) {
      // Runs recorded before per-file accounting carry only the step's total.
      const dropped = step.measurements?.droppedFrames ?? 0;
      if (dropped > 0) add('dropped-frames', step.index, 'dropped', { ...vars, count: dropped });
    }
  }
  return list;
}

/** The write-up's shape: a mode's repetitions one under the other, modes in plan order. */
export function byMode(rows: MatrixRow[], modeOrder: readonly string[]): MatrixRow[] {
  const rank = (row: MatrixRow) => modeOrder.indexOf(row.mode);
  // The pooled row under the mode's repetitions.
  const rep = (row: MatrixRow) => (row.repetition === ALL_REPETITIONS ? Number.POSITIVE_INFINITY : row.repetition);
  // A sweep's matrices one after the other, one per point.
  return [...rows].sort((a, b) => (a.point ?? 0) - (b.point ?? 0) || rank(a) - rank(b) || rep(a) - rep(b));
}

/** Every pull's outage per mode, per sweep point in a sweep's run, each judged against the options it ran with. */
function outageSeries(
  language: Language,
  plan: Plan,
  steps: StepRecord[],
  modeOrder: readonly ModeName[],
): OutageSeries[] {
  const groups = plan.sweep
    ? sweepPoints(plan).map((p) => ({
        plan: planAtPoint(plan, p),
        point: pointLabel(p),
        steps: steps.filter((s) => s.point === p.index),
      }))
    : [{ plan, point: null, steps }];
  return groups.flatMap((g) =>
    modeOrder.flatMap((mode): OutageSeries[] => {
      const d = outageDistribution(g.plan, mode, g.steps);
      if (!d) return [];
      return [
        {
          mode,
          modeLabel: modeLabel(language, mode),
          point: g.point,
          medianMs: d.medianMs,
          p95Ms: d.p95Ms,
          minMs: d.minMs,
          maxMs: d.maxMs,
          resolutionMs: d.resolutionMs,
          pulls: d.pulls.map((p) => ({
            step: p.step,
            repetition: p.repetition,
            slave: p.slave,
            outageMs: p.outageMs,
            partial: p.partial,
            verdict: p.verdict,
            endedBy: t(language, `failover.anatomy.ended.${p.endedBy}`),
          })),
          excluded: [...d.excluded],
        },
      ];
    }),
  );
}

/**
 * A sweep's axes, points and figures per mode (in `modeOrder`): what the report and the UI plot. The plan must have
 * a `sweep` (a plan without one has a single point and nothing to plot).
 */
export function sweepReport(
  plan: Pick<RunContent['plan'], 'sweep'>,
  steps: readonly StepRecord[],
  modeOrder: readonly ModeName[],
): SweepReport {
  const points = sweepPoints(plan);
  return {
    axes: sweepAxes(plan).map(([option, values]) => ({ option, values })),
    points: points.map((p) => ({ index: p.index, label: pointLabel(p) })),
    series: sweepSeries(
      steps,
      points.map((p) => p.index),
      modeOrder,
    ),
  };
}

/** The report model of a run, in one language. */
export function buildReport(run: RunContent, language: Language): ReportModel {
  const { plan } = run;
  // A run folder written before masking (or by another bench) may quote credentials in errors: mask them here too.
  const secrets = planSecrets(plan);
  const mask = (text: string) => maskSecrets(text, secrets);
  const manifest = {
    ...run.manifest,
    error: run.manifest.error === undefined ? undefined : mask(run.manifest.error),
    warnings: run.manifest.warnings.map(mask),
    errorParts: run.manifest.errorParts && mapPartText(run.manifest.errorParts, mask),
    warningParts: run.manifest.warningParts?.map((parts) => parts && mapPartText(parts, mask)),
  };
  const steps = run.steps.map((s) =>
    s.error
      ? { ...s, error: mask(s.error), ...(s.errorParts ? { errorParts: mapPartText(s.errorParts, mask) } : {}) }
      : s,
  );
  const byIndex = new Map(steps.map((s) => [s.index, s]));
  const columns: ReportColumn[] = MATRIX_COLUMNS.map((id) => ({
    id,
    title: columnLabel(language, id, plan.bond.slaves),
  }));
  const modeOrder = [...plan.modes, ...new Set(steps.map((s) => s.mode).filter((m) => !plan.modes.includes(m)))];
  return {
    kind: 'bondbench-report',
    version: REPORT_VERSION,
    language,
    title: t(language, 'report.title'),
    run: runFacts(language, manifest, steps),
    plan: planFacts(language, plan, steps),
    columns,
    matrix: matrixRows(
      language,
      byMode(judgeRun(plan, steps), modeOrder),
      byIndex,
      new Map(sweepPoints(plan).map((p) => [p.index, pointLabel(p)])),
    ),
    failover: failoverStats(steps, modeOrder),
    outages: outageSeries(language, plan, steps, modeOrder),
    pulls: pullRows(language, steps),
    timelines: timelines(language, steps),
    arp: arpRows(language, steps),
    boots: bootRows(language, steps),
    share: shareRows(language, steps, plan.bond.slaves),
    steps: steps.map((s) => stepRow(s, language)),
    warnings: warnings(language, manifest, steps),
    ...(plan.sweep ? { sweep: sweepReport(plan, steps, modeOrder) } : {}),
  };
}
