/**
 * Parser for iproute2's `ip -j -d link show` / `ip -j -d addr show` output: every interface with its MAC,
 * permanent MAC, carrier and addresses, plus the bonding driver's netlink view (IFLA_BOND_* as info_data on the
 * bond, IFLA_BOND_SLAVE_* as info_slave_data on each slave). Pure.
 */
import { type BondingMode, isBondingMode } from './modes.js';
import { ParseError } from './parse-error.js';

export interface IpAddress {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
  /** "10.77.1.253/24" */
  cidr: string;
  scope?: string;
  broadcast?: string;
}

export interface IpBondInfo {
  mode: BondingMode;
  activeSlave?: string;
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  peerNotifyDelay?: number;
  arpInterval?: number;
  arpIpTargets?: string[];
  arpValidate?: string | null;
  primary?: string;
  primaryReselect?: string;
  failOverMac?: string;
  xmitHashPolicy?: string;
  numPeerNotif?: number;
  minLinks?: number;
  lacpActive?: string;
  lacpRate?: string;
  adSelect?: string;
  tlbDynamicLb?: boolean;
  adInfo?: { aggregator?: number; numPorts?: number; actorKey?: number; partnerKey?: number; partnerMac?: string };
  /** Everything iproute2 printed, for fields not named above. */
  raw: Record<string, unknown>;
}

export interface IpBondSlaveInfo {
  /** ACTIVE or BACKUP: whether the bond uses this slave for traffic right now. */
  state: string;
  miiStatus: string;
  linkFailureCount?: number;
  permanentMac?: string;
  queueId?: number;
  adAggregatorId?: number;
  adActorOperPortState?: number;
  adPartnerOperPortState?: number;
  raw: Record<string, unknown>;
}

export interface IpLink {
  index: number;
  name: string;
  flags: string[];
  mtu?: number;
  operstate?: string;
  linkType?: string;
  mac?: string;
  /**
   * The burnt-in MAC: iproute2 prints `permaddr` only when it differs from the current address, the bonding
   * driver reports it per slave; absent when neither says (then the current address is the best guess).
   */
  permanentMac?: string;
  master?: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** The driver reports carrier (LOWER_UP). */
  carrier: boolean;
  kind?: string;
  bond?: IpBondInfo;
  bondSlave?: IpBondSlaveInfo;
  addresses: IpAddress[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(source: string, where: string, obj: Json, key: string, type: 'string' | 'number'): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type)
    throw new ParseError(source, `${where}: "${key}" should be a ${type}`, undefined, String(value));
  return value as T;
}

function bondInfo(source: string, where: string, data: Json): IpBondInfo {
  const str = (key: string) => field<string>(source, where, data, key, 'string');
  const num = (key: string) => field<number>(source, where, data, key, 'number');
  const mode = data.mode;
  if (!isBondingMode(mode)) throw new ParseError(source, `${where}: unknown bond mode`, undefined, String(mode));
  const targets = data.arp_ip_target;
  if (targets !== undefined && !(Array.isArray(targets) && targets.every((t) => typeof t === 'string'))) {
    throw new ParseError(source, `${where}: "arp_ip_target" should be a list of addresses`);
  }
  const adInfo = isObject(data.ad_info) ? data.ad_info : undefined;
  const tlb = num('tlb_dynamic_lb');
  return {
    mode,
    activeSlave: str('active_slave'),
    miimon: num('miimon'),
    updelay: num('updelay'),
    downdelay: num('downdelay'),
    peerNotifyDelay: num('peer_notify_delay'),
    arpInterval: num('arp_interval'),
    arpIpTargets: targets as string[] | undefined,
    arpValidate: data.arp_validate === null ? null : str('arp_validate'),
    primary: str('primary'),
    primaryReselect: str('primary_reselect'),
    failOverMac: str('fail_over_mac'),
    xmitHashPolicy: str('xmit_hash_policy'),
    numPeerNotif: num('num_peer_notif'),
    minLinks: num('min_links'),
    lacpActive: str('ad_lacp_active'),
    lacpRate: str('ad_lacp_rate'),
    adSelect: str('ad_select'),
    tlbDynamicLb: tlb === undefined ? undefined : tlb !== 0,
    adInfo: adInfo && {
      aggregator: field<number>(source, where, adInfo, 'aggregator', 'number'),
      numPorts: field<number>(source, where, adInfo, 'num_ports', 'number'),
      actorKey: field<number>(source, where, adInfo, 'actor_key', 'number'),
      partnerKey: field<number>(source, where, adInfo, 'partner_key', 'number'),
      partnerMac: field<string>(source, where, adInfo, 'partner_mac', 'string'),
    },
    raw: data,
  };
}

function bondSlaveInfo(source: string, where: string, data: Json): IpBondSlaveInfo {
  const str = (key: string) => field<string>(source, where, data, key, 'string');
  const num = (key: string) => field<number>(source, where, data, key, 'number');
  const state = str('state');
  const miiStatus = str('mii_status');
  if (!state || !miiStatus) throw new ParseError(source, `${where}: a bond slave without "state" or "mii_status"`);
  return {
    state,
    miiStatus,
    linkFailureCount: num('link_failure_count'),
    permanentMac: str('perm_hwaddr')?.toLowerCase(),
    queueId: num('queue_id'),
    adAggregatorId: num('ad_aggregator_id'),
    adActorOperPortState: num('ad_actor_oper_port_state'),
    adPartnerOperPortState: num('ad_partner_oper_port_state'),
    raw: data,
  };
}

/** Parses the JSON of `ip -j [-d] link|addr show`; `source` names it in errors. */
export function parseIpLinkJson(text: string, source = 'ip -j -d link show'): IpLink[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ParseError(source, `not JSON (${(error as Error).message})`, undefined, text.slice(0, 80));
  }
  if (!Array.isArray(parsed)) throw new ParseError(source, 'expected a JSON list of interfaces');
  return parsed.map((entry, i): IpLink => {
    if (!isObject(entry)) throw new ParseError(source, `entry ${i} is not an object`);
    const where = `entry ${i}`;
    const name = field<string>(source, where, entry, 'ifname', 'string');
    const index = field<number>(source, where, entry, 'ifindex', 'number');
    if (!name || index === undefined) throw new ParseError(source, `${where} has no "ifname" or "ifindex"`);
    const at = `${where} (${name})`;
    const flags = entry.flags;
    if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string')) {
      throw new ParseError(source, `${at}: "flags" should be a list of strings`);
    }
    const linkinfo = isObject(entry.linkinfo) ? entry.linkinfo : undefined;
    const kind = linkinfo && field<string>(source, at, linkinfo, 'info_kind', 'string');
    const slaveKind = linkinfo && field<string>(source, at, linkinfo, 'info_slave_kind', 'string');
    const bond =
      kind === 'bond' && isObject(linkinfo?.info_data) ? bondInfo(source, at, linkinfo.info_data) : undefined;
    const bondSlave =
      slaveKind === 'bond' && isObject(linkinfo?.info_slave_data)
        ? bondSlaveInfo(source, at, linkinfo.info_slave_data)
        : undefined;
    const addrInfo = entry.addr_info ?? [];
    if (!Array.isArray(addrInfo)) throw new ParseError(source, `${at}: "addr_info" should be a list`);
    const addresses = addrInfo
      .filter((a): a is Json => isObject(a) && typeof a.local === 'string')
      .map((a): IpAddress => {
        const prefixlen = field<number>(source, at, a, 'prefixlen', 'number');
        if (prefixlen === undefined) throw new ParseError(source, `${at}: an address without "prefixlen"`);
        return {
          family: field<string>(source, at, a, 'family', 'string') ?? 'unknown',
          local: a.local as string,
          prefixlen,
          cidr: `${a.local}/${prefixlen}`,
          scope: field<string>(source, at, a, 'scope', 'string'),
          broadcast: field<string>(source, at, a, 'broadcast', 'string'),
        };
      });
    const mac = field<string>(source, at, entry, 'address', 'string')?.toLowerCase();
    const permaddr = field<string>(source, at, entry, 'permaddr', 'string')?.toLowerCase();
    return {
      index,
      name,
      flags: flags as string[],
      mtu: field<number>(source, at, entry, 'mtu', 'number'),
      operstate: field<string>(source, at, entry, 'operstate', 'string'),
      linkType: field<string>(source, at, entry, 'link_type', 'string'),
      mac,
      permanentMac: permaddr ?? bondSlave?.permanentMac,
      master: field<string>(source, at, entry, 'master', 'string'),
      up: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER'),
      kind,
      bond,
      bondSlave,
      addresses,
    };
  });
}
