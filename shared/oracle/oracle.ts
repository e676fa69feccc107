/**
 * The oracle: what Documentation/networking/bonding.rst says each mode should do, and a verdict for every measured
 * cell of the write-up's table — as expected, unexpected, or not measurable — with the reason and the evidence.
 * Pure.
 */

import type { PullAnatomy } from '../measure/anatomy.js';
import { wholePercentages } from '../measure/share.js';
import { type BondOptions, type ModeName, modeOptions, type Plan } from '../plan/plan.js';
import { planAtPoint, sweepPoints } from '../plan/sweep.js';
import {
  ALL_REPETITIONS,
  type Cell,
  type Evidence,
  type HostReading,
  type MatrixRow,
  type ProbeStats,
  type ReasonPart,
  type StepRecord,
  type Verdict,
} from '../run/model.js';
import { percentile, spread } from '../run/stats.js';
import { judgePull, type PullContext, type PullVerdict, sayReason } from './failover.js';
import { judgeLoad } from './load.js';

export interface ModeExpectation {
  /** Slaves share the bond's MAC (true) or keep their own (false); undefined when there is no bond. */
  sharedMac?: boolean;
  /** How echo replies spread over the slaves for a single peer. */
  spread: 'alternate' | 'single' | 'all' | 'by-load' | 'none';
  faultTolerant: boolean;
  /** Gratuitous ARPs expected from the new active slave at failover. */
  gratuitousArpAtFailover: number;
  /** Every frame from the host arrives twice. */
  duplicates: boolean;
  /** The bond MAC moves to the surviving slave when the active one is pulled. */
  macMoves: boolean;
  needsLacpPartner: boolean;
  summary: string;
}

export function expectationFor(mode: ModeName, options: BondOptions): ModeExpectation {
  const failOverMac = options.fail_over_mac ?? 'none';
  switch (mode) {
    case 'standalone':
      return {
        spread: 'none',
        faultTolerant: false,
        gratuitousArpAtFailover: 0,
        duplicates: false,
        macMoves: false,
        needsLacpPartner: false,
        summary: 'no bond: each NIC keeps its own MAC and nothing takes over when one is pulled',
      };
    case 'balance-rr':
      return {
        sharedMac: true,
        spread: 'alternate',
        faultTolerant: true,
        gratuitousArpAtFailover: 0,
        duplicates: false,
        macMoves: false,
        needsLacpPartner: false,
        summary: 'round robin per packet over all slaves, which share the bond MAC',
      };
    case 'active-backup':
      return {
        sharedMac: failOverMac === 'none',
        spread: 'single',
        faultTolerant: true,
        gratuitousArpAtFailover: options.num_grat_arp ?? 1,
        duplicates: false,
        macMoves: false,
        needsLacpPartner: false,
        summary: `only the active slave sends; on failover the new one sends num_grat_arp (${options.num_grat_arp ?? 1}) gratuitous ARP`,
      };
    case 'balance-xor':
      return {
        sharedMac: true,
        spread: 'single',
        faultTolerant: true,
        gratuitousArpAtFailover: 0,
        duplicates: false,
        macMoves: false,
        needsLacpPartner: false,
        summary: `one peer stays on one slave (xmit_hash_policy ${options.xmit_hash_policy ?? 'layer2'})`,
      };
    case 'broadcast':
      return {
        sharedMac: true,
        spread: 'all',
        faultTolerant: true,
        gratuitousArpAtFailover: 0,
        duplicates: true,
        macMoves: false,
        needsLacpPartner: false,
        summary: 'every frame on every slave: the peer sees each reply twice',
      };
    case '802.3ad':
      return {
        sharedMac: true,
        spread: 'single',
        faultTolerant: true,
        gratuitousArpAtFailover: 0,
        duplicates: false,
        macMoves: false,
        needsLacpPartner: true,
        summary: 'hash inside the active aggregator; needs an LACP partner on the switch',
      };
    case 'balance-tlb':
    case 'balance-alb':
      return {
        sharedMac: false,
        spread: 'by-load',
        faultTolerant: true,
        gratuitousArpAtFailover: 0,
        duplicates: false,
        macMoves: true,
        needsLacpPartner: false,
        summary: 'slaves keep distinct MACs; the bond MAC moves to the surviving slave on failover',
      };
  }
}

const shortMac = (mac: string | undefined) => (mac ? mac.split(':').slice(3).join(':') : '?');

function cell<T extends Cell['value']>(
  value: T,
  text: string,
  verdict: Verdict,
  reason: string,
  evidence: Evidence,
): Cell<T> {
  return { value, text, verdict, reason, evidence };
}

/** A cell whose reason is message parts (oracle.* keys): English in `reason`, any language from `reasonParts`. */
function saidCell<T extends Cell['value']>(
  value: T,
  text: string,
  verdict: Verdict,
  parts: ReasonPart[],
  evidence: Evidence,
): Cell<T> {
  return { ...cell(value, text, verdict, sayReason('en', parts), evidence), reasonParts: parts };
}

const said = (key: string, vars?: ReasonPart['vars']): ReasonPart[] => [
  vars ? { key: `oracle.${key}`, vars } : { key: `oracle.${key}` },
];

/** For 802.3ad: the reason there is no working aggregate, or undefined when LACP negotiated. */
function lacpProblem(reading: HostReading | undefined): string | undefined {
  if (!reading?.lacp) return undefined;
  return reading.lacp.negotiated ? undefined : reading.lacp.reason;
}

interface JudgedPull {
  step: StepRecord;
  anatomy: PullAnatomy;
  verdict: PullVerdict;
}

/**
 * Every pull of one mode with the slaves still up after it (walking the steps in order: a pull takes a slave
 * away, a plug gives it back) and its verdict. Pulls recorded before anatomies existed get one from their stats.
 */
export function judgePulls(plan: Plan, mode: ModeName, steps: StepRecord[]): JudgedPull[] {
  const up = new Set(plan.bond.slaves);
  const judged: JudgedPull[] = [];
  let switchChannel: PullContext['switchChannel'];
  let previous: StepRecord | undefined;
  for (const step of steps) {
    const before = previous;
    previous = step;
    if (step.kind === 'bring-up') switchChannel = step.switch?.channel;
    if (step.kind === 'plug' && step.slave && step.status === 'ok') up.add(step.slave);
    if (step.kind !== 'pull' || !step.slave) continue;
    up.delete(step.slave);
    const probe = step.measurements?.probe;
    if (!probe) continue;
    const anatomy = probe.anatomy ?? anatomyFromStats(step.slave, probe);
    const spec = plan.steps.find((s) => s.kind === 'pull' && s.slave === step.slave);
    const left = plan.bond.slaves.filter((s) => up.has(s));
    // 802.3ad on an LACP partner carries traffic on the pulled slave's aggregator: a slave up but elsewhere (LACP
    // had not taken it back after its plug, as the host read it just before) waits for the partner to re-aggregate.
    // Without a partner each port sits in an aggregator of its own and the bond fails over by reselecting one.
    const unaggregated =
      mode === '802.3ad' && switchChannel === 'lacp' ? outsideAggregator(before, step.slave, left) : [];
    const verdict = judgePull({
      mode,
      options: mode === 'standalone' ? plan.bond.options : modeOptions(plan, mode),
      anatomy,
      slavesLeft: left.filter((s) => !unaggregated.includes(s)),
      unaggregated,
      holdSeconds: spec && spec.kind === 'pull' ? spec.holdSeconds : 0,
      physical: plan.drivers.link.type !== 'host-ifdown',
      peer: plan.bond.peer ?? '',
      switchChannel,
    });
    judged.push({ step, anatomy, verdict });
  }
  return judged;
}

/** Slaves of `left` whose aggregator differed from the pulled slave's in the host reading before the pull. */
function outsideAggregator(before: StepRecord | undefined, pulled: string, left: string[]): string[] {
  const slaves = before?.reading?.slaves ?? [];
  const id = slaves.find((s) => s.name === pulled)?.aggregatorId;
  if (id === undefined) return [];
  return left.filter((name) => {
    const other = slaves.find((s) => s.name === name)?.aggregatorId;
    return other !== undefined && other !== id;
  });
}

/** The outage a failover cell shows for one pull: last reply before → first reply after, ms (0 when none was lost). */
export function pullOutageMs(anatomy: PullAnatomy): number {
  return Math.round(anatomy.endedBy === 'no-outage' ? 0 : (anatomy.outageMs ?? anatomy.gapMs));
}

/** A minimal anatomy from a step recorded without one: the reply gap, and whether replies came back at the end. */
function anatomyFromStats(slave: string, probe: ProbeStats): PullAnatomy {
  const tail = probe.samples.slice(-Math.max(3, Math.floor(probe.rate / 4)));
  const recovered = tail.some(([, rtt]) => rtt !== null);
  const gap = probe.failoverMs ?? 0;
  return {
    slave,
    intervalMs: 1000 / probe.rate,
    carrierOffAtMs: 0,
    carrierOffUncertaintyMs: 0,
    endedBy: !recovered ? 'not-recovered' : probe.lost === 0 ? 'no-outage' : 'unknown',
    lost: probe.lost,
    sentInOutage: probe.lost,
    lossSpanMs: probe.lossConvergenceMs ?? 0,
    partial: false,
    gapMs: gap,
    lossDerivedMs: probe.lossConvergenceMs ?? 0,
    outageMs: gap,
    recoveryMs: gap,
    lostPaths: { toPulledSlave: 0, noReply: 0, replyToPulledSlave: 0, replyNotDelivered: 0, unseen: probe.lost },
  };
}

/** Adds a note said by message parts: English in `notes`, the parts beside it in `noteParts`, index for index. */
function addNote(row: MatrixRow, part: ReasonPart): void {
  const parts = row.noteParts ?? row.notes.map(() => undefined);
  parts.length = row.notes.length;
  row.notes.push(sayReason('en', [part]));
  parts.push([part]);
  row.noteParts = parts;
}

/** The mode's summary (expectationFor) as a message part: catalogue `analysis.note.<mode>` with the options it names. */
export function summaryParts(mode: ModeName, options: BondOptions): ReasonPart[] {
  return [
    {
      key: `analysis.note.${mode.replaceAll('.', '')}`,
      vars: { num_grat_arp: options.num_grat_arp ?? 1, xmit_hash_policy: options.xmit_hash_policy ?? 'layer2' },
    },
  ];
}

/** Judges one mode of one repetition from its step records. */
export function judgeMode(plan: Plan, mode: ModeName, repetition: number, steps: StepRecord[]): MatrixRow {
  const mine = steps.filter((s) => s.mode === mode && s.repetition === repetition);
  // The options this mode ran with: the common ones it has and its own (plan.bond.perMode).
  const options = mode === 'standalone' ? plan.bond.options : modeOptions(plan, mode);
  const expect = expectationFor(mode, options);
  const row: MatrixRow = {
    mode,
    repetition,
    cells: {},
    notes: [expect.summary],
    noteParts: [summaryParts(mode, options)],
  };
  const bringUp = mine.find((s) => s.kind === 'bring-up');
  if (!bringUp || bringUp.status === 'failed') {
    // The engine's error is its own words (English), carried as written inside the note.
    addNote(
      row,
      bringUp?.error
        ? { key: 'oracle.note.bringUpFailed', vars: { error: bringUp.error } }
        : { key: 'oracle.note.notRun' },
    );
    return row;
  }
  const [first, second] = plan.bond.slaves;
  const macStep = mine.find((s) => s.kind === 'read-macs' && s.reading) ?? bringUp;
  const reading = macStep.reading;
  const lacpIssue = mode === '802.3ad' ? lacpProblem(reading) : undefined;
  const noPartner = lacpIssue !== undefined;
  // The LACP judge's reason in parts when the reading kept them (runs recorded before said it in English only).
  const lacpParts = reading?.lacp?.reasonParts;
  // What a cell's reason names as the LACP problem: the judge's part, or its English words in older runs.
  const lacpSaid: string | ReasonPart = lacpParts?.length === 1 ? lacpParts[0]! : (lacpIssue ?? '');
  if (lacpIssue) {
    if (lacpParts?.length === 1) addNote(row, lacpParts[0]!);
    else row.notes.push(lacpIssue);
  }
  // Against a real partner: which aggregator, which partner system and key (IEEE 802.1AX 6.4.2.3).
  else if (mode === '802.3ad' && reading?.lacp?.negotiated) {
    if (lacpParts?.length === 1) addNote(row, { key: 'oracle.note.lacp', vars: { reason: lacpParts[0]! } });
    else row.notes.push(`LACP: ${reading.lacp.reason}`);
  }

  // eth1 MAC / eth2 MAC: shared with the bond, or each its own.
  if (reading) {
    const slave = (name: string | undefined) => reading.slaves.find((s) => s.name === name);
    const a = slave(first);
    const b = slave(second);
    const shared = !!a && !!b && a.mac === b.mac;
    const evidence: Evidence = { steps: [macStep.index], readings: [`step ${macStep.index}`] };
    for (const [column, s] of [
      ['eth1Mac', a],
      ['eth2Mac', b],
    ] as const) {
      if (!s) {
        row.cells[column] = saidCell(null, '–', 'not-measurable', said('macMissing'), evidence);
        continue;
      }
      let verdict: Verdict = 'expected';
      let reason: ReasonPart[];
      if (expect.sharedMac === undefined) {
        verdict = s.permanentMac && s.mac !== s.permanentMac ? 'unexpected' : 'expected';
        reason = said(verdict === 'expected' ? 'macOwn' : 'macNotOwn');
      } else if (expect.sharedMac) {
        verdict = shared ? 'expected' : 'unexpected';
        reason = shared ? said('macShared') : said('macShouldShare', { mode });
      } else {
        verdict = shared ? 'unexpected' : 'expected';
        reason = shared ? said('macEqual', { mode }) : said('macDistinct');
      }
      row.cells[column] = saidCell(s.mac, shortMac(s.mac), verdict, reason, evidence);
    }
  }

  // ARP at boot: the driver sends none at bring-up (the write-up's came from its network scripts); broadcast doubles.
  // A real boot (netifrc bring-up, reboot or power-cycle step) is what the write-up measured: it wins when there.
  const bootStep = mine.find((s) => s.boot && s.status === 'ok' && s.measurements) ?? bringUp;
  const arp = bootStep.measurements?.arp;
  if (arp) {
    const count = arp.probe + arp.gratuitous;
    const evidence: Evidence = {
      pcapng: bootStep.pcapng,
      frames: bootStep.measurements?.arpFrames,
      steps: [bootStep.index],
    };
    // Which boot it was measured across, as a part of the reason in the reader's language.
    const boot = bootStep.boot;
    const source: ReasonPart[] = boot
      ? said(boot.bootMs !== undefined ? 'arpAcrossBoot' : 'arpAcrossBootUntimed', {
          boot: { key: boot.via === 'reboot' ? 'oracle.bootReboot' : 'oracle.bootPowerCycle' },
          ...(boot.bootMs !== undefined ? { ms: boot.bootMs } : {}),
        })
      : [];
    const text = `${arp.probe} probe${arp.probe === 1 ? '' : 's'}, ${arp.gratuitous} gratuitous`;
    if (count === 0) {
      row.cells.arpAtBoot = saidCell(
        0,
        text,
        expect.duplicates ? 'not-measurable' : 'expected',
        [...said(expect.duplicates ? 'arpNoneBroadcast' : 'arpNone'), ...source],
        evidence,
      );
    } else {
      const even = count % 2 === 0;
      const verdict: Verdict = expect.duplicates ? (even ? 'expected' : 'unexpected') : 'expected';
      row.cells.arpAtBoot = saidCell(
        count,
        text,
        verdict,
        [...said(expect.duplicates ? (even ? 'arpDoubled' : 'arpOdd') : 'arpScripts'), ...source],
        evidence,
      );
    }
  }

  // Load balancing: a load step (many peers and flows) says the most; else how one peer's replies spread.
  const loadStep = mine.find((s) => s.kind === 'load' && s.status === 'ok' && s.measurements?.load);
  const load = loadStep?.measurements?.load;
  if (loadStep && load && mode !== 'standalone') {
    const shares = plan.bond.slaves.map((slave) => load.share[slave] ?? 0);
    const text = `${wholePercentages(shares).join('% / ')}% · J ${load.jain.toFixed(2)}`;
    const judged = judgeLoad(mode, options, load, load.seconds);
    const evidence: Evidence = { pcapng: loadStep.pcapng, steps: [loadStep.index] };
    row.cells.loadBalancing = noPartner
      ? saidCell(text, text, 'not-measurable', said('spreadNoAggregate', { issue: lacpSaid }), evidence)
      : saidCell(text, text, judged.verdict, judged.parts, evidence);
  }
  const probeStep = mine.find((s) => s.kind === 'probe' && s.status === 'ok');
  const share = probeStep?.measurements?.portShare ?? probeStep?.measurements?.txShare;
  if (!row.cells.loadBalancing && probeStep && share && first && second) {
    const a = share[first] ?? 0;
    const b = share[second] ?? 0;
    // Shares of the same replies: said so they add up to 100.
    const [pa, pb] = wholePercentages([a, b]);
    const text = `${pa}% / ${pb}%`;
    const evidence: Evidence = { pcapng: probeStep.pcapng, steps: [probeStep.index] };
    const source: ReasonPart = {
      key: probeStep.measurements?.portShare ? 'oracle.sourcePorts' : 'oracle.sourceCounters',
    };
    const both = Math.min(a, b) >= 0.25;
    const dupes = probeStep.measurements?.probe?.duplicates ?? 0;
    let verdict: Verdict;
    let reason: ReasonPart[];
    switch (expect.spread) {
      case 'alternate':
        verdict = both ? 'expected' : 'unexpected';
        reason = said(both ? 'spreadAlternate' : 'spreadAlternateMissing', { source });
        break;
      case 'all':
        verdict = both && dupes > 0 ? 'expected' : 'unexpected';
        reason = said('spreadAll', { dupes, source });
        break;
      case 'single':
        if (noPartner) {
          verdict = 'not-measurable';
          reason = said('spreadNoAggregate', { issue: lacpSaid });
        } else {
          verdict = Math.max(a, b) >= 0.9 ? 'expected' : 'unexpected';
          reason = said('spreadSingle', { source });
        }
        break;
      case 'by-load':
        verdict = Math.max(a, b) >= 0.5 ? 'expected' : 'unexpected';
        reason = said('spreadByLoad', { source });
        break;
      default:
        verdict = 'not-measurable';
        reason = said('spreadNone', { text, source });
    }
    row.cells.loadBalancing = saidCell(text, expect.spread === 'none' ? '–' : text, verdict, reason, evidence);
  }

  // Fault tolerance and failover: every pull judged against the driver's model and the links still up.
  const pulls = mine.filter((s) => s.kind === 'pull' && s.measurements?.probe);
  if (pulls.length > 0) {
    const judged = judgePulls(plan, mode, mine);
    // Standalone has no bond: every pull counts, and not recovering is what is expected of it.
    const counted = mode === 'standalone' ? judged : judged.filter((j) => j.verdict.counts);
    const failed = counted.find((j) => !j.verdict.recovered);
    const ftEvidence: Evidence = { pcapng: (failed ?? judged[0]!).step.pcapng, steps: pulls.map((s) => s.index) };
    const ftParts: ReasonPart[] = failed
      ? failed.verdict.reason
      : counted.length > 0
        ? [{ key: 'failover.faultTolerance.ok' }]
        : [{ key: 'failover.faultTolerance.none' }];
    if (counted.length > 0 || mode === 'standalone') {
      const recovered = !failed;
      const ftVerdict: Verdict =
        mode === 'standalone'
          ? expect.faultTolerant === recovered
            ? 'expected'
            : 'unexpected'
          : recovered
            ? 'expected'
            : 'unexpected';
      row.cells.faultTolerance = {
        ...cell(recovered, recovered ? 'yes' : 'no', ftVerdict, sayReason('en', ftParts), ftEvidence),
        reasonParts: ftParts,
      };
    }
    // The failover cell: the worst judged pull (an unexpected one first, then the longest recovery).
    const candidates = mode === 'standalone' ? [] : counted.filter((j) => j.verdict.recovered);
    const worst = candidates.reduce<(typeof candidates)[number] | undefined>((m, j) => {
      if (!m) return j;
      if ((j.verdict.verdict === 'unexpected') !== (m.verdict.verdict === 'unexpected'))
        return j.verdict.verdict === 'unexpected' ? j : m;
      return (j.anatomy.recoveryMs ?? 0) > (m.anatomy.recoveryMs ?? 0) ? j : m;
    }, undefined);
    if (worst) {
      const a = worst.anatomy;
      const stats = worst.step.measurements!.probe!;
      const value = pullOutageMs(a);
      const textParts: ReasonPart[] = a.partial
        ? [{ key: 'failover.partial', vars: { lost: a.lost, sent: a.sentInOutage, span: Math.round(a.lossSpanMs) } }]
        : [{ key: 'failover.outage', vars: { value } }];
      let verdict = worst.verdict.verdict;
      let parts = [...worst.verdict.reason];
      // Pulls held too short to judge say so beside the cell's own.
      for (const j of judged) if (j.verdict.verdict === 'not-measurable') parts.push(...j.verdict.reason.slice(0, 1));
      if (judged.length > 1) {
        parts.push({
          key: 'failover.eachPull',
          vars: {
            list: judged.map((j) => `${j.step.slave}: ${pullOutageMs(j.anatomy)}`).join(', '),
          },
        });
      }
      if (noPartner) {
        verdict = 'not-measurable';
        parts = [{ key: 'failover.noAggregate', vars: { reason: lacpSaid } }, ...parts];
      }
      const evidence: Evidence = {
        pcapng: worst.step.pcapng,
        frames: stats.gapFrames ? [...stats.gapFrames] : undefined,
        steps: pulls.map((s) => s.index),
      };
      row.cells.failoverMs = {
        ...cell(value, sayReason('en', textParts), verdict, sayReason('en', parts), evidence),
        reasonParts: parts,
        textParts,
      };
    }
    if (expect.macMoves) {
      const after = pulls.find((s) => s.slave === first)?.reading;
      const survivor = after?.slaves.find((s) => s.name === second);
      const bondMac = after?.bondMac;
      if (survivor && bondMac) {
        addNote(
          row,
          survivor.mac === bondMac
            ? { key: 'oracle.note.macMoved', vars: { pulled: first!, survivor: second!, mac: shortMac(bondMac) } }
            : {
                key: 'oracle.note.macKept',
                vars: { pulled: first!, survivor: second!, mac: shortMac(survivor.mac), bondMac: shortMac(bondMac) },
              },
        );
      }
    }
  }
  return row;
}

/** One pull in a mode's distribution of outages. */
export interface PulledOutage {
  step: number;
  repetition: number;
  slave: string;
  /** What the failover cell shows for it (pullOutageMs), ms. */
  outageMs: number;
  /** Only the frames hashed to the dead slave were lost. */
  partial: boolean;
  /** The pull's own verdict against the driver's model (judgePull). */
  verdict: Verdict;
  endedBy: PullAnatomy['endedBy'];
  /** The pull's reason, as message parts. */
  reason: ReasonPart[];
  pcapng?: string;
  /** The frames either side of the longest reply gap, in pcapng. */
  frames?: [number, number];
}

/**
 * A mode's outages over every repetition: the pulls the bond had to cover and recovered from (not the last slave
 * up, not a cable put back too soon, not a repetition without an LACP aggregate), with nearest-rank percentiles.
 */
export interface OutageDistribution {
  mode: ModeName;
  pulls: PulledOutage[];
  medianMs: number;
  /** Nearest-rank 95th percentile: with fewer than 20 pulls, the largest or close to it. */
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** Probe interval (ms): the resolution of every value. */
  resolutionMs: number;
  /** Pull steps of the mode left out of the distribution (see above). */
  excluded: number[];
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The distribution of one mode's failover outages over every repetition in `steps`; undefined without one. */
export function outageDistribution(plan: Plan, mode: ModeName, steps: StepRecord[]): OutageDistribution | undefined {
  if (mode === 'standalone') return undefined;
  const pulls: PulledOutage[] = [];
  const excluded: number[] = [];
  const repetitions = [...new Set(steps.filter((s) => s.mode === mode).map((s) => s.repetition))].sort((a, b) => a - b);
  let interval = 0;
  for (const repetition of repetitions) {
    const mine = steps.filter((s) => s.mode === mode && s.repetition === repetition);
    const bringUp = mine.find((s) => s.kind === 'bring-up');
    const reading = (mine.find((s) => s.kind === 'read-macs' && s.reading) ?? bringUp)?.reading;
    const noPartner = mode === '802.3ad' && lacpProblem(reading) !== undefined;
    for (const j of judgePulls(plan, mode, mine)) {
      if (noPartner || !j.verdict.counts || !j.verdict.recovered) {
        excluded.push(j.step.index);
        continue;
      }
      interval = Math.max(interval, j.anatomy.intervalMs);
      const gap = j.step.measurements?.probe?.gapFrames;
      pulls.push({
        step: j.step.index,
        repetition,
        slave: j.anatomy.slave,
        outageMs: pullOutageMs(j.anatomy),
        partial: j.anatomy.partial,
        verdict: j.verdict.verdict,
        endedBy: j.anatomy.endedBy,
        reason: j.verdict.reason,
        ...(j.step.pcapng ? { pcapng: j.step.pcapng } : {}),
        ...(gap ? { frames: [gap[0], gap[1]] as [number, number] } : {}),
      });
    }
  }
  const values = pulls.map((p) => p.outageMs);
  const s = spread(values);
  if (!s) return undefined;
  return {
    mode,
    pulls,
    medianMs: round1(s.median),
    p95Ms: percentile(values, 95)!,
    minMs: s.min,
    maxMs: s.max,
    resolutionMs: interval,
    excluded,
  };
}

const pullName = (p: { repetition: number; slave: string; step: number }) =>
  `#${p.repetition} ${p.slave} (step ${p.step})`;

/**
 * The pooled row of a mode run more than once (repetition ALL_REPETITIONS): its failover cell shows the median and
 * the p95 of every pull's outage (min–max in the reason), and is judged on the distribution: every pull is held to
 * the driver's model on its own (judgePull), and the cell is unexpected when any pull contradicts it — naming
 * those pulls and giving the first one's reason — since a timing the driver cannot produce is a fault however
 * rarely it happens. Fault tolerance: yes when every repetition's was, else the repetitions that were not.
 */
export function pooledRow(plan: Plan, mode: ModeName, rows: MatrixRow[], steps: StepRecord[]): MatrixRow | undefined {
  const row: MatrixRow = { mode, repetition: ALL_REPETITIONS, cells: {}, notes: [] };
  const reps = rows.filter((r) => r.mode === mode && r.repetition !== ALL_REPETITIONS);
  const ft = reps.flatMap((r) =>
    r.cells.faultTolerance ? [{ repetition: r.repetition, cell: r.cells.faultTolerance }] : [],
  );
  if (ft.length > 0) {
    const failed = ft.filter((f) => f.cell.verdict === 'unexpected');
    const recovered = ft.filter((f) => f.cell.value === true).length;
    const parts: ReasonPart[] = [
      { key: 'failover.repeat.recovered', vars: { recovered, total: ft.length } },
      ...(failed.length > 0
        ? [
            {
              key: 'failover.repeat.failedIn',
              vars: { repetitions: failed.map((f) => `#${f.repetition}`).join(', ') },
            },
            ...(failed[0]!.cell.reasonParts ?? []),
          ]
        : []),
    ];
    const value = ft.every((f) => f.cell.value === true);
    row.cells.faultTolerance = {
      ...cell(value, value ? 'yes' : 'no', failed.length > 0 ? 'unexpected' : 'expected', sayReason('en', parts), {
        steps: ft.flatMap((f) => f.cell.evidence.steps ?? []),
        ...(failed[0]?.cell.evidence.pcapng ? { pcapng: failed[0].cell.evidence.pcapng } : {}),
      }),
      reasonParts: parts,
    };
  }
  const d = outageDistribution(plan, mode, steps);
  if (d) {
    const wrong = d.pulls.filter((p) => p.verdict === 'unexpected');
    const worst = wrong[0] ?? d.pulls.reduce((m, p) => (p.outageMs > m.outageMs ? p : m));
    const parts: ReasonPart[] = [];
    if (wrong.length > 0) {
      parts.push(
        {
          key: 'failover.repeat.contradicts',
          vars: { wrong: wrong.length, total: d.pulls.length, pulls: wrong.map(pullName).join(', ') },
        },
        ...wrong[0]!.reason,
      );
    } else {
      parts.push({ key: 'failover.repeat.allFit', vars: { total: d.pulls.length } });
    }
    parts.push({ key: 'failover.repeat.spread', vars: { min: d.minMs, max: d.maxMs, pulls: d.pulls.length } });
    // What ended the outages, most often first: the mechanism behind the figure.
    const ends = new Map<string, number>();
    for (const p of d.pulls) ends.set(p.endedBy, (ends.get(p.endedBy) ?? 0) + 1);
    for (const [how, count] of [...ends].sort((a, b) => b[1] - a[1]))
      parts.push({
        key: 'failover.repeat.endedBy',
        vars: { how: { key: `failover.anatomy.ended.${how}` }, pulls: count, total: d.pulls.length },
      });
    const partial = d.pulls.filter((p) => p.partial).length;
    if (partial > 0) parts.push({ key: 'failover.repeat.partial', vars: { partial, total: d.pulls.length } });
    if (d.excluded.length > 0) parts.push({ key: 'failover.repeat.excluded', vars: { steps: d.excluded.join(', ') } });
    const textParts: ReasonPart[] = [{ key: 'failover.repeat.text', vars: { median: d.medianMs, p95: d.p95Ms } }];
    row.cells.failoverMs = {
      ...cell(
        d.medianMs,
        sayReason('en', textParts),
        wrong.length > 0 ? 'unexpected' : 'expected',
        sayReason('en', parts),
        {
          ...(worst.pcapng ? { pcapng: worst.pcapng } : {}),
          ...(worst.frames ? { frames: [...worst.frames] } : {}),
          steps: d.pulls.map((p) => p.step),
        },
      ),
      reasonParts: parts,
      textParts,
    };
  }
  return Object.keys(row.cells).length > 0 ? row : undefined;
}

/**
 * The whole matrix: one row per mode and repetition, in plan order; with plan.repeat > 1, then one pooled row per
 * mode (repetition ALL_REPETITIONS, pooledRow) judging its pulls' distribution.
 */
export function judgeRun(plan: Plan, steps: StepRecord[]): MatrixRow[] {
  if (plan.sweep) {
    // A sweep: a matrix per point, each judged against the options that point ran with.
    return sweepPoints(plan).flatMap((point) =>
      judgeRun(
        planAtPoint(plan, point),
        steps.filter((s) => s.point === point.index),
      ).map((row) => ({ ...row, point: point.index })),
    );
  }
  const rows: MatrixRow[] = [];
  for (let repetition = 1; repetition <= plan.repeat; repetition++) {
    for (const mode of plan.modes) {
      if (steps.some((s) => s.mode === mode && s.repetition === repetition))
        rows.push(judgeMode(plan, mode, repetition, steps));
    }
  }
  if (plan.repeat > 1) {
    for (const mode of plan.modes) {
      const pooled = pooledRow(plan, mode, rows, steps);
      if (pooled) rows.push(pooled);
    }
  }
  return rows;
}
