/** What lab tests share: the lab instance the global setup brought up, and small helpers around it. */
import { inject } from 'vitest';
import { VirtualLab } from '../../main/lab/lab.js';
import type { SshSession } from '../../main/ssh/session.js';

export function testLab(): VirtualLab {
  return new VirtualLab(inject('labInstance'));
}

/** Runs a command in the guest and returns its stdout, failing the test with stderr if it exits non-zero. */
export async function guest(session: SshSession, command: string): Promise<string> {
  const result = await session.exec(command);
  if (result.code !== 0) throw new Error(`guest: ${command} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Re-makes the guest's bond0 in another mode at runtime, as the driver requires: no slaves and down to change it. */
export async function setBondModeAtRuntime(session: SshSession, mode: string, miimon?: number): Promise<void> {
  await guest(
    session,
    [
      'set -e',
      'B=/sys/class/net/bond0/bonding',
      'for s in $(cat $B/slaves); do echo "-$s" > $B/slaves; done',
      'ip link set bond0 down',
      `echo ${mode} > $B/mode`,
      ...(miimon === undefined ? [] : [`echo ${miimon} > $B/miimon`]),
      'ip link set bond0 up',
      'for s in eth1 eth2; do ip link set $s down; echo "+$s" > $B/slaves; done',
    ].join('\n'),
  );
  if (['active-backup', 'balance-tlb', 'balance-alb'].includes(mode)) {
    // The first slave whose carrier is up at enslave time becomes active (bonding.rst "active_slave"); a virtio
    // carrier that comes up after eth2 is enslaved leaves eth2 active, so tests that pull eth1 pin it once both
    // slaves report MII up.
    await until('both slaves MII up', async () => {
      const out = await guest(
        session,
        'cat /sys/class/net/eth1/bonding_slave/mii_status /sys/class/net/eth2/bonding_slave/mii_status',
      );
      return out
        .trim()
        .split('\n')
        .every((l) => l.trim() === 'up')
        ? true
        : undefined;
    });
    await guest(session, 'echo eth1 > /sys/class/net/bond0/bonding/active_slave');
  }
}
