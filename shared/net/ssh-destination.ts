/**
 * SSH destinations as OpenSSH's ssh accepts them (user@host[:port], user@[v6]:port, ssh://…), and the host
 * targets of a plan (`lab`, `lab:<instance>`, or a destination / ssh_config alias) — validated the same way by
 * `plan check` and by the run that connects. Throws InvalidValueError naming the field. Pure.
 */
import { assertInstanceName } from '../lab/topology.js';
import { InvalidValueError } from './names.js';

export interface SshDestination {
  user?: string;
  host: string;
  port?: number;
}

const HOST = /^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export function assertHostName(value: string, field = 'host'): string {
  if (!(HOST.test(value) || (value.includes(':') && IPV6.test(value))) || value.length > 253) {
    throw new InvalidValueError(field, value, { key: 'hostName' });
  }
  return value;
}

export function assertUserName(value: string, field = 'user'): string {
  if (!USER.test(value) || value.length > 64) throw new InvalidValueError(field, value, { key: 'user' });
  return value;
}

export function assertPort(value: string | number, field = 'port'): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(String(value)) || port < 1 || port > 65535) {
    throw new InvalidValueError(field, value, { key: 'port' });
  }
  return port;
}

/** user@host, user@host:port, user@[v6]:port, ssh://user@host:port — as OpenSSH's ssh accepts them. */
export function parseSshDestination(text: string): SshDestination {
  let rest = text.trim();
  if (rest.startsWith('ssh://')) rest = rest.slice('ssh://'.length).replace(/\/$/, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    user = assertUserName(rest.slice(0, at), 'user');
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = rest.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = assertPort(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    host = h!;
    port = assertPort(p!);
  }
  if (!host) throw new InvalidValueError('target', text, { key: 'noHost' });
  return { user, host: assertHostName(host, 'target host'), port };
}

/**
 * Checks a plan's host.target as the run will read it (main/host/target.ts): `lab`, `lab:<instance>` with a lab
 * instance name, or an SSH destination. Throws InvalidValueError (or the instance name's Error) saying what to fix.
 */
export function assertHostTarget(text: string): void {
  const trimmed = text.trim();
  if (trimmed === 'lab') return;
  const lab = /^lab:(.*)$/.exec(trimmed);
  if (lab) {
    try {
      assertInstanceName(lab[1]!);
    } catch (error) {
      throw new InvalidValueError(
        'target',
        text,
        (error as Error).message.replace(/^lab instance "[^"]*": /, 'the lab instance: '),
      );
    }
    return;
  }
  parseSshDestination(trimmed);
}
