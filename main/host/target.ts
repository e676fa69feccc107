/** Host targets as the CLI and the engine name them: an OpenSSH destination, or the virtual lab's guest. */
import { assertInstanceName } from '../../shared/lab/topology.js';
import { parseSshDestination, type SshDestination } from '../ssh/ssh-config.js';

export type HostTarget =
  | { kind: 'lab'; instance: string; text: string }
  | ({ kind: 'ssh'; text: string } & SshDestination);

/** "lab", "lab:<instance>", or user@host[:port] / ssh://user@host[:port] / an ssh_config Host alias. */
export function parseHostTarget(
  text: string,
  defaultLabInstance = process.env.BONDBENCH_LAB_INSTANCE ?? 'default',
): HostTarget {
  const trimmed = text.trim();
  if (trimmed === 'lab') return { kind: 'lab', instance: assertInstanceName(defaultLabInstance), text: trimmed };
  const lab = trimmed.match(/^lab:(.+)$/);
  if (lab) return { kind: 'lab', instance: assertInstanceName(lab[1]!), text: trimmed };
  return { kind: 'ssh', text: trimmed, ...parseSshDestination(trimmed) };
}
