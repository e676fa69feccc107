/** What the host lab tests share: an ssh_config that reaches the lab guest the way a user's would. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualLab } from '../../main/lab/lab.js';
import { LAB_NETWORK } from '../../shared/lab/topology.js';

const repo = join(import.meta.dirname, '..', '..');

/**
 * A ProxyCommand running `bondbench lab connect --instance NAME %h %p` — the command the lab's own ssh_config
 * names — from the TypeScript sources, so the test does not depend on a fresh `npm run build`.
 */
export function labConnectProxyCommand(lab: VirtualLab, dir: string): string {
  const entry = join(dir, 'bondbench-lab.mts');
  writeFileSync(
    entry,
    `const { labCommand } = await import(${JSON.stringify(join(repo, 'main', 'cli', 'lab.ts'))});\nprocess.exitCode = await labCommand(process.argv.slice(2));\n`,
  );
  return `${process.execPath} --import tsx ${entry} connect --instance ${lab.instance} %h %p`;
}

export function labClientKey(lab: VirtualLab): string {
  return JSON.parse(readFileSync(join(lab.dir, 'state.json'), 'utf8')).image.keys.clientKey as string;
}

/** Writes an ssh_config with one Host block for the lab guest; returns its path. */
export function writeLabSshConfig(
  lab: VirtualLab,
  dir: string,
  options: { name: string; knownHosts: string; host?: string; extra?: string[] },
): string {
  const file = join(dir, `config-${options.name}`);
  writeFileSync(
    file,
    [
      `Host ${options.host ?? 'guest'}`,
      `  HostName ${LAB_NETWORK.guestSshHost}`,
      '  User root',
      `  IdentityFile ${labClientKey(lab)}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${options.knownHosts}`,
      `  ProxyCommand ${labConnectProxyCommand(lab, dir)}`,
      ...(options.extra ?? []),
      '',
    ].join('\n'),
  );
  return file;
}
