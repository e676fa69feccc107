/** Validation of values that end up in remote commands: refuse early, say what to fix. */

/**
 * Why a value is refused, in English: the home of these words (the catalogue's `value.*` takes them from here and
 * adds the Chinese). Each follows the value, e.g. `"10.0.0" must be an IPv4 address such as 192.168.1.253`.
 */
export const VALUE_REASONS = {
  interfaceName: 'must be a non-empty interface name such as eth1',
  tooLong: 'is longer than the kernel’s 15 characters',
  notInterface: 'is not a valid interface name',
  nameChars: 'may contain only letters, digits, ".", "_" and "-"',
  ipv4: 'must be an IPv4 address such as 192.168.1.253',
  cidr: 'must be an address with prefix, e.g. 10.77.1.253/24',
  mac: 'must be a MAC address such as 00:e0:4c:83:07:9c',
  hostName: 'must be a host name or address such as gentoo-1 or 192.168.0.253',
  user: 'must be a login name such as root',
  port: 'must be a TCP port from 1 to 65535',
  noHost: 'names no host: use user@host[:port]',
  // A driver's settings (shared/drivers).
  placeholderValue:
    'must be 1–64 characters of letters, digits and . _ : @ + / - (no spaces or shell characters), not starting with "-"',
  outlet: 'must be an integer ≥ 0',
  pdudaemonUrl: 'is not a URL such as http://pdu-server:16421',
  pdudaemonUrlForm: 'must be http(s)://host:port of pdudaemon, no query',
} as const;

/**
 * A value refused, e.g. `bond.peer: "10.0.0" must be an IPv4 address such as 192.168.1.253`. A reason given as a
 * VALUE_REASONS key is also kept as `part` (`value.said`: the value and the reason, without the field) for the
 * reader's language.
 */
export class InvalidValueError extends Error {
  /** What follows the field, as a message part; absent for a reason given as English text. */
  readonly part?: { key: string; vars: { value: string; reason: { key: string } } };
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string | { key: keyof typeof VALUE_REASONS },
  ) {
    super(`${field}: ${JSON.stringify(value)} ${typeof reason === 'string' ? reason : VALUE_REASONS[reason.key]}`);
    if (typeof reason !== 'string') {
      this.part = {
        key: 'value.said',
        vars: { value: JSON.stringify(value) ?? 'undefined', reason: { key: `value.${reason.key}` } },
      };
    }
    this.name = 'InvalidValueError';
  }
}

/**
 * The kernel's rules for interface names (dev_valid_name): 1–15 bytes, not "." or "..", no '/', ':' or white space.
 * We are stricter still — letters, digits and . _ - only — so a name is always safe inside a shell word.
 */
export function assertInterfaceName(value: unknown, field = 'interface'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidValueError(field, value, { key: 'interfaceName' });
  }
  if (value.length > 15) throw new InvalidValueError(field, value, { key: 'tooLong' });
  if (value === '.' || value === '..') throw new InvalidValueError(field, value, { key: 'notInterface' });
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(value)) {
    throw new InvalidValueError(field, value, { key: 'nameChars' });
  }
  return value;
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

export function assertIPv4(value: unknown, field = 'address'): string {
  if (typeof value !== 'string' || !IPV4.test(value)) {
    throw new InvalidValueError(field, value, { key: 'ipv4' });
  }
  return value;
}

/** "a.b.c.d/nn" */
export function assertIPv4Cidr(value: unknown, field = 'address'): string {
  if (typeof value !== 'string') throw new InvalidValueError(field, value, { key: 'cidr' });
  const [address, prefix, ...rest] = value.split('/');
  const length = Number(prefix);
  if (rest.length > 0 || !IPV4.test(address ?? '') || !/^\d{1,2}$/.test(prefix ?? '') || length > 32) {
    throw new InvalidValueError(field, value, { key: 'cidr' });
  }
  return value;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function assertMac(value: unknown, field = 'mac'): string {
  if (typeof value !== 'string' || !MAC.test(value.toLowerCase())) {
    throw new InvalidValueError(field, value, { key: 'mac' });
  }
  return value.toLowerCase();
}

/** Quote one word for a POSIX shell. Only validated values should need it, but every word gets it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
