/**
 * Which capture device is which network interface, as a pure function of what libpcap and the OS report.
 *
 * libpcap names devices its own way: on Linux the kernel's name ("eth1"), on Windows Npcap's device path
 * ("\Device\NPF_{GUID}", Npcap Users' Guide, "Npcap API": pcap_findalldevs), with a description such as
 * "Intel(R) Ethernet Connection (7) I219-LM". Node's os.networkInterfaces() is keyed by the kernel name on Linux
 * but by the adapter's friendly name ("Ethernet 2") on Windows (libuv uv_interface_addresses →
 * GetAdaptersAddresses FriendlyName). So the two lists are joined by address, never by name alone; the prefix
 * comes from pcap's own netmask (pcap_addr.netmask), the MAC from the OS (libpcap has none).
 */
import type { InterfaceAddress, InterfaceInfo } from './protocol.js';

/** One entry of cap's Cap.deviceList() (pcap_findalldevs, addresses as text). */
export interface PcapDevice {
  name: string;
  description?: string;
  addresses: { addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
  /** cap reports only loopback, as 'PCAP_IF_LOOPBACK'. */
  flags?: string;
}

/** One address of os.networkInterfaces() (Node's NetworkInterfaceInfo, structurally). */
export interface OsAddress {
  address: string;
  netmask: string;
  family: 'IPv4' | 'IPv6' | 4 | 6;
  mac: string;
  internal: boolean;
  cidr: string | null;
  scopeid?: number;
}

export type OsInterfaces = Record<string, OsAddress[] | undefined>;

/** The prefix length of a netmask ("255.255.255.0" → 24, "ffff:ffff:ffff:ffff::" → 64); undefined if not contiguous. */
export function prefixFromNetmask(netmask: string): number | undefined {
  let bits: string;
  if (netmask.includes('.')) {
    const octets = netmask.split('.');
    if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) return undefined;
    bits = octets.map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  } else if (netmask.includes(':')) {
    const expanded = expandIpv6(netmask);
    if (!expanded) return undefined;
    bits = expanded.map((g) => g.toString(2).padStart(16, '0')).join('');
  } else {
    return undefined;
  }
  const prefix = bits.indexOf('0') === -1 ? bits.length : bits.indexOf('0');
  return bits.slice(prefix).includes('1') ? undefined : prefix;
}

function expandIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}

/** An address without its IPv6 zone ("fe80::1%12" → "fe80::1"), lower case, for comparing the two lists. */
function addressKey(address: string): string {
  return address.split('%')[0]!.toLowerCase();
}

const isMac = (mac: string | undefined): mac is string => !!mac && mac !== '00:00:00:00:00:00';

/**
 * The OS interface a pcap device is: the one of the same name (Linux), else the one sharing an address with it
 * (Windows: pcap path vs friendly name). Undefined when neither (an unaddressed Windows adapter, a pseudo-device).
 */
export function matchOsInterface(
  device: PcapDevice,
  os: OsInterfaces,
): { name: string; addresses: OsAddress[] } | undefined {
  const same = os[device.name];
  if (same) return { name: device.name, addresses: same };
  const wanted = new Set(device.addresses.filter((a) => a.addr).map((a) => addressKey(a.addr!)));
  if (wanted.size === 0) return undefined;
  for (const [name, addresses] of Object.entries(os)) {
    if (addresses?.some((a) => wanted.has(addressKey(a.address)))) return { name, addresses };
  }
  return undefined;
}

/**
 * libpcap's devices joined with the OS's interfaces: pcap name (what to open), friendly name (what the user knows
 * it by, when different), MAC, addresses with prefix (pcap's netmask first, the OS's CIDR otherwise).
 */
export function mergeInterfaces(devices: readonly PcapDevice[], os: OsInterfaces): InterfaceInfo[] {
  return devices.map((device) => {
    const match = matchOsInterface(device, os);
    const osAddresses = match?.addresses ?? [];
    const mac = osAddresses.find((e) => isMac(e.mac))?.mac;
    const addresses: InterfaceAddress[] = device.addresses
      .filter((a) => a.addr)
      .map((a) => {
        const address = a.addr!;
        const family = address.includes(':') ? ('IPv6' as const) : ('IPv4' as const);
        const prefix = a.netmask ? prefixFromNetmask(a.netmask) : undefined;
        const osCidr = osAddresses.find((e) => addressKey(e.address) === addressKey(address))?.cidr ?? undefined;
        const cidr = prefix !== undefined ? `${addressKey(address)}/${prefix}` : osCidr;
        return { family, address, ...(a.netmask ? { netmask: a.netmask } : {}), ...(cidr ? { cidr } : {}) };
      });
    const info: InterfaceInfo = {
      name: device.name,
      loopback: device.flags === 'PCAP_IF_LOOPBACK' || osAddresses.some((e) => e.internal),
      addresses,
    };
    if (device.description) info.description = device.description;
    if (match && match.name !== device.name) info.friendlyName = match.name;
    if (mac) info.mac = mac;
    return info;
  });
}

/**
 * The capture device a plan names: its pcap name, or (what a Windows user sees) its friendly name or
 * description, matched case-insensitively. Throws listing what there is.
 */
export function resolveCaptureDevice(
  interfaces: readonly InterfaceInfo[],
  wanted: string,
  field: string,
): InterfaceInfo {
  const exact = interfaces.find((i) => i.name === wanted);
  if (exact) return exact;
  const folded = wanted.toLowerCase();
  const byLabel = interfaces.filter(
    (i) => i.friendlyName?.toLowerCase() === folded || i.description?.toLowerCase() === folded,
  );
  if (byLabel.length === 1) return byLabel[0]!;
  const seen = interfaces.map((i) => (i.friendlyName ? `${i.name} ("${i.friendlyName}")` : i.name)).join(', ');
  throw new Error(
    byLabel.length > 1
      ? `${field}: ${JSON.stringify(wanted)} names ${byLabel.length} capture devices: give the device name (${byLabel.map((i) => i.name).join(', ')})`
      : `${field}: the tester has no capture device ${JSON.stringify(wanted)} (it has ${seen || 'none'})`,
  );
}

/** How a device is shown to a user: its friendly name with the pcap name beside it when they differ. */
export function interfaceLabel(info: Pick<InterfaceInfo, 'name' | 'friendlyName'>): string {
  return info.friendlyName ? `${info.friendlyName} (${info.name})` : info.name;
}
