/**
 * Parser for /proc/net/bonding/<bond> (drivers/net/bonding/bond_procfs.c), across kernel generations: the 2.6
 * banner with a date, "v3.7.1 (April 27, 2011)" of the 3.x–5.x kernels, "v<uname -r>" of newer ones; lines that
 * newer kernels add (Peer Notification Delay, LACP active, ARP Missed Max, NS IPv6 targets) and lines hidden from
 * readers without CAP_NET_ADMIN (system priority, active aggregator, per-port LACPDU details). Pure.
 *
 * Convention: a field the kernel printed as "None"/"Unknown"/"N/A" is null; a field this kernel did not print
 * at all is absent (undefined).
 */
import { decodeLacpPortState, type LacpPortState } from './lacp.js';
import { type BondingMode, modeFromDescription } from './modes.js';
import { ParseError } from './parse-error.js';

export type SlaveMiiStatus = 'up' | 'down' | 'going down' | 'going back';
export type ChurnState = 'none' | 'churned' | 'monitoring' | 'unknown';

export interface LacpduDetails {
  systemPriority?: number;
  systemMac?: string;
  /** "port key" (actor) or "oper key" (partner). */
  key?: number;
  portPriority?: number;
  portNumber?: number;
  portState?: number;
  /** The state octet decoded (the same decoder the LACPDU capture uses). */
  portStateBits?: LacpPortState;
}

export interface ProcSlave {
  name: string;
  miiStatus: SlaveMiiStatus;
  /** Mbps; null when the kernel says Unknown. */
  speedMbps?: number | null;
  duplex?: 'full' | 'half' | null;
  linkFailureCount?: number;
  /** The slave's permanent address when it is a 6-byte MAC. */
  permanentMac?: string;
  /** "Permanent HW addr" as printed, lower-cased: 20 bytes for IPoIB (the kernel prints dev->addr_len bytes). */
  permanentHwAddr?: string;
  queueId?: number;
  /** 802.3ad only. */
  ad?: {
    /** null: "Aggregator ID: N/A" (the port has no aggregator). */
    aggregatorId: number | null;
    actorChurnState?: ChurnState;
    partnerChurnState?: ChurnState;
    actorChurnedCount?: number;
    partnerChurnedCount?: number;
    actor?: LacpduDetails;
    partner?: LacpduDetails;
  };
}

export interface ActiveAggregator {
  aggregatorId?: number;
  ports?: number;
  actorKey?: number;
  partnerKey?: number;
  partnerMac?: string;
}

export interface ProcBondStatus {
  driver?: { version: string; date?: string };
  mode: BondingMode;
  /** active-backup prints "(fail_over_mac active|follow)" after the mode when it is not none. */
  failOverMac?: 'none' | 'active' | 'follow';
  transmitHashPolicy?: { name: string; id: number };
  /** null: "None". */
  primarySlave?: string | null;
  primaryReselect?: string;
  /** null: "None". */
  activeSlave?: string | null;
  miiStatus: 'up' | 'down';
  miimonMs: number;
  upDelayMs?: number;
  downDelayMs?: number;
  peerNotificationDelayMs?: number;
  arp?: { intervalMs: number; missedMax?: number; targets: string[]; nsTargets?: string[] };
  ad?: {
    lacpActive?: boolean;
    lacpRate?: 'slow' | 'fast';
    minLinks?: number;
    adSelect?: string;
    systemPriority?: number;
    systemMac?: string;
    /** null: "bond X has no active aggregator"; absent: not printed (older kernel or no CAP_NET_ADMIN). */
    activeAggregator?: ActiveAggregator | null;
  };
  slaves: ProcSlave[];
  /** "Key: value" lines this parser does not know (a newer kernel, a vendor patch), kept instead of dropped. */
  unknown: { section: string; key: string; value: string; line: number }[];
}

type Section = 'master' | 'ad' | 'aggregator' | 'slave' | 'actor' | 'partner';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const HW_ADDR = /^[0-9a-f]{2}(:[0-9a-f]{2}){0,31}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

class Reader {
  constructor(
    readonly source: string,
    readonly lineNo: number,
    readonly raw: string,
  ) {}

  fail(reason: string): never {
    throw new ParseError(this.source, reason, this.lineNo, this.raw);
  }

  int(value: string, what: string): number {
    if (!/^-?\d+$/.test(value)) this.fail(`${what} must be a whole number`);
    return Number(value);
  }

  /** A link-layer address as the kernel prints it (%*phC): 1 to 32 colon-separated bytes (MAX_ADDR_LEN). */
  hwAddr(value: string, what: string): string {
    if (!HW_ADDR.test(value)) this.fail(`${what} must be a hardware address (hex bytes separated by colons)`);
    return value.toLowerCase();
  }

  mac(value: string, what: string): string {
    if (!MAC.test(value)) this.fail(`${what} must be a MAC address`);
    return value.toLowerCase();
  }

  oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
    if (!(allowed as readonly string[]).includes(value)) this.fail(`${what} must be one of ${allowed.join(', ')}`);
    return value as T;
  }
}

function parseMode(r: Reader, value: string): { mode: BondingMode; failOverMac?: 'none' | 'active' | 'follow' } {
  const suffix = value.match(/^(.*) \(fail_over_mac (none|active|follow)\)$/);
  const description = suffix ? suffix[1]! : value;
  const mode = modeFromDescription(description);
  if (!mode) r.fail('unknown bonding mode');
  return suffix ? { mode, failOverMac: suffix[2] as 'none' | 'active' | 'follow' } : { mode };
}

function parseList(r: Reader, value: string, check: (item: string) => boolean, what: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items) if (!check(item)) r.fail(`${what} holds ${JSON.stringify(item)}`);
  return items;
}

function lacpdu(r: Reader, details: LacpduDetails, key: string, value: string): boolean {
  switch (key) {
    case 'system priority':
      details.systemPriority = r.int(value, key);
      return true;
    case 'system mac address':
      details.systemMac = r.mac(value, key);
      return true;
    case 'port key':
    case 'oper key':
      details.key = r.int(value, key);
      return true;
    case 'port priority':
      details.portPriority = r.int(value, key);
      return true;
    case 'port number':
      details.portNumber = r.int(value, key);
      return true;
    case 'port state': {
      const state = r.int(value, key);
      if (state < 0 || state > 255) r.fail('port state must be an octet (0–255)');
      details.portState = state;
      details.portStateBits = decodeLacpPortState(state);
      return true;
    }
    default:
      return false;
  }
}

const CHURN = ['none', 'churned', 'monitoring', 'unknown'] as const;

/** Parses one /proc/net/bonding/<bond>; `source` names it in errors. Throws ParseError on anything malformed. */
export function parseProcBonding(text: string, source = '/proc/net/bonding file'): ProcBondStatus {
  if (typeof text !== 'string') throw new ParseError(source, 'expected text');
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  let mode: { mode: BondingMode; failOverMac?: 'none' | 'active' | 'follow' } | undefined;
  const partial: Omit<ProcBondStatus, 'mode' | 'miiStatus' | 'miimonMs' | 'slaves' | 'unknown'> & {
    miiStatus?: 'up' | 'down';
    miimonMs?: number;
  } = {};
  const slaves: ProcSlave[] = [];
  const unknown: ProcBondStatus['unknown'] = [];
  let section: Section = 'master';
  let slave: ProcSlave | undefined;
  let details: LacpduDetails | undefined;
  let aggregator: ActiveAggregator | undefined;

  lines.forEach((raw, index) => {
    const r: Reader = new Reader(source, index + 1, raw);
    const line = raw.trim();
    if (!line) return;
    const indented = /^\s/.test(raw);
    // Indented blocks (active aggregator, LACPDU details) end at the first line that is not indented.
    if (!indented && (section === 'aggregator' || section === 'actor' || section === 'partner')) {
      section = section === 'aggregator' ? 'ad' : 'slave';
    }

    const banner = line.match(/^Ethernet Channel Bonding Driver: v?(\S+)(?: \((.+)\))?$/);
    if (banner) {
      if (index > 2 || partial.driver) r.fail('the driver banner must be the first line');
      partial.driver = banner[2] ? { version: banner[1]!, date: banner[2] } : { version: banner[1]! };
      return;
    }
    if (line === '802.3ad info') {
      if (section !== 'master' || !mode) r.fail('"802.3ad info" must follow the bond settings');
      if (mode.mode !== '802.3ad') r.fail(`an 802.3ad section in a ${mode.mode} bond`);
      partial.ad = {};
      section = 'ad';
      return;
    }
    if (line === 'Active Aggregator Info:') {
      if (section !== 'ad' || !partial.ad) r.fail('"Active Aggregator Info" outside the 802.3ad section');
      aggregator = {};
      partial.ad.activeAggregator = aggregator;
      section = 'aggregator';
      return;
    }
    const noAggregator = line.match(/^bond (\S+) has no active aggregator$/);
    if (noAggregator) {
      if (section !== 'ad' || !partial.ad) r.fail('"has no active aggregator" outside the 802.3ad section');
      partial.ad.activeAggregator = null;
      return;
    }
    if (line === 'details actor lacp pdu:' || line === 'details partner lacp pdu:') {
      if (!slave?.ad) r.fail('LACPDU details outside an 802.3ad slave');
      details = {};
      if (line.includes('actor')) {
        slave.ad.actor = details;
        section = 'actor';
      } else {
        slave.ad.partner = details;
        section = 'partner';
      }
      return;
    }

    // "Key: value", or "Key:" with nothing after it; keys may hold colons themselves ("(xx::xx form)").
    const separator = line.indexOf(': ');
    const colon = separator !== -1 ? separator : line.endsWith(':') ? line.length - 1 : -1;
    if (colon <= 0) r.fail('not a "Key: value" line');
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();

    if (key === 'Slave Interface') {
      if (!mode) r.fail('a slave before the bond settings');
      if (!/^[^\s/:]{1,15}$/.test(value)) r.fail('slave name is not an interface name');
      if (slaves.some((s) => s.name === value)) r.fail(`slave ${value} is listed twice`);
      slave = { name: value, miiStatus: undefined as unknown as SlaveMiiStatus };
      if (mode.mode === '802.3ad') slave.ad = { aggregatorId: null };
      slaves.push(slave);
      section = 'slave';
      return;
    }

    const known = (() => {
      switch (section) {
        case 'master':
          return master(r, key, value);
        case 'ad':
          return ad(r, key, value);
        case 'aggregator':
          return aggregatorField(r, key, value);
        case 'slave':
          return slaveField(r, key, value);
        case 'actor':
        case 'partner':
          return lacpdu(r, details!, key, value);
      }
    })();
    if (!known) unknown.push({ section, key, value, line: index + 1 });
  });

  function master(r: Reader, key: string, value: string): boolean {
    switch (key) {
      case 'Bonding Mode':
        if (mode) r.fail('a second "Bonding Mode" line');
        mode = parseMode(r, value);
        if (mode.failOverMac) partial.failOverMac = mode.failOverMac;
        return true;
      case 'Transmit Hash Policy': {
        const m = value.match(/^(\S+) \((\d+)\)$/);
        if (!m) r.fail('Transmit Hash Policy must look like "layer2 (0)"');
        partial.transmitHashPolicy = { name: m[1]!, id: Number(m[2]) };
        return true;
      }
      case 'Primary Slave': {
        if (value === 'None') {
          partial.primarySlave = null;
          return true;
        }
        const m = value.match(/^(\S+)(?: \(primary_reselect (\S+)\))?$/);
        if (!m) r.fail('Primary Slave must be an interface name or None');
        partial.primarySlave = m[1]!;
        if (m[2]) partial.primaryReselect = m[2];
        return true;
      }
      case 'Currently Active Slave':
        if (!/^\S+$/.test(value)) r.fail('Currently Active Slave must be an interface name or None');
        partial.activeSlave = value === 'None' ? null : value;
        return true;
      case 'MII Status':
        partial.miiStatus = r.oneOf(value, ['up', 'down'] as const, 'the bond’s MII Status');
        return true;
      case 'MII Polling Interval (ms)':
        partial.miimonMs = r.int(value, key);
        return true;
      case 'Up Delay (ms)':
        partial.upDelayMs = r.int(value, key);
        return true;
      case 'Down Delay (ms)':
        partial.downDelayMs = r.int(value, key);
        return true;
      case 'Peer Notification Delay (ms)':
        partial.peerNotificationDelayMs = r.int(value, key);
        return true;
      case 'ARP Polling Interval (ms)':
        partial.arp = { ...partial.arp, intervalMs: r.int(value, key), targets: partial.arp?.targets ?? [] };
        return true;
      case 'ARP Missed Max':
        if (!partial.arp) r.fail('ARP Missed Max before ARP Polling Interval');
        partial.arp.missedMax = r.int(value, key);
        return true;
      case 'ARP IP target/s (n.n.n.n form)':
        if (!partial.arp) r.fail('ARP targets before ARP Polling Interval');
        partial.arp.targets = parseList(r, value, (t) => IPV4.test(t), 'the ARP target list');
        return true;
      case 'NS IPv6 target/s (xx::xx form)':
        if (!partial.arp) r.fail('NS targets before ARP Polling Interval');
        partial.arp.nsTargets = parseList(r, value, (t) => /^[0-9a-f:.]+$/i.test(t), 'the NS target list');
        return true;
      default:
        return false;
    }
  }

  function ad(r: Reader, key: string, value: string): boolean {
    const info = partial.ad!;
    switch (key) {
      case 'LACP active':
        info.lacpActive = r.oneOf(value, ['on', 'off'] as const, key) === 'on';
        return true;
      case 'LACP rate':
        info.lacpRate = r.oneOf(value, ['slow', 'fast'] as const, key);
        return true;
      case 'Min links':
        info.minLinks = r.int(value, key);
        return true;
      case 'Aggregator selection policy (ad_select)':
        info.adSelect = r.oneOf(value, ['stable', 'bandwidth', 'count'] as const, 'ad_select');
        return true;
      case 'System priority':
        info.systemPriority = r.int(value, key);
        return true;
      case 'System MAC address':
        info.systemMac = r.mac(value, key);
        return true;
      default:
        return false;
    }
  }

  function aggregatorField(r: Reader, key: string, value: string): boolean {
    const agg = aggregator!;
    switch (key) {
      case 'Aggregator ID':
        agg.aggregatorId = r.int(value, key);
        return true;
      case 'Number of ports':
        agg.ports = r.int(value, key);
        return true;
      case 'Actor Key':
        agg.actorKey = r.int(value, key);
        return true;
      case 'Partner Key':
        agg.partnerKey = r.int(value, key);
        return true;
      case 'Partner Mac Address':
        agg.partnerMac = r.mac(value, key);
        return true;
      default:
        return false;
    }
  }

  function slaveField(r: Reader, key: string, value: string): boolean {
    const s = slave!;
    switch (key) {
      case 'MII Status':
        s.miiStatus = r.oneOf(value, ['up', 'down', 'going down', 'going back'] as const, 'a slave’s MII Status');
        return true;
      case 'Speed': {
        if (value === 'Unknown') s.speedMbps = null;
        else {
          const m = value.match(/^(\d+) Mbps$/);
          if (!m) r.fail('Speed must look like "1000 Mbps" or be Unknown');
          s.speedMbps = Number(m[1]);
        }
        return true;
      }
      case 'Duplex':
        s.duplex = value === 'Unknown' ? null : r.oneOf(value, ['full', 'half'] as const, key);
        return true;
      case 'Link Failure Count':
        s.linkFailureCount = r.int(value, key);
        return true;
      case 'Permanent HW addr':
        // Seen blank in copies where the MAC was removed. IPoIB prints 20 bytes: kept as printed, not a MAC.
        if (value) {
          s.permanentHwAddr = r.hwAddr(value, key);
          if (MAC.test(value)) s.permanentMac = value.toLowerCase();
        }
        return true;
      case 'Slave queue ID':
        s.queueId = r.int(value, key);
        return true;
      case 'Aggregator ID':
        if (!s.ad) r.fail('Aggregator ID on a slave of a bond that is not 802.3ad');
        s.ad.aggregatorId = value === 'N/A' ? null : r.int(value, key);
        return true;
      case 'Actor Churn State':
      case 'Partner Churn State': {
        if (!s.ad) r.fail(`${key} on a slave of a bond that is not 802.3ad`);
        const state = r.oneOf(value, CHURN, key);
        if (key.startsWith('Actor')) s.ad.actorChurnState = state;
        else s.ad.partnerChurnState = state;
        return true;
      }
      case 'Actor Churned Count':
      case 'Partner Churned Count': {
        if (!s.ad) r.fail(`${key} on a slave of a bond that is not 802.3ad`);
        const count = r.int(value, key);
        if (key.startsWith('Actor')) s.ad.actorChurnedCount = count;
        else s.ad.partnerChurnedCount = count;
        return true;
      }
      default:
        return false;
    }
  }

  if (!mode) throw new ParseError(source, 'no "Bonding Mode:" line: this is not a /proc/net/bonding file');
  if (partial.miiStatus === undefined) throw new ParseError(source, 'the bond has no "MII Status:" line');
  if (partial.miimonMs === undefined) throw new ParseError(source, 'the bond has no "MII Polling Interval (ms):" line');
  for (const s of slaves) {
    if (s.miiStatus === undefined) throw new ParseError(source, `slave ${s.name} has no "MII Status:" line`);
  }
  const { miiStatus, miimonMs, ...rest } = partial;
  return { mode: mode.mode, ...rest, miiStatus, miimonMs, slaves, unknown };
}
