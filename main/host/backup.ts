/**
 * Backups taken before every change, on the host (<root>/backup/<id>/) and in the bench's run folder: the files
 * a change touches, byte for byte with mode and owner, symlinks as links, and the live state of the bond. The
 * first backup since the last restore is the baseline — the host as BondBench found it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertInterfaceName, assertIPv4Cidr, InvalidValueError, shellQuote } from '../../shared/net/names.js';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type { BackendKind } from './backend.js';
import { RemoteCommandError, type SshRemote } from './remote.js';
import { type LiveBondState, parseRoutes, splitSections } from './system.js';

const q = shellQuote;

export interface BackupEntry {
  path: string;
  kind: 'file' | 'symlink' | 'absent';
  linkTarget?: string;
  /** Octal mode, e.g. 644. */
  mode?: string;
  /** uid:gid */
  owner?: string;
  sha256?: string;
  /** File name of the copy inside the backup's files/ folder. */
  saved?: string;
}

export interface BackupManifest {
  id: string;
  createdAt: string;
  host: string;
  backend: BackendKind;
  reason: string;
  hostDir: string;
  entries: BackupEntry[];
  bondState: LiveBondState;
}

/** A backup that cannot be taken, read or trusted; `key` is an `error.backup.*` message (its English is `message`). */
export class BackupError extends SaidError {
  constructor(key: string, vars: ReasonPart['vars'] = {}) {
    super('BackupError', `error.backup.${key}`, vars);
  }
}

const SAFE_PATH = /^\/[A-Za-z0-9._/+-]+$/;

export function assertHostPath(path: string): string {
  if (!SAFE_PATH.test(path) || path.includes('..'))
    throw new BackupError('refusedPath', { path: JSON.stringify(path) });
  return path;
}

export function newBackupId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 6)}`;
}

function assertSavedName(saved: string | undefined): string {
  if (!saved || !/^\d{1,4}$/.test(saved)) throw new BackupError('savedName', { saved: JSON.stringify(saved) });
  return saved;
}

function assertId(id: string): string {
  if (!/^[0-9TZ]+-[a-z0-9]+$/.test(id)) throw new BackupError('backupId', { id: JSON.stringify(id) });
  return id;
}

/** Where backups may live on a host (chooseBackupRoot picks one). */
export const BACKUP_ROOTS = ['/var/lib/bondbench', '/etc/bondbench'] as const;

/**
 * The host files a backup may name — the only ones BondBench changes: netifrc's /etc/conf.d/net and a bond's
 * service link and runlevel entry. A manifest naming any other path (/root/.ssh/authorized_keys…) is refused.
 */
const ALLOWED_PATHS = [
  /^\/etc\/conf\.d\/net$/,
  /^\/etc\/init\.d\/net\.[A-Za-z0-9_-][A-Za-z0-9_.-]{0,14}$/,
  /^\/etc\/runlevels\/[A-Za-z0-9_-]{1,32}\/net\.[A-Za-z0-9_-][A-Za-z0-9_.-]{0,14}$/,
];

/** A manifest field that is not what BondBench writes: `problem` is an `error.backup.problem.*` key. */
function field(source: string, path: string | ReasonPart, problem: string, vars: ReasonPart['vars'] = {}): BackupError {
  return new BackupError('notOurs', { source, path, problem: { key: `error.backup.problem.${problem}`, vars } });
}

function text(value: unknown, source: string, path: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
    throw field(source, path, 'is', { value: String(JSON.stringify(value)?.slice(0, 80)) });
  }
  return value;
}

/**
 * Validates a backup manifest read back (from the host or a run folder) before anything in it is used: the id,
 * the host folder (`<root>/backup/<id>` under one of BACKUP_ROOTS, or `expected.root`), each entry's path (from
 * the allowed list), saved-file name (digits), mode, owner, checksum and link target, and the bond state through
 * the validators the plan's values pass (interface names, IPv4 addresses, routes, bond options). Returns a fresh
 * manifest of the checked values only; throws BackupError naming `source` and the field.
 */
export function validateBackupManifest(
  value: unknown,
  source: string,
  expected: { root?: string; id?: string } = {},
): BackupManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw field(source, { key: 'error.backup.theManifest' }, 'notObject');
  const m = value as Record<string, unknown>;
  const id = text(m.id, source, 'id', /^[0-9TZ]+-[a-z0-9]+$/);
  if (expected.id !== undefined && id !== expected.id)
    throw field(source, 'id', 'isNot', { value: id, wanted: expected.id });
  const roots: readonly string[] = expected.root ? [expected.root] : BACKUP_ROOTS;
  const hostDir = text(m.hostDir, source, 'hostDir');
  if (!roots.some((root) => hostDir === `${root}/backup/${id}`)) {
    throw field(source, 'hostDir', 'hostDir', { value: JSON.stringify(hostDir), id });
  }
  const backend = text(m.backend, source, 'backend', /^(runtime|netifrc)$/) as BackendKind;
  if (!Array.isArray(m.entries)) throw field(source, 'entries', 'notList');
  const seen = new Set<string>();
  const entries = m.entries.map((raw, i): BackupEntry => {
    const at = `entries[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw field(source, at, 'notObject');
    const e = raw as Record<string, unknown>;
    const path = text(e.path, source, `${at}.path`);
    if (!SAFE_PATH.test(path) || path.includes('..') || !ALLOWED_PATHS.some((allowed) => allowed.test(path))) {
      throw field(source, `${at}.path`, 'notOurFile', { value: JSON.stringify(path) });
    }
    const kind = text(e.kind, source, `${at}.kind`, /^(file|symlink|absent)$/) as BackupEntry['kind'];
    if (kind === 'symlink') {
      const target = text(e.linkTarget, source, `${at}.linkTarget`, /^\/?[A-Za-z0-9._/+-]+$/);
      return { path, kind, linkTarget: target };
    }
    if (kind === 'absent') return { path, kind };
    const saved = text(e.saved, source, `${at}.saved`, /^\d{1,4}$/);
    if (seen.has(saved)) throw field(source, `${at}.saved`, 'twice', { value: saved });
    seen.add(saved);
    return {
      path,
      kind,
      saved,
      mode: text(e.mode, source, `${at}.mode`, /^[0-7]{3,4}$/),
      owner: text(e.owner, source, `${at}.owner`, /^\d{1,10}:\d{1,10}$/),
      sha256: text(e.sha256, source, `${at}.sha256`, /^[0-9a-f]{64}$/),
    };
  });
  return {
    id,
    createdAt: text(m.createdAt, source, 'createdAt', /^[0-9T:.Z-]{1,40}$/),
    host: text(m.host, source, 'host'),
    backend,
    reason: text(m.reason, source, 'reason'),
    hostDir,
    entries,
    bondState: validateBondState(m.bondState, source),
  };
}

/** The bond state part of a manifest, through the plan's validators; only the fields a restore uses are kept. */
function validateBondState(value: unknown, source: string): LiveBondState {
  if (typeof value !== 'object' || value === null) throw field(source, 'bondState', 'notObject');
  const s = value as Record<string, unknown>;
  const guard = <T>(path: string, check: () => T): T => {
    try {
      return check();
    } catch (error) {
      // The value's own reason, without the field (named already) where it has one.
      const cause = error instanceof InvalidValueError && error.part ? error.part : errorPart(error);
      throw field(source, path, 'invalid', { cause });
    }
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw field(source, path, 'notList');
    return v;
  };
  const bond = guard('bondState.bond', () => assertInterfaceName(s.bond, 'bond'));
  if (typeof s.exists !== 'boolean') throw field(source, 'bondState.exists', 'notBoolean');
  const options: Record<string, string> = {};
  if (s.options !== undefined) {
    if (typeof s.options !== 'object' || s.options === null) throw field(source, 'bondState.options', 'notObject');
    for (const [name, v] of Object.entries(s.options)) {
      // sysfs option names and their values as read: words, numbers, addresses; never shell syntax.
      options[text(name, source, 'bondState.options', /^[a-z_]{1,32}$/)] = text(
        v,
        source,
        `bondState.options.${name}`,
        /^[A-Za-z0-9 .,:_/+-]{0,200}$/,
      );
    }
  }
  const interfaces: LiveBondState['interfaces'] = {};
  if (typeof s.interfaces !== 'object' || s.interfaces === null)
    throw field(source, 'bondState.interfaces', 'notObject');
  for (const [name, raw] of Object.entries(s.interfaces)) {
    const at = `bondState.interfaces.${name}`;
    const n = guard(at, () => assertInterfaceName(name));
    const iface = (raw ?? {}) as Record<string, unknown>;
    interfaces[n] = {
      exists: iface.exists === true,
      up: iface.up === true,
      master: iface.master === undefined ? undefined : guard(`${at}.master`, () => assertInterfaceName(iface.master)),
      addresses: list(iface.addresses, `${at}.addresses`).map((a) => guard(`${at}.addresses`, () => assertIPv4Cidr(a))),
    };
  }
  return {
    bond,
    bootId: s.bootId === undefined ? undefined : text(s.bootId, source, 'bondState.bootId', /^[0-9a-f-]{1,64}$/),
    exists: s.exists,
    up: s.up === undefined ? undefined : s.up === true,
    options: s.options === undefined ? undefined : options,
    slaves: list(s.slaves, 'bondState.slaves').map((x) =>
      guard('bondState.slaves', () => assertInterfaceName(x, 'slave')),
    ),
    addresses: list(s.addresses, 'bondState.addresses').map((a) =>
      guard('bondState.addresses', () => assertIPv4Cidr(a)),
    ),
    routes: guard('bondState.routes', () => parseRoutes(JSON.stringify(list(s.routes, 'bondState.routes')), source)),
    interfaces,
  };
}

/**
 * Picks where backups live: /var/lib/bondbench, unless /var/lib is in RAM (then a reboot would lose the backup a
 * rollback needs) — the lab guest keeps only /etc on disk, so there it is /etc/bondbench.
 */
export async function chooseBackupRoot(remote: SshRemote): Promise<string> {
  const result = await remote.run('stat -f -c %T /var/lib 2>/dev/null || echo unknown');
  const fs = result.stdout.trim();
  return /^(tmpfs|ramfs|rootfs)$/.test(fs) ? '/etc/bondbench' : '/var/lib/bondbench';
}

export interface TakeBackupOptions {
  root: string;
  host: string;
  backend: BackendKind;
  reason: string;
  paths: string[];
  bondState: LiveBondState;
  /** The bench's run folder: a copy of everything goes to <runDir>/host-backups/<id>/. */
  runDir?: string;
}

export async function takeBackup(
  remote: SshRemote,
  options: TakeBackupOptions,
): Promise<{ manifest: BackupManifest; localDir?: string }> {
  const root = assertHostPath(options.root);
  const id = newBackupId();
  const dir = `${root}/backup/${id}`;
  let entries: BackupEntry[] = [];
  if (options.paths.length > 0) {
    const script = [
      'set -e',
      `umask 077; mkdir -p ${q(`${dir}/files`)}`,
      ...options.paths.flatMap((path, i) => {
        const p = q(assertHostPath(path));
        return [
          `echo "@@entry ${i}"`,
          `if [ -L ${p} ]; then echo kind=symlink; echo "link=$(readlink ${p})";`,
          `elif [ -f ${p} ]; then cp -p ${p} ${q(`${dir}/files/${i}`)}; echo kind=file; echo "stat=$(stat -c '%a %u:%g' ${p})"; echo "sha256=$(sha256sum < ${p} | cut -d' ' -f1)";`,
          `elif [ -e ${p} ]; then echo kind=other;`,
          'else echo kind=absent; fi',
        ];
      }),
      'echo "@@end"',
    ].join('\n');
    const result = await remote.runOk('saving the files the change touches', script, { privileged: true });
    const sections = splitSections(result.stdout);
    if (!sections.some((s) => s.name === 'end')) throw new BackupError('scriptStopped', { label: remote.label });
    entries = options.paths.map((path, i) => {
      const body = sections.find((s) => s.name === 'entry' && s.arg === String(i))?.body ?? '';
      const fields = Object.fromEntries(
        body
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      if (fields.kind === 'other') throw new BackupError('neitherFile', { path, label: remote.label });
      if (fields.kind === 'symlink') return { path, kind: 'symlink', linkTarget: fields.link };
      if (fields.kind === 'file') {
        const [mode, owner] = (fields.stat ?? '').split(' ');
        return { path, kind: 'file', mode, owner, sha256: fields.sha256, saved: String(i) };
      }
      return { path, kind: 'absent' };
    });
  }
  const manifest: BackupManifest = {
    id,
    createdAt: new Date().toISOString(),
    host: options.host,
    backend: options.backend,
    reason: options.reason,
    hostDir: dir,
    entries,
    bondState: options.bondState,
  };
  // The manifest (on stdin) and the pointers in one go: the first backup since the last restore is the host as
  // found (baseline); `last` is what a rollback returns to.
  const pointer = (name: string) =>
    `printf '%s\\n' ${q(id)} > ${q(`${root}/${name}.tmp`)}; mv -f ${q(`${root}/${name}.tmp`)} ${q(`${root}/${name}`)}`;
  await remote.runOk(
    'recording the backup',
    [
      'set -e',
      `umask 077; mkdir -p ${q(dir)}`,
      `cat > ${q(`${dir}/manifest.json.tmp`)}`,
      `mv -f ${q(`${dir}/manifest.json.tmp`)} ${q(`${dir}/manifest.json`)}`,
      `[ -e ${q(`${root}/baseline`)} ] || { ${pointer('baseline')}; }`,
      pointer('last'),
      'sync',
    ].join('\n'),
    { privileged: true, input: `${JSON.stringify(manifest, null, 2)}\n` },
  );
  let localDir: string | undefined;
  if (options.runDir) {
    localDir = join(options.runDir, 'host-backups', id);
    await mkdir(join(localDir, 'files'), { recursive: true });
    // One SSH channel per file, at once: each copy is checked against its own checksum.
    await Promise.all(
      entries
        .filter((e) => e.kind === 'file')
        .map(async (entry) => {
          const bytes = await remote.readFile(`${dir}/files/${entry.saved}`, { privileged: true });
          if (!bytes) throw new BackupError('copyVanished', { label: remote.label, path: entry.path, dir });
          const sha = createHash('sha256').update(bytes).digest('hex');
          if (sha !== entry.sha256) throw new BackupError('copyChecksum', { label: remote.label, path: entry.path });
          await writeFile(join(localDir!, 'files', entry.saved!), bytes);
        }),
    );
    await writeFile(join(localDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return { manifest, localDir };
}

export async function readPointer(
  remote: SshRemote,
  root: string,
  name: 'baseline' | 'last',
): Promise<string | undefined> {
  const bytes = await remote.readFile(`${assertHostPath(root)}/${name}`, { privileged: true });
  const id = bytes?.toString().trim();
  return id ? assertId(id) : undefined;
}

/** A backup's manifest from the host, validated (validateBackupManifest); undefined when it is not there. */
export async function readManifest(remote: SshRemote, root: string, id: string): Promise<BackupManifest | undefined> {
  const path = `${assertHostPath(root)}/backup/${assertId(id)}/manifest.json`;
  const bytes = await remote.readFile(path, { privileged: true });
  if (!bytes) return undefined;
  return validateBackupManifest(parseJson(bytes.toString(), `${remote.label}:${path}`), `${remote.label}:${path}`, {
    root,
    id,
  });
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BackupError('notJson', { source, error: (error as Error).message });
  }
}

/** The first backup of a host in a run folder — the host as found — for when the host lost its own copy. */
export async function firstLocalManifest(
  runDir: string,
  host?: string,
): Promise<{ manifest: BackupManifest; dir: string } | undefined> {
  const base = join(runDir, 'host-backups');
  // Only folders named as backup ids; their manifest validated, and its id the folder's.
  const ids = (await readdir(base).catch(() => [] as string[]))
    .filter((name) => /^[0-9TZ]+-[a-z0-9]+$/.test(name))
    .sort();
  for (const id of ids) {
    const dir = join(base, id);
    const file = join(dir, 'manifest.json');
    const manifest = validateBackupManifest(parseJson(await readFile(file, 'utf8'), file), file, { id });
    if (!host || manifest.host === host) return { manifest, dir };
  }
  return undefined;
}

/** Shell lines that put the files of a backup back (used by restore and by the armed rollback). */
export function restoreFilesScript(manifest: BackupManifest): string {
  const lines: string[] = [];
  for (const entry of manifest.entries) {
    const p = q(assertHostPath(entry.path));
    if (entry.kind === 'file') {
      const saved = q(`${assertHostPath(manifest.hostDir)}/files/${entry.saved}`);
      lines.push(
        `mkdir -p "$(dirname ${p})"`,
        `tmp=$(mktemp "$(dirname ${p})/.bondbench.XXXXXX")`,
        `cp -p ${saved} "$tmp" && mv -f "$tmp" ${p} || { rm -f "$tmp"; echo ${q(`cannot restore ${entry.path}`)} >&2; exit 1; }`,
      );
    } else if (entry.kind === 'symlink') {
      if (
        !entry.linkTarget ||
        !SAFE_PATH.test(entry.linkTarget.startsWith('/') ? entry.linkTarget : `/${entry.linkTarget}`)
      ) {
        throw new BackupError('linkTarget', { path: entry.path });
      }
      lines.push(`rm -f ${p}`, `ln -s ${q(entry.linkTarget)} ${p}`);
    } else {
      lines.push(`rm -f ${p}`);
    }
  }
  lines.push('sync');
  return lines.join('\n');
}

/** Checks that every file of the backup is back byte for byte (checksums) and every link points where it did. */
export function checkRestoredScript(manifest: BackupManifest): string {
  return manifest.entries
    .map((entry) => {
      const p = q(assertHostPath(entry.path));
      if (entry.kind === 'file')
        return `[ "$(sha256sum < ${p} | cut -d' ' -f1)" = ${q(entry.sha256 ?? '')} ] || { echo ${q(`${entry.path} differs`)} >&2; exit 1; }`;
      if (entry.kind === 'symlink')
        return `[ "$(readlink ${p})" = ${q(entry.linkTarget ?? '')} ] || { echo ${q(`${entry.path} points elsewhere`)} >&2; exit 1; }`;
      return `[ ! -e ${p} ] && [ ! -L ${p} ] || { echo ${q(`${entry.path} should not exist`)} >&2; exit 1; }`;
    })
    .join('\n');
}

/** Puts a backup's files back on the host: from the host's copy, or uploaded from the run folder's copy. */
export async function restoreFiles(
  remote: SshRemote,
  manifest: BackupManifest,
  local?: { dir: string },
): Promise<{ files: string[]; source: 'host' | 'local' }> {
  const present = await remote.run(
    manifest.entries
      .filter((e) => e.kind === 'file')
      .map((e) => `[ -f ${q(`${manifest.hostDir}/files/${e.saved}`)} ] || exit 3`)
      .join('\n') || 'true',
    { privileged: true },
  );
  let source: 'host' | 'local' = 'host';
  if (present.code === 3) {
    if (!local) {
      throw new BackupError('gone', { label: remote.label, id: manifest.id, dir: manifest.hostDir });
    }
    source = 'local';
    for (const entry of manifest.entries.filter((e) => e.kind === 'file')) {
      // saved is digits (validateBackupManifest): the copy is read from the run folder's backup, nowhere else.
      const bytes = await readFile(join(local.dir, 'files', assertSavedName(entry.saved)));
      await remote.writeFileAtomic(`${manifest.hostDir}/files/${entry.saved}`, bytes, { mode: '600' });
      await remote.runOk(
        `restoring the mode of ${entry.path}`,
        `chmod ${q(entry.mode ?? '644')} ${q(`${manifest.hostDir}/files/${entry.saved}`)}; chown ${q(entry.owner ?? '0:0')} ${q(`${manifest.hostDir}/files/${entry.saved}`)}`,
        { privileged: true },
      );
    }
  } else if (present.code !== 0) {
    throw new RemoteCommandError(remote.label, 'looking for the backup copies', present);
  }
  await remote.runOk(`restoring the files of backup ${manifest.id}`, `set -e\n${restoreFilesScript(manifest)}`, {
    privileged: true,
  });
  await remote.runOk(`checking the restored files of backup ${manifest.id}`, checkRestoredScript(manifest), {
    privileged: true,
  });
  return { files: manifest.entries.map((e) => e.path), source };
}

/** After a restore to the baseline: the next change starts a new baseline. */
export async function clearBaseline(remote: SshRemote, root: string, id: string): Promise<void> {
  const r = assertHostPath(root);
  await remote.runOk(
    'clearing the baseline',
    `date -u +%Y-%m-%dT%H:%M:%SZ > ${q(`${r}/backup/${assertId(id)}/restored-at`)}; rm -f ${q(`${r}/baseline`)} ${q(`${r}/last`)}; sync`,
    { privileged: true },
  );
}
