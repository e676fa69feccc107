/**
 * Two network namespaces of a test's own joined by a veth pair (10.213.0.1/30 ↔ 10.213.0.2/30): addresses that
 * live only inside them. Root only. remove() deletes both namespaces (and with them the pair).
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface VethPair {
  nsA: string;
  nsB: string;
  devA: string;
  devB: string;
  addressA: string;
  addressB: string;
  remove(): void;
}

export function vethPair(tag: string): VethPair {
  const pair = {
    nsA: `${tag}-a`,
    nsB: `${tag}-b`,
    devA: `${tag}a`,
    devB: `${tag}b`,
    addressA: '10.213.0.1',
    addressB: '10.213.0.2',
    remove() {
      for (const ns of [pair.nsA, pair.nsB]) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  try {
    ip('netns', 'add', pair.nsA);
    ip('netns', 'add', pair.nsB);
    ip('link', 'add', pair.devA, 'netns', pair.nsA, 'type', 'veth', 'peer', 'name', pair.devB, 'netns', pair.nsB);
    ip('-n', pair.nsA, 'addr', 'add', `${pair.addressA}/30`, 'dev', pair.devA);
    ip('-n', pair.nsB, 'addr', 'add', `${pair.addressB}/30`, 'dev', pair.devB);
    for (const [ns, dev] of [
      [pair.nsA, pair.devA],
      [pair.nsB, pair.devB],
    ] as const) {
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    pair.remove();
    throw error;
  }
  return pair;
}
