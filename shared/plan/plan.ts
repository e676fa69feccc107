/**
 * The plan: what a run does, as data. Users write it in YAML (`bondbench plan init` writes the default to edit);
 * `plan-file.ts` validates it against PLAN_SCHEMA and points errors at the line. Pure.
 */
import { BONDING_MODES, type BondingMode } from '../bonding/modes.js';
import { type BondOptionName, type BondOptions, type BondRequest, optionAllowedIn } from '../bonding/options.js';
import type { SweepSpec } from './sweep.js';

/** A row of the matrix: a bonding mode, or the write-up's baseline with both NICs standing alone. */
export type ModeName = BondingMode | 'standalone';
export const MODE_NAMES: readonly ModeName[] = ['standalone', ...BONDING_MODES];

export type ApplyMethod = 'runtime' | 'netifrc';

/** The bond's options: the driver's sysfs names, one vocabulary (shared/bonding/options.ts). */
export type { BondOptions };

/**
 * How the tester resolves the bond's MAC while it probes — it decides part of what a pull measures:
 * - `passive`: keep the MAC learned at the start and change it only when the bond announces a new one (gratuitous
 *   ARP, an ARP reply it volunteers), as a peer that never re-asks would;
 * - `os-like`: also re-ask by broadcast ARP once replies have stopped for `reaskAfterMs` (default 1000 ms), and
 *   every as long while they stay away — the retransmit timer Linux (neigh/<if>/retrans_time_ms = 1000) and Windows
 *   (RetransmitTimer, 1 s) use for a neighbour entry under suspicion. A real stack gets there later when its entry
 *   was still REACHABLE (Linux: up to base_reachable_time 30 s, then delay_first_probe_time 5 s).
 */
export type ArpPolicy = 'passive' | 'os-like';

export interface ProbeSettings {
  /** Echo requests per second for probe steps, 1–1000. */
  rate: number;
  /** Echo requests per second while a cable is pulled, 1–1000 (default 1000: 1 ms resolution). */
  pullRate: number;
  arpPolicy: ArpPolicy;
  /** os-like: silence before the tester re-asks, ms (default 1000). */
  reaskAfterMs?: number;
}

export const DEFAULT_PROBE: ProbeSettings = { rate: 100, pullRate: 1000, arpPolicy: 'os-like' };

/** Steps that follow each mode's bring-up (configure + apply + capture of what the bond sends at boot). */
export type StepSpec =
  | { kind: 'read-macs' }
  | { kind: 'probe'; seconds: number }
  | { kind: 'pull'; slave: string; holdSeconds: number }
  | { kind: 'plug'; slave: string; settleSeconds: number }
  /** The power driver switches the host off, waits offSeconds, switches it on; the bench waits for SSH. */
  | { kind: 'power-cycle'; offSeconds: number }
  /** `reboot` typed over SSH, as the write-up did. */
  | { kind: 'reboot' }
  /**
   * The tester as `peers` peers (own MAC and address each) sending `flows` echo flows each (one ICMP identifier a
   * flow) at `rate` requests/s per flow for `seconds`: how the bond spreads its replies over the slaves.
   */
  | { kind: 'load'; peers: number; flows: number; seconds: number; rate: number };

/** A load step's defaults: `load` alone in a plan. */
export const DEFAULT_LOAD = { peers: 4, flows: 2, seconds: 3, rate: 20 } as const;
/**
 * Requests per second a load step may send in all (peers × flows × rate): with the replies at most 1 600 frames/s
 * per capture, under the 2 000/s the capture path decodes of traffic that is not the probe's (shared/wire/classify.ts),
 * so the spread is counted from every frame, never a sample.
 */
export const MAX_LOAD_RATE = 800;
/** Flows a load step may run in all (peers × flows): one `ping` process each. */
export const MAX_LOAD_FLOWS = 64;

/** How a netifrc bring-up boots into the new /etc/conf.d/net: `reboot` over SSH, or a power-cycle by the PDU. */
export type BootMethod = 'reboot' | 'power-cycle';

/** Seconds a power-cycle keeps the host off when the plan does not say (capacitors drain; pdudaemon's default). */
export const DEFAULT_OFF_SECONDS = 5;
/** How long SSH may stay silent after a reboot or power-on before the watchdog acts, when the plan does not say. */
export const DEFAULT_REBOOT_SECONDS = 180;
/** Watchdog power-cycles tried on a host that does not come back, when the plan does not say. */
export const DEFAULT_POWER_CYCLES = 2;

export type PowerDriverSpec = { type: string } & Record<string, unknown>;
export type LinkDriverSpec = { type: string } & Record<string, unknown>;
export type SwitchDriverSpec = { type: string } & Record<string, unknown>;

export interface Plan {
  version: 1;
  name: string;
  host: {
    /** `lab`, `lab:<instance>`, an ~/.ssh/config alias or user@host[:port]. */
    target: string;
    /** The interface carrying the SSH session; found from the session when omitted. */
    management?: string;
    sudo?: boolean;
  };
  tester: {
    /** A capture interface by name, or `auto`: the one on the bond's subnet. */
    interface: string;
    /** Capture on each switch port too (the lab's taps; a mirror port on a real switch). */
    portMirrors?: Record<string, string>;
  };
  /**
   * `switch` (optional) is told each mode before its bring-up and configures the slaves' switch ports for it
   * (bonding.rst §5 "Switch Configuration"): the lab re-cables them to its LACP partner for 802.3ad.
   */
  drivers: { power: PowerDriverSpec; link: LinkDriverSpec; switch?: SwitchDriverSpec };
  bond: {
    name: string;
    slaves: string[];
    /** The bond's address with prefix, e.g. 192.168.1.253/24. */
    address: string;
    /** The tester's address on the bond's subnet: where probes come from. */
    peer: string;
    /** Options of every mode; one a mode does not have applies to the modes that do (lacp_rate to 802.3ad…). */
    options: BondOptions;
    /** A mode's own settings on top of the common options, e.g. { '802.3ad': { lacp_rate: fast } }. */
    perMode?: Partial<Record<BondingMode, BondOptions>>;
  };
  modes: ModeName[];
  apply: {
    method: ApplyMethod;
    /** Per-mode override, e.g. { active-backup: netifrc } to reboot into that one. */
    perMode?: Partial<Record<ModeName, ApplyMethod>>;
    netifrcStyle: 'writeup' | 'modern';
    /**
     * How a netifrc bring-up boots into the written configuration (default `reboot`). `power-cycle` with method
     * `netifrc` is the write-up's way for every mode: write /etc/conf.d/net, cut the power, read what came up.
     */
    boot?: BootMethod;
    /** Off time of a bring-up power-cycle, s (default DEFAULT_OFF_SECONDS). */
    offSeconds?: number;
  };
  probe: ProbeSettings;
  steps: StepSpec[];
  repeat: number;
  /** Vary one or two bond options: every combination runs (each `repeat` times) in the same run folder. */
  sweep?: SweepSpec;
  /** How long to wait for an effect (MII down after a pull, SSH after a reboot) before calling it failed. */
  timeouts?: {
    pullSeconds?: number;
    rebootSeconds?: number;
    /**
     * Watchdog: power-cycles through the power driver when SSH does not answer within rebootSeconds after a
     * reboot, power-cycle or netifrc apply (default DEFAULT_POWER_CYCLES; 0 = give up at once).
     */
    powerCycles?: number;
  };
}

export const DEFAULT_STEPS: StepSpec[] = [
  { kind: 'read-macs' },
  { kind: 'probe', seconds: 2 },
  { kind: 'pull', slave: 'eth1', holdSeconds: 2 },
  { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
  { kind: 'pull', slave: 'eth2', holdSeconds: 2 },
  { kind: 'plug', slave: 'eth2', settleSeconds: 1 },
];

/**
 * The write-up's experiment on the virtual lab: baseline, then every mode, runtime changes, one netifrc reboot.
 * With `lacp`, the lab's switch driver too: 802.3ad then runs against the LACP partner of `lab up --lacp` (the
 * experiment `bondbench run --lab` runs); without, against the plain bridge, where it has no partner.
 */
export function defaultLabPlan(instance = 'default', options: { lacp?: boolean } = {}): Plan {
  return {
    version: 1,
    name: 'The write-up: all seven modes, a pull of each slave',
    host: { target: instance === 'default' ? 'lab' : `lab:${instance}`, management: 'eth0' },
    tester: { interface: 'tester0', portMirrors: { eth1: 'tap-eth1', eth2: 'tap-eth2' } },
    drivers: {
      power: { type: 'lab', instance },
      link: { type: 'lab', instance },
      ...(options.lacp ? { switch: { type: 'lab', instance } } : {}),
    },
    bond: {
      name: 'bond0',
      slaves: ['eth1', 'eth2'],
      address: '10.77.1.253/24',
      peer: '10.77.1.252',
      options: { miimon: 100 },
    },
    modes: [...MODE_NAMES],
    apply: { method: 'runtime', perMode: { 'active-backup': 'netifrc' }, netifrcStyle: 'writeup' },
    probe: { ...DEFAULT_PROBE },
    steps: DEFAULT_STEPS,
    repeat: 1,
    timeouts: { pullSeconds: 5, rebootSeconds: 120 },
  };
}

export function applyMethodFor(plan: Plan, mode: ModeName): ApplyMethod {
  return plan.apply.perMode?.[mode] ?? plan.apply.method;
}

export function stepLabel(step: StepSpec): string {
  switch (step.kind) {
    case 'read-macs':
      return 'read MACs';
    case 'probe':
      return `probe ${step.seconds} s`;
    case 'pull':
      return `pull ${step.slave}`;
    case 'plug':
      return `plug ${step.slave}`;
    case 'power-cycle':
      return `power-cycle (off ${step.offSeconds} s)`;
    case 'reboot':
      return 'reboot';
    case 'load':
      return `load ${step.peers} peers × ${step.flows} flows, ${step.seconds} s`;
  }
}

const MONITOR: readonly BondOptionName[] = ['miimon', 'arp_interval', 'arp_ip_target'];

/**
 * What the bench asks the host for in a mode: the common options the mode has, then the mode's own on top. The
 * ARP monitor is never dropped for a mode that cannot run it (the bond would run another monitor than asked):
 * the rules refuse it instead. A mode's own link monitor (miimon or arp_interval) replaces the common one.
 */
export function modeOptions(plan: Plan, mode: BondingMode): BondOptions {
  const own = plan.bond.perMode?.[mode] ?? {};
  const ownMonitor = own.miimon !== undefined || own.arp_interval !== undefined;
  const common = Object.fromEntries(
    Object.entries(plan.bond.options).filter(([name]) => {
      const option = name as BondOptionName;
      if (MONITOR.includes(option)) return !ownMonitor;
      return optionAllowedIn(option, mode);
    }),
  ) as BondOptions;
  return { ...common, ...own };
}

/** The bond request of one mode: what plan check checks and the run applies. */
export function modeRequest(plan: Plan, mode: BondingMode): BondRequest {
  return {
    bond: plan.bond.name,
    mode,
    slaves: plan.bond.slaves,
    address: plan.bond.address,
    ...modeOptions(plan, mode),
  };
}
