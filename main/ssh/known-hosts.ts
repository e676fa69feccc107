/**
 * OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed (|1|salt|hash) host
 * patterns, [host]:port for other ports, wildcards and negation, @revoked. Host keys are pinned here: an unknown
 * key needs an explicit accept, a changed key is refused.
 */
import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { globMatch } from '../../shared/net/glob.js';
import { SaidError } from '../../shared/run/said-error.js';
import { HostKeyMismatchError, type OfferedHostKey, sha256Fingerprint } from './session.js';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  keyBlob: Buffer;
}

export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority')
      marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, base64] = fields;
    // Lines OpenSSH cannot read either are skipped, as ssh does.
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return;
    entries.push({ file, line: index + 1, marker, hosts, keyType, keyBlob: Buffer.from(base64, 'base64') });
  });
  return entries;
}

/** The name a host is filed under: "host" on port 22, "[host]:port" otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Host patterns compare case-insensitively (host names do). */
function wildcardMatch(pattern: string, name: string): boolean {
  return globMatch(pattern, name, { caseInsensitive: true });
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/** Whether a host field ("a,b,!c" or "|1|salt|hash") names this host; negations win. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) matched = true;
  }
  return matched;
}

export type KnownHostVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; known: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Looks the offered key up under any of the names (host key alias, host name). */
export function checkKnownHost(
  entries: KnownHostEntry[],
  names: string[],
  key: Pick<OfferedHostKey, 'type' | 'blob'>,
): KnownHostVerdict {
  const revoked = entries.find((e) => e.marker === '@revoked' && e.keyBlob.equals(key.blob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => !e.marker && names.some((name) => hostFieldMatches(e.hosts, name)));
  const match = forHost.find((e) => e.keyType === key.type && e.keyBlob.equals(key.blob));
  if (match) return { status: 'known', entry: match };
  return forHost.length > 0 ? { status: 'changed', known: forHost } : { status: 'unknown' };
}

/** A host not in known_hosts (`error.hostKey.unknown`): its key to compare and accept. */
export class UnknownHostKeyError extends SaidError {
  constructor(
    readonly label: string,
    readonly hostName: string,
    readonly key: OfferedHostKey,
    readonly knownHostsFile: string,
  ) {
    super('UnknownHostKeyError', 'error.hostKey.unknown', {
      label,
      file: knownHostsFile,
      type: key.type,
      fingerprint: key.fingerprint,
    });
  }
}

/** A key marked @revoked (`error.hostKey.revoked`): refused. */
export class RevokedHostKeyError extends SaidError {
  constructor(label: string, entry: KnownHostEntry, fingerprint: string) {
    super('RevokedHostKeyError', 'error.hostKey.revoked', {
      label,
      fingerprint,
      file: entry.file,
      line: entry.line,
    });
  }
}

/** Known-hosts files of one connection: read from all, new keys written to the first. */
export class KnownHosts {
  constructor(
    /** Files to read, first one is where accepted keys are added. */
    readonly files: string[],
  ) {
    if (files.length === 0) throw new Error('KnownHosts needs at least one file');
  }

  get writeFile(): string {
    return this.files[0]!;
  }

  async entries(): Promise<KnownHostEntry[]> {
    const all: KnownHostEntry[] = [];
    for (const file of this.files) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      all.push(...parseKnownHosts(text, file));
    }
    return all;
  }

  /** Key types already on file for these names, to ask the server for first. */
  async keyTypes(names: string[]): Promise<string[]> {
    const entries = await this.entries();
    return [
      ...new Set(
        entries.filter((e) => !e.marker && names.some((n) => hostFieldMatches(e.hosts, n))).map((e) => e.keyType),
      ),
    ];
  }

  async add(name: string, key: Pick<OfferedHostKey, 'type' | 'blob'>): Promise<void> {
    await mkdir(dirname(this.writeFile), { recursive: true, mode: 0o700 });
    await appendFile(this.writeFile, `${name} ${key.type} ${key.blob.toString('base64')}\n`, { mode: 0o600 });
  }

  /**
   * A host-key decision for SshSession: known → accept; changed or revoked → refuse with the reason; unknown →
   * ask `accept` (the user's explicit yes) and file the key, or refuse with the fingerprint to compare.
   */
  verifier(
    label: string,
    names: string[],
    accept: ((key: OfferedHostKey) => boolean | Promise<boolean>) | undefined,
  ): (key: OfferedHostKey) => Promise<boolean> {
    return async (key) => {
      const verdict = checkKnownHost(await this.entries(), names, key);
      switch (verdict.status) {
        case 'known':
          return true;
        case 'revoked':
          throw new RevokedHostKeyError(label, verdict.entry, key.fingerprint);
        case 'changed': {
          const first = verdict.known[0]!;
          throw new HostKeyMismatchError(
            label,
            `${first.keyType} ${sha256Fingerprint(first.keyBlob)}`,
            `${key.type} ${key.fingerprint}`,
            `${first.file} line ${first.line}`,
          );
        }
        case 'unknown':
          if (accept && (await accept(key))) {
            await this.add(names[0]!, key);
            return true;
          }
          throw new UnknownHostKeyError(label, names[0]!, key, this.writeFile);
      }
    };
  }
}
