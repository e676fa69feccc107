/**
 * The oracle: what Documentation/networking/bonding.rst says each mode should do, and a verdict for every measured
 * cell of the write-up's table — as expected, unexpected, or not measurable — with the reason and the evidence.
 * Pure.
 */
import { DRIVER_DEFAULTS } from '../bonding/options.js';
import { type BondOptions, type ModeName, modeOptions, type Plan } from '../plan/plan.js';
import type { Cell, Evidence, HostReading, MatrixRow, StepRecord, Verdict } from '../run/model.js';

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

/** For 802.3ad: the reason there is no working aggregate, or undefined when LACP negotiated. */
function lacpProblem(reading: HostReading | undefined): string | undefined {
  if (!reading?.lacp) return undefined;
  return reading.lacp.negotiated ? undefined : reading.lacp.reason;
}

/** Judges one mode of one repetition from its step records. */
export function judgeMode(plan: Plan, mode: ModeName, repetition: number, steps: StepRecord[]): MatrixRow {
  const mine = steps.filter((s) => s.mode === mode && s.repetition === repetition);
  // The options this mode ran with: the common ones it has and its own (plan.bond.perMode).
  const options = mode === 'standalone' ? plan.bond.options : modeOptions(plan, mode);
  const expect = expectationFor(mode, options);
  const row: MatrixRow = { mode, repetition, cells: {}, notes: [expect.summary] };
  const bringUp = mine.find((s) => s.kind === 'bring-up');
  if (!bringUp || bringUp.status === 'failed') {
    row.notes.push(bringUp?.error ? `bring-up failed: ${bringUp.error}` : 'not run');
    return row;
  }
  const [first, second] = plan.bond.slaves;
  const macStep = mine.find((s) => s.kind === 'read-macs' && s.reading) ?? bringUp;
  const reading = macStep.reading;
  const lacpIssue = mode === '802.3ad' ? lacpProblem(reading) : undefined;
  const noPartner = lacpIssue !== undefined;
  if (lacpIssue) row.notes.push(lacpIssue);

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
        row.cells[column] = cell(null, '–', 'not-measurable', 'slave not found on the host', evidence);
        continue;
      }
      let verdict: Verdict = 'expected';
      let reason: string;
      if (expect.sharedMac === undefined) {
        verdict = s.permanentMac && s.mac !== s.permanentMac ? 'unexpected' : 'expected';
        reason =
          verdict === 'expected'
            ? 'no bond: the NIC keeps its own MAC'
            : 'no bond, yet the NIC does not carry its own MAC';
      } else if (expect.sharedMac) {
        verdict = shared ? 'expected' : 'unexpected';
        reason = shared ? 'all slaves carry the bond MAC' : `slaves should share the bond MAC in ${mode}`;
      } else {
        verdict = shared ? 'unexpected' : 'expected';
        reason = shared ? `${mode} keeps distinct slave MACs, yet they are equal` : 'slaves keep distinct MACs';
      }
      row.cells[column] = cell(s.mac, shortMac(s.mac), verdict, reason, evidence);
    }
  }

  // ARP at boot: the driver sends none at bring-up (the write-up's came from its network scripts); broadcast doubles.
  const arp = bringUp.measurements?.arp;
  if (arp) {
    const count = arp.probe + arp.gratuitous;
    const evidence: Evidence = {
      pcapng: bringUp.pcapng,
      frames: bringUp.measurements?.arpFrames,
      steps: [bringUp.index],
    };
    const text = `${arp.probe} probe${arp.probe === 1 ? '' : 's'}, ${arp.gratuitous} gratuitous`;
    if (count === 0) {
      row.cells.arpAtBoot = cell(
        0,
        text,
        expect.duplicates ? 'not-measurable' : 'expected',
        expect.duplicates
          ? 'no ARP at bring-up, so the doubling broadcast causes cannot be seen'
          : 'the bonding driver sends no ARP when the bond comes up; the write-up’s probes came from its network scripts',
        evidence,
      );
    } else {
      const even = count % 2 === 0;
      const verdict: Verdict = expect.duplicates ? (even ? 'expected' : 'unexpected') : 'expected';
      row.cells.arpAtBoot = cell(
        count,
        text,
        verdict,
        expect.duplicates
          ? even
            ? 'broadcast sends each ARP on both slaves (the write-up’s 2×2)'
            : 'broadcast should send each ARP twice, but the count is odd'
          : 'ARP from the host’s network scripts at bring-up',
        evidence,
      );
    }
  }

  // Load balancing: how echo replies spread over the slaves (host counters, or the switch ports).
  const probeStep = mine.find((s) => s.kind === 'probe' && s.status === 'ok');
  const share = probeStep?.measurements?.portShare ?? probeStep?.measurements?.txShare;
  if (probeStep && share && first && second) {
    const a = share[first] ?? 0;
    const b = share[second] ?? 0;
    const text = `${Math.round(a * 100)}% / ${Math.round(b * 100)}%`;
    const evidence: Evidence = { pcapng: probeStep.pcapng, steps: [probeStep.index] };
    const source = probeStep.measurements?.portShare ? 'switch ports' : 'host counters';
    const both = Math.min(a, b) >= 0.25;
    const dupes = probeStep.measurements?.probe?.duplicates ?? 0;
    let verdict: Verdict;
    let reason: string;
    switch (expect.spread) {
      case 'alternate':
        verdict = both ? 'expected' : 'unexpected';
        reason = both
          ? `replies alternate over both slaves (${source})`
          : `round robin should use both slaves (${source})`;
        break;
      case 'all':
        verdict = both && dupes > 0 ? 'expected' : 'unexpected';
        reason = `every reply on both slaves: ${dupes} duplicate replies (${source})`;
        break;
      case 'single':
        if (noPartner) {
          verdict = 'not-measurable';
          reason = `${lacpIssue}: there is no aggregate to spread over`;
        } else {
          verdict = Math.max(a, b) >= 0.9 ? 'expected' : 'unexpected';
          reason = `one peer stays on one slave (${source})`;
        }
        break;
      case 'by-load':
        verdict = Math.max(a, b) >= 0.5 ? 'expected' : 'unexpected';
        reason = `spread by load; with one peer mostly one slave (${source})`;
        break;
      default:
        verdict = 'not-measurable';
        reason = `no bond to balance: the NIC holding the address carried the replies (${text}, ${source})`;
    }
    row.cells.loadBalancing = cell(text, expect.spread === 'none' ? '–' : text, verdict, reason, evidence);
  }

  // Fault tolerance and failover time: the pull of the slave carrying traffic.
  const pulls = mine.filter((s) => s.kind === 'pull' && s.measurements?.probe);
  if (pulls.length > 0) {
    const worst = pulls.reduce((m, s) =>
      (s.measurements!.probe!.failoverMs ?? 0) > (m.measurements!.probe!.failoverMs ?? 0) ? s : m,
    );
    const stats = worst.measurements!.probe!;
    const recovered = pulls.every((s) => {
      const p = s.measurements!.probe!;
      const tail = p.samples.slice(-Math.max(3, Math.floor(p.rate / 4)));
      return tail.some(([, rtt]) => rtt !== null);
    });
    const evidence: Evidence = {
      pcapng: worst.pcapng,
      frames: stats.gapFrames ? [...stats.gapFrames] : undefined,
      steps: pulls.map((s) => s.index),
    };
    const ftVerdict: Verdict = expect.faultTolerant === recovered ? 'expected' : 'unexpected';
    row.cells.faultTolerance = cell(
      recovered,
      recovered ? 'yes' : 'no',
      ftVerdict,
      recovered ? 'replies resumed after every pull' : 'replies stopped after a pull and did not resume',
      evidence,
    );
    if (recovered && stats.failoverMs !== undefined) {
      const miimon = options.miimon ?? (options.arp_interval ? 0 : DRIVER_DEFAULTS.miimon);
      const bound = miimon + (options.downdelay ?? 0) + 400;
      const interval = 1000 / stats.rate;
      let verdict: Verdict = stats.failoverMs <= bound ? 'expected' : 'unexpected';
      let reason = `longest reply gap ${stats.failoverMs} ms (resolution ${interval.toFixed(0)} ms); bound miimon + downdelay + 400 ms slack = ${bound} ms`;
      if (expect.duplicates && stats.lost === 0)
        reason = 'no reply lost: the other slave carried a copy of every frame';
      if (mode === 'active-backup') {
        const garp = pulls.reduce((n, s) => n + (s.measurements?.arp.gratuitous ?? 0), 0);
        reason += `; ${garp} gratuitous ARP over ${pulls.length} pull(s), ${expect.gratuitousArpAtFailover} expected per failover`;
      }
      if (noPartner) {
        verdict = 'not-measurable';
        reason = `${lacpIssue}; ${reason}`;
      }
      row.cells.failoverMs = cell(stats.failoverMs, `${stats.failoverMs} ms`, verdict, reason, evidence);
    }
    if (expect.macMoves) {
      const after = pulls.find((s) => s.slave === first)?.reading;
      const survivor = after?.slaves.find((s) => s.name === second);
      const bondMac = after?.bondMac;
      if (survivor && bondMac) {
        row.notes.push(
          survivor.mac === bondMac
            ? `after pulling ${first}: ${second} took the bond MAC ${shortMac(bondMac)} (as documented)`
            : `after pulling ${first}: ${second} kept ${shortMac(survivor.mac)}, the bond MAC ${shortMac(bondMac)} did not move`,
        );
      }
    }
  }
  return row;
}

/** The whole matrix: one row per mode and repetition, in plan order. */
export function judgeRun(plan: Plan, steps: StepRecord[]): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (let repetition = 1; repetition <= plan.repeat; repetition++) {
    for (const mode of plan.modes) {
      if (steps.some((s) => s.mode === mode && s.repetition === repetition))
        rows.push(judgeMode(plan, mode, repetition, steps));
    }
  }
  return rows;
}
