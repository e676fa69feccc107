/**
 * Commit confirmed, as Junos does it: before rebooting into a new persistent network configuration, leave a
 * script on the host that, unless the bench confirms within N seconds of boot, puts the previous files back and
 * reboots. It runs from /etc/local.d (OpenRC's "local" service, and the lab guest's boot script).
 */
import { shellQuote } from '../../shared/net/names.js';
import { SaidError } from '../../shared/run/said-error.js';
import { assertHostPath, type BackupManifest, restoreFilesScript } from './backup.js';
import type { SshRemote } from './remote.js';

const q = shellQuote;

export const ROLLBACK_SCRIPT = '/etc/local.d/bondbench-rollback.start';
const PID_FILE = '/run/bondbench-rollback.pid';

/** The host has no OpenRC "local" service to run the rollback script from (`error.rollbackUnavailable`). */
export class RollbackUnavailableError extends SaidError {
  constructor(label: string) {
    super('RollbackUnavailableError', 'error.rollbackUnavailable', { label });
  }
}

export interface ArmedRollback {
  token: string;
  backupId: string;
  seconds: number;
  armedAt: string;
}

export interface RollbackStatus {
  /** The script is still waiting on the host (not confirmed). */
  armed: boolean;
  /** Lines of <root>/rollback.log: one per rollback that fired. */
  fired: string[];
}

export async function rollbackAvailable(remote: SshRemote): Promise<boolean> {
  const result = await remote.run(
    [
      '[ -d /etc/local.d ] || exit 1',
      "grep -qs 'local\\.d' /lib/bondbench/rcS && exit 0",
      '{ [ -e /etc/runlevels/default/local ] || [ -e /etc/runlevels/boot/local ]; } && [ -e /etc/init.d/local ] && exit 0',
      'exit 1',
    ].join('\n'),
  );
  return result.code === 0;
}

/** The script left in /etc/local.d: all paths in it come from the backup manifest and are validated. */
export function rollbackScript(manifest: BackupManifest, root: string, seconds: number, token: string): string {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`rollback delay ${seconds} must be whole seconds ≥ 1`);
  if (!/^[a-z0-9]+$/.test(token)) throw new Error('bad rollback token');
  // The id goes into a comment and messages: only a backup id's characters, never a line break or a quote.
  if (!/^[0-9TZ]+-[a-z0-9]+$/.test(manifest.id)) throw new Error(`${JSON.stringify(manifest.id)} is not a backup id`);
  const log = q(`${assertHostPath(root)}/rollback.log`);
  return [
    '#!/bin/sh',
    `# BondBench commit-confirmed rollback ${token}, armed ${new Date().toISOString()} for backup ${manifest.id}.`,
    `# Unless the bench confirms (deletes this file) within ${seconds} s of boot, the previous network`,
    '# configuration is put back and the host reboots.',
    '(',
    `  sleep ${seconds}`,
    `  grep -qs ${q(token)} ${q(ROLLBACK_SCRIPT)} || exit 0`,
    `  logger -t bondbench ${q(`not confirmed within ${seconds} s: rolling back to backup ${manifest.id}`)} 2>/dev/null`,
    ...restoreFilesScript(manifest)
      .split('\n')
      .map((line) => `  ${line}`),
    `  rm -f ${q(ROLLBACK_SCRIPT)}`,
    `  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(`${token} rolled back to ${manifest.id} (not confirmed within ${seconds} s)`)} >> ${log}`,
    '  sync',
    '  reboot',
    `) </dev/null >/dev/null 2>&1 &`,
    `echo $! > ${q(PID_FILE)}`,
    '',
  ].join('\n');
}

export async function armRollback(
  remote: SshRemote,
  manifest: BackupManifest,
  root: string,
  seconds: number,
): Promise<ArmedRollback> {
  if (!(await rollbackAvailable(remote))) throw new RollbackUnavailableError(remote.label);
  const token = Math.random().toString(36).slice(2, 10);
  await remote.writeFileAtomic(ROLLBACK_SCRIPT, rollbackScript(manifest, root, seconds, token), { mode: '755' });
  await remote.runOk('making the rollback script executable', `chmod 755 ${q(ROLLBACK_SCRIPT)}; sync`, {
    privileged: true,
  });
  return { token, backupId: manifest.id, seconds, armedAt: new Date().toISOString() };
}

/** Confirms: the waiting rollback is disarmed (script removed, its timer stopped). */
export async function confirmRollback(remote: SshRemote): Promise<boolean> {
  const result = await remote.runOk(
    'confirming the configuration',
    [
      `armed=0; [ -e ${q(ROLLBACK_SCRIPT)} ] && armed=1`,
      `rm -f ${q(ROLLBACK_SCRIPT)}`,
      `if [ -s ${q(PID_FILE)} ]; then kill "$(cat ${q(PID_FILE)})" 2>/dev/null; rm -f ${q(PID_FILE)}; fi`,
      'sync',
      'echo "armed=$armed"',
    ].join('\n'),
    { privileged: true },
  );
  return result.stdout.includes('armed=1');
}

export async function rollbackStatus(remote: SshRemote, root: string): Promise<RollbackStatus> {
  const result = await remote.runOk(
    'reading the rollback state',
    `[ -e ${q(ROLLBACK_SCRIPT)} ] && echo "@@armed"; echo "@@log"; cat ${q(`${assertHostPath(root)}/rollback.log`)} 2>/dev/null; true`,
    { privileged: true },
  );
  const [, log = ''] = result.stdout.split('@@log\n');
  return { armed: result.stdout.includes('@@armed'), fired: log.split('\n').filter(Boolean) };
}
