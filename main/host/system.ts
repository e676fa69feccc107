/**
 * Reading a host (never changing it): the probe, the live state of one bond and its slaves, and the interface
 * that carries our own SSH session. One script per question, output split into marked sections.
 */
import { type IpLink, parseIpLinkJson } from '../../shared/bonding/iplink.js';
import { ParseError } from '../../shared/bonding/parse-error.js';
import { type ProcBondStatus, parseProcBonding } from '../../shared/bonding/procfs.js';
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, shellQuote } from '../../shared/net/names.js';
import { SaidError } from '../../shared/run/said-error.js';
import { RemoteCommandError, type SshRemote } from './remote.js';

/** Splits "@@name arg" sections of a script's output. */
export function splitSections(output: string): { name: string; arg?: string; body: string }[] {
  const sections: { name: string; arg?: string; body: string }[] = [];
  let current: { name: string; arg?: string; lines: string[] } | undefined;
  for (const line of output.split('\n')) {
    const marker = line.match(/^@@(\S+)(?: (.*))?$/);
    if (marker) {
      if (current) sections.push({ name: current.name, arg: current.arg, body: current.lines.join('\n') });
      current = { name: marker[1]!, arg: marker[2], lines: [] };
    } else current?.lines.push(line);
  }
  if (current) sections.push({ name: current.name, arg: current.arg, body: current.lines.join('\n') });
  return sections;
}

function keyValues(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of body.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** /etc/os-release: KEY=value, KEY="value". */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let value = m[2]!.trim();
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    out[m[1]!] = value;
  }
  return out;
}

export interface InterfaceCounters {
  rxPackets?: number;
  txPackets?: number;
  rxBytes?: number;
  txBytes?: number;
  rxErrors?: number;
  txErrors?: number;
  rxDropped?: number;
  txDropped?: number;
}

export interface ProbedInterface {
  name: string;
  mac?: string;
  permanentMac?: string;
  /** Where permanentMac came from: iproute2's permaddr, the bonding driver, or (neither) the current address. */
  permanentMacSource?: 'permaddr' | 'bonding' | 'address';
  up: boolean;
  carrier: boolean;
  operstate?: string;
  /** Mbps from /sys/class/net/X/speed; null when the driver does not say (virtio says -1). */
  speedMbps: number | null;
  duplex: string | null;
  mtu?: number;
  kind?: string;
  master?: string;
  addresses: string[];
  counters: InterfaceCounters;
}

export interface ProbedBond {
  name: string;
  status: ProcBondStatus;
  /** The netlink view (ip -d), which also names the active slave and the LACP port states. */
  link?: IpLink;
  slaves: { name: string; counters: InterfaceCounters }[];
}

export interface HostProbe {
  target: string;
  probedAt: string;
  kernel: string;
  machine: string;
  hostname: string;
  distribution: { id?: string; name?: string; version?: string; prettyName?: string; idLike?: string };
  bonding: {
    available: 'built-in' | 'module' | 'missing';
    loaded: boolean;
    bondingMasters: string[];
  };
  tools: {
    ifenslave?: string;
    ip?: string;
    rcUpdate?: string;
    netifrc: boolean;
    confdNet: boolean;
    openrc: boolean;
    systemd: boolean;
    sudo?: string;
  };
  /** How a commit-confirmed rollback can be armed on this host, if at all. */
  rollbackMechanism: 'local.d' | 'none';
  defaultRunlevel: string[];
  bootId: string;
  uptimeSeconds: number;
  management: ManagementPath;
  interfaces: ProbedInterface[];
  bonds: ProbedBond[];
}

export interface ManagementPath {
  /** The SSH client's address as the host sees it ($SSH_CONNECTION). */
  clientAddress: string;
  serverAddress: string;
  /** The interface the host routes replies to us through. */
  interface: string;
  /** That interface plus what it depends on (its bond's slaves, its master): never enslaved, downed or readdressed. */
  protectedInterfaces: string[];
}

/**
 * The SSH session's interface cannot be found, so networking is left alone (`error.managementPath.unknown`);
 * `reason` is an `error.managementPath.*` key: noSshConnection, routeNotJson {client}, noRoute {client}.
 */
export class ManagementPathUnknownError extends SaidError {
  constructor(label: string, reason: string, vars: Record<string, string> = {}) {
    super('ManagementPathUnknownError', 'error.managementPath.unknown', {
      label,
      reason: { key: `error.managementPath.${reason}`, vars },
    });
  }
}

const STAT_FIELDS: [keyof InterfaceCounters, string][] = [
  ['rxPackets', 'rx_packets'],
  ['txPackets', 'tx_packets'],
  ['rxBytes', 'rx_bytes'],
  ['txBytes', 'tx_bytes'],
  ['rxErrors', 'rx_errors'],
  ['txErrors', 'tx_errors'],
  ['rxDropped', 'rx_dropped'],
  ['txDropped', 'tx_dropped'],
];

/**
 * Reading many small sysfs files with one process: `grep -H .` prints "path:value" for each non-empty file (a
 * shell loop of cats costs seconds on a slow host). Files that fail to read (speed of a link that is down) are
 * left out.
 */
export function sysfsGrep(paths: string[]): string {
  return `grep -H . ${paths.join(' ')} 2>/dev/null; true`;
}

/** "path:value" lines of sysfsGrep under /sys/class/net → interface → file (statistics/ dropped) → value. */
export function parseSysClassNet(output: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const line of output.split('\n')) {
    const m = line.match(/^\/sys\/class\/net\/([^/]+)\/(?:bonding\/|statistics\/)?([a-z0-9_]+):(.*)$/);
    if (!m) continue;
    const files = out.get(m[1]!) ?? {};
    files[m[2]!] = files[m[2]!] === undefined ? m[3]! : `${files[m[2]!]} ${m[3]!}`;
    out.set(m[1]!, files);
  }
  return out;
}

export function countersOf(files: Record<string, string> | undefined): InterfaceCounters {
  const counters: InterfaceCounters = {};
  for (const [key, file] of STAT_FIELDS) {
    if (/^\d+$/.test(files?.[file] ?? '')) counters[key] = Number(files![file]);
  }
  return counters;
}

/** A bond's option files: `ls` names them all (an empty one, like primary, prints nothing with grep). */
export function bondOptionsScript(bond: string): string {
  const dir = `/sys/class/net/${shellQuote(assertInterfaceName(bond, 'bond'))}/bonding`;
  return `echo "@@option-files"; ls ${dir}; echo "@@options"; ${sysfsGrep([`${dir}/*`])}`;
}

export function parseBondOptions(sections: ReturnType<typeof splitSections>): Record<string, string> | undefined {
  const files = sections.find((s) => s.name === 'option-files');
  if (!files) return undefined;
  const options: Record<string, string> = {};
  for (const name of files.body.split(/\s+/).filter(Boolean)) options[name] = '';
  for (const values of parseSysClassNet(sections.find((s) => s.name === 'options')?.body ?? '').values()) {
    Object.assign(options, values);
  }
  return options;
}

const MANAGEMENT_SCRIPT = [
  'echo "@@ssh-connection"; echo "${SSH_CONNECTION:-}"',
  'echo "@@route-get"; set -- ${SSH_CONNECTION:-}; if [ -n "${1:-}" ]; then ip -j route get "$1"; fi',
].join('\n');

const PROBE_SCRIPT = [
  'echo "@@kernel"; uname -r',
  'echo "@@machine"; uname -m',
  'echo "@@hostname"; cat /proc/sys/kernel/hostname',
  'echo "@@os-release"; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  'echo "@@bonding"',
  '[ -d /sys/module/bonding ] && echo loaded=1',
  '[ -e /sys/module/bonding/initstate ] && echo initstate=$(cat /sys/module/bonding/initstate)',
  'k=$(uname -r)',
  "grep -qE '(^|/)bonding\\.ko' /lib/modules/$k/modules.builtin 2>/dev/null && echo builtin=1",
  "grep -qE '(^|/)bonding\\.ko(\\.[a-z]+)?:' /lib/modules/$k/modules.dep 2>/dev/null && echo module=1",
  '[ -e /sys/class/net/bonding_masters ] && echo masters=$(cat /sys/class/net/bonding_masters)',
  'echo "@@tools"',
  'for t in ifenslave ip rc-update openrc systemctl sudo; do p=$(command -v $t 2>/dev/null) && echo "$t=$p"; done',
  '[ -e /etc/init.d/net.lo ] && echo net.lo=1',
  '[ -e /etc/conf.d/net ] && echo confd-net=1',
  '[ -d /lib/netifrc ] || [ -d /usr/libexec/netifrc ] || [ -e /lib/bondbench/netifrc ] && echo netifrc-lib=1',
  '[ -d /run/openrc ] && echo openrc=1',
  '[ -d /run/systemd/system ] && echo systemd=1',
  '[ -d /etc/local.d ] && echo local.d=1',
  '{ [ -e /etc/runlevels/default/local ] || [ -e /etc/runlevels/boot/local ]; } && [ -e /etc/init.d/local ] && echo openrc-local=1',
  "grep -qs 'local\\.d' /lib/bondbench/rcS && echo lab-local.d=1",
  'echo "default-runlevel=$(ls /etc/runlevels/default 2>/dev/null | tr "\\n" " ")"',
  'echo "@@boot-id"; cat /proc/sys/kernel/random/boot_id',
  'echo "@@uptime"; cat /proc/uptime',
  MANAGEMENT_SCRIPT,
  'echo "@@ip-addr"; ip -j -d addr show',
  'echo "@@sysfs"',
  sysfsGrep([
    '/sys/class/net/*/carrier',
    '/sys/class/net/*/speed',
    '/sys/class/net/*/duplex',
    '/sys/class/net/*/statistics/*',
  ]),
  'for f in /proc/net/bonding/*; do [ -e "$f" ] || continue; echo "@@bond ${f##*/}"; cat "$f"; done',
  'echo "@@end"',
].join('\n');

function section(sections: ReturnType<typeof splitSections>, name: string, label: string): string {
  const found = sections.find((s) => s.name === name);
  if (!found) throw new ParseError(`the probe of ${label}`, `no "${name}" section in its output`);
  return found.body.trim();
}

export function parseManagementPath(
  label: string,
  sshConnection: string,
  routeGet: string,
  links: IpLink[],
): ManagementPath {
  const [clientAddress, , serverAddress] = sshConnection.trim().split(/\s+/);
  if (!clientAddress || !serverAddress) throw new ManagementPathUnknownError(label, 'noSshConnection');
  let routeDev: string | undefined;
  try {
    const routes = JSON.parse(routeGet || '[]') as { dev?: string }[];
    routeDev = routes[0]?.dev;
  } catch {
    throw new ManagementPathUnknownError(label, 'routeNotJson', { client: clientAddress });
  }
  const serverDev = links.find((l) => l.addresses.some((a) => a.local === serverAddress))?.name;
  const dev = routeDev ?? serverDev;
  if (!dev) throw new ManagementPathUnknownError(label, 'noRoute', { client: clientAddress });
  const protect = new Set<string>([dev]);
  if (serverDev) protect.add(serverDev);
  for (const name of [...protect]) {
    const link = links.find((l) => l.name === name);
    if (link?.master) protect.add(link.master);
    for (const slave of links.filter((l) => l.master === name)) protect.add(slave.name);
  }
  return { clientAddress, serverAddress, interface: dev, protectedInterfaces: [...protect].sort() };
}

export async function readManagementPath(remote: SshRemote): Promise<ManagementPath> {
  const result = await remote.runOk(
    'finding the management interface',
    `${MANAGEMENT_SCRIPT}\necho "@@ip-addr"; ip -j -d addr show`,
  );
  const sections = splitSections(result.stdout);
  const links = parseIpLinkJson(section(sections, 'ip-addr', remote.label), `ip -j -d addr show on ${remote.label}`);
  return parseManagementPath(
    remote.label,
    section(sections, 'ssh-connection', remote.label),
    section(sections, 'route-get', remote.label),
    links,
  );
}

export async function probeHost(remote: SshRemote, target: string): Promise<HostProbe> {
  const result = await remote.runOk('probing the host', PROBE_SCRIPT, { timeoutMs: 60_000 });
  const sections = splitSections(result.stdout);
  const label = remote.label;
  section(sections, 'end', label);
  const os = parseOsRelease(section(sections, 'os-release', label));
  const bonding = keyValues(section(sections, 'bonding', label));
  const tools = keyValues(section(sections, 'tools', label));
  const links = parseIpLinkJson(section(sections, 'ip-addr', label), `ip -j -d addr show on ${label}`);
  const sysfs = parseSysClassNet(section(sections, 'sysfs', label));
  const interfaces: ProbedInterface[] = links.map((link) => {
    const fs = sysfs.get(link.name);
    const speed = Number(fs?.speed);
    const permaddr = link.permanentMac && link.permanentMac !== link.bondSlave?.permanentMac;
    return {
      name: link.name,
      mac: link.mac,
      permanentMac: link.permanentMac ?? link.mac,
      permanentMacSource: link.permanentMac ? (permaddr ? 'permaddr' : 'bonding') : link.mac ? 'address' : undefined,
      up: link.up,
      carrier: fs?.carrier === undefined ? link.carrier : fs.carrier === '1',
      operstate: link.operstate,
      speedMbps: Number.isInteger(speed) && speed > 0 ? speed : null,
      duplex: fs?.duplex && fs.duplex !== 'unknown' ? fs.duplex : null,
      mtu: link.mtu,
      kind: link.kind,
      master: link.master,
      addresses: link.addresses.map((a) => a.cidr),
      counters: countersOf(fs),
    };
  });
  const bonds: ProbedBond[] = sections
    .filter((s) => s.name === 'bond' && s.arg)
    .map((s) => {
      const name = s.arg!;
      const status = parseProcBonding(s.body.trim(), `/proc/net/bonding/${name} on ${label}`);
      return {
        name,
        status,
        link: links.find((l) => l.name === name),
        slaves: status.slaves.map((slave) => ({ name: slave.name, counters: countersOf(sysfs.get(slave.name)) })),
      };
    });
  const uptime = Number(section(sections, 'uptime', label).split(/\s+/)[0]);
  return {
    target,
    probedAt: new Date().toISOString(),
    kernel: section(sections, 'kernel', label),
    machine: section(sections, 'machine', label),
    hostname: section(sections, 'hostname', label),
    distribution: { id: os.ID, name: os.NAME, version: os.VERSION_ID, prettyName: os.PRETTY_NAME, idLike: os.ID_LIKE },
    bonding: {
      available: bonding.builtin ? 'built-in' : bonding.module || bonding.loaded ? 'module' : 'missing',
      loaded: !!bonding.loaded,
      bondingMasters: (bonding.masters ?? '').split(/\s+/).filter(Boolean),
    },
    tools: {
      ifenslave: tools.ifenslave,
      ip: tools.ip,
      rcUpdate: tools['rc-update'],
      netifrc: !!(tools['net.lo'] && tools['netifrc-lib']),
      confdNet: !!tools['confd-net'],
      openrc: !!(tools.openrc || tools.openrc === '' || tools['openrc-local']),
      systemd: !!tools.systemd,
      sudo: tools.sudo,
    },
    rollbackMechanism: tools['local.d'] && (tools['openrc-local'] || tools['lab-local.d']) ? 'local.d' : 'none',
    defaultRunlevel: (tools['default-runlevel'] ?? '').split(/\s+/).filter(Boolean),
    bootId: section(sections, 'boot-id', label),
    uptimeSeconds: Number.isFinite(uptime) ? uptime : 0,
    management: parseManagementPath(
      label,
      section(sections, 'ssh-connection', label),
      section(sections, 'route-get', label),
      links,
    ),
    interfaces,
    bonds,
  };
}

export interface RouteEntry {
  dst: string;
  gateway?: string;
  metric?: number;
  scope?: string;
}

/** What a bond and the interfaces around it look like right now; enough to put them back. */
export interface LiveBondState {
  bond: string;
  /** The host's boot when this was read. */
  bootId?: string;
  exists: boolean;
  up?: boolean;
  /** Raw sysfs option values (/sys/class/net/<bond>/bonding/*). */
  options?: Record<string, string>;
  slaves?: string[];
  /** IPv4 addresses with prefix. */
  addresses?: string[];
  /** Routes through the bond other than the kernel's connected ones (re-added after the bond goes down). */
  routes?: RouteEntry[];
  status?: ProcBondStatus;
  interfaces: Record<string, { exists: boolean; up: boolean; master?: string; addresses: string[] }>;
}

const ROUTE_DST = /^(default|(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?)$/;

/** Non-kernel IPv4 routes of one device, validated so they can be re-added with quoted arguments. */
export function parseRoutes(json: string, source: string): RouteEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '[]');
  } catch (error) {
    throw new ParseError(source, `not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new ParseError(source, 'expected a JSON list of routes');
  const routes: RouteEntry[] = [];
  for (const route of parsed as Record<string, unknown>[]) {
    if (route.protocol === 'kernel') continue;
    const dst = String(route.dst ?? '');
    if (!ROUTE_DST.test(dst)) throw new ParseError(source, 'a route with an unexpected destination', undefined, dst);
    const entry: RouteEntry = { dst };
    if (route.gateway !== undefined) entry.gateway = assertIPv4(route.gateway, `route ${dst} gateway`);
    if (typeof route.metric === 'number') entry.metric = route.metric;
    if (typeof route.scope === 'string' && /^[a-z]+$/.test(route.scope)) entry.scope = route.scope;
    routes.push(entry);
  }
  return routes;
}

export async function readLiveBondState(
  remote: SshRemote,
  bondName: string,
  around: string[] = [],
): Promise<LiveBondState> {
  const bond = assertInterfaceName(bondName, 'bond');
  const b = shellQuote(bond);
  const script = [
    'echo "@@boot-id"; cat /proc/sys/kernel/random/boot_id',
    `echo "@@ip-addr"; ip -j -d addr show`,
    `if [ -d /sys/class/net/${b}/bonding ]; then`,
    `  ${bondOptionsScript(bond)}`,
    `  echo "@@routes"; ip -j -4 route show dev ${b}`,
    `  echo "@@proc"; cat /proc/net/bonding/${b}`,
    'fi',
    'echo "@@end"',
  ].join('\n');
  const result = await remote.runOk(`reading the state of ${bond}`, script);
  const sections = splitSections(result.stdout);
  section(sections, 'end', remote.label);
  const links = parseIpLinkJson(section(sections, 'ip-addr', remote.label), `ip -j -d addr show on ${remote.label}`);
  const link = links.find((l) => l.name === bond);
  const inet = (l: IpLink) => l.addresses.filter((a) => a.family === 'inet').map((a) => assertIPv4Cidr(a.cidr));
  const options = parseBondOptions(sections);
  const slaves = options ? (options.slaves ?? '').split(/\s+/).filter(Boolean) : undefined;
  const names = new Set([...(slaves ?? []), ...around]);
  const interfaces: LiveBondState['interfaces'] = {};
  for (const name of names) {
    const l = links.find((x) => x.name === name);
    interfaces[name] = l
      ? { exists: true, up: l.up, master: l.master, addresses: inet(l) }
      : { exists: false, up: false, addresses: [] };
  }
  const bootId = section(sections, 'boot-id', remote.label);
  if (!link || !options) return { bond, bootId, exists: false, interfaces };
  const proc = sections.find((s) => s.name === 'proc');
  return {
    bond,
    bootId,
    exists: true,
    up: link.up,
    options,
    slaves,
    addresses: inet(link),
    routes: parseRoutes(section(sections, 'routes', remote.label), `ip -j route show dev ${bond} on ${remote.label}`),
    status: proc ? parseProcBonding(proc.body.trim(), `/proc/net/bonding/${bond} on ${remote.label}`) : undefined,
    interfaces,
  };
}

export async function readBootId(remote: SshRemote): Promise<string> {
  const result = await remote.run('cat /proc/sys/kernel/random/boot_id');
  if (result.code !== 0) throw new RemoteCommandError(remote.label, 'reading the boot id', result);
  return result.stdout.trim();
}
