/** Validation of values that end up in remote commands: refuse early, say what to fix. */

export class InvalidValueError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} ${reason}`);
    this.name = 'InvalidValueError';
  }
}

/**
 * The kernel's rules for interface names (dev_valid_name): 1–15 bytes, not "." or "..", no '/', ':' or white space.
 * We are stricter still — letters, digits and . _ - only — so a name is always safe inside a shell word.
 */
export function assertInterfaceName(value: unknown, field = 'interface'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidValueError(field, value, 'must be a non-empty interface name such as eth1');
  }
  if (value.length > 15) throw new InvalidValueError(field, value, 'is longer than the kernel’s 15 characters');
  if (value === '.' || value === '..') throw new InvalidValueError(field, value, 'is not a valid interface name');
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(value)) {
    throw new InvalidValueError(field, value, 'may contain only letters, digits, ".", "_" and "-"');
  }
  return value;
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

export function assertIPv4(value: unknown, field = 'address'): string {
  if (typeof value !== 'string' || !IPV4.test(value)) {
    throw new InvalidValueError(field, value, 'must be an IPv4 address such as 192.168.1.253');
  }
  return value;
}

/** "a.b.c.d/nn" */
export function assertIPv4Cidr(value: unknown, field = 'address'): string {
  if (typeof value !== 'string')
    throw new InvalidValueError(field, value, 'must be an address with prefix, e.g. 10.77.1.253/24');
  const [address, prefix, ...rest] = value.split('/');
  const length = Number(prefix);
  if (rest.length > 0 || !IPV4.test(address ?? '') || !/^\d{1,2}$/.test(prefix ?? '') || length > 32) {
    throw new InvalidValueError(field, value, 'must be an address with prefix, e.g. 10.77.1.253/24');
  }
  return value;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function assertMac(value: unknown, field = 'mac'): string {
  if (typeof value !== 'string' || !MAC.test(value.toLowerCase())) {
    throw new InvalidValueError(field, value, 'must be a MAC address such as 00:e0:4c:83:07:9c');
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
