/** The lab's network namespace: the switch (a bridge), the guest's taps, the tester port. */

import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import {
  LAB_NETWORK,
  LAB_NICS,
  LAB_PARTNER_NICS,
  LAB_SLAVES,
  labSlave,
  partnerNicFor,
} from '../../shared/lab/topology.js';
import { CommandError, commandHint, run, runOk } from '../util/exec.js';

export async function namespaceExists(ns: string): Promise<boolean> {
  const out = await runOk('ip', ['-j', 'netns', 'list']);
  const list = out.trim() ? (JSON.parse(out) as { name: string }[]) : [];
  return list.some((entry) => entry.name === ns);
}

/** Runs `ip -n NS …` and throws with the command line on failure. */
export function ipIn(ns: string, args: string[]): Promise<string> {
  return runOk('ip', ['-n', ns, ...args]);
}

/** Runs `tc -n NS …`; the LACP wiring needs the machine's act_mirred and cls_u32. */
function tcIn(ns: string, args: string[]): Promise<string> {
  return runOk('tc', ['-n', ns, ...args], {
    hint: commandHint('tc'),
  });
}

/**
 * A cable between two taps: every frame arriving on one leaves the other, unchanged. Unlike a bridge, this passes
 * LACPDUs (01:80:c2:00:00:02), which a Linux bridge never forwards. Each tap still sees both directions, so a
 * capture on it is a port mirror.
 */
async function crossConnect(ns: string, a: string, b: string): Promise<void> {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    await tcIn(ns, ['qdisc', 'add', 'dev', from, 'ingress']);
    // u32 "match u32 0 0" matches every frame; it exists on kernels without cls_matchall.
    await tcIn(ns, [
      'filter',
      'add',
      'dev',
      from,
      'ingress',
      'protocol',
      'all',
      'prio',
      '1',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      to,
    ]);
  }
}

/** Undoes crossConnect: each tap's ingress redirect is removed (a tap without one is fine). */
async function disconnect(ns: string, taps: readonly string[]): Promise<void> {
  for (const tap of taps) {
    const result = await run('tc', ['-n', ns, 'qdisc', 'del', 'dev', tap, 'ingress']);
    if (result.code !== 0 && !/No such file|Cannot find|Invalid handle/i.test(result.stderr)) {
      throw new CommandError(['tc', '-n', ns, 'qdisc', 'del', 'dev', tap, 'ingress'], result);
    }
  }
}

/** Where a slave's cable ends in the LACP lab: the partner's port, or a port of the bridge (the plain switch). */
export type Cabling = 'partner' | 'bridge';

/**
 * Moves a slave's cable (the guest's tap) between the LACP partner's port and the bridge, as an engineer moves a
 * host between an LACP port-channel and plain switch ports. A pulled cable stays pulled: on the bridge its port is
 * kept disabled (as lab pull leaves it). The partner's ports are dark while no cable ends there.
 */
export async function cableSlave(ns: string, slave: string, to: Cabling, options: { pulled: boolean }): Promise<void> {
  const host = labSlave(slave).tap;
  const partner = partnerNicFor(slave).tap;
  if (to === 'bridge') {
    await disconnect(ns, [host, partner]);
    await ipIn(ns, ['link', 'set', host, 'master', LAB_NETWORK.bridge]);
    if (options.pulled) await ipIn(ns, ['link', 'set', 'dev', host, 'type', 'bridge_slave', 'state', '0']);
  } else {
    await ipIn(ns, ['link', 'set', host, 'nomaster']);
    await disconnect(ns, [host, partner]);
    await crossConnect(ns, host, partner);
  }
}

/** Where each slave's cable ends now, read from the namespace (bridge master, or a tc redirect to the partner). */
export async function readCabling(ns: string, slave: string): Promise<Cabling | 'loose'> {
  const host = labSlave(slave).tap;
  const [link] = JSON.parse(await ipIn(ns, ['-j', '-d', 'link', 'show', 'dev', host])) as { master?: string }[];
  if (link?.master === LAB_NETWORK.bridge) return 'bridge';
  const filters = await runOk('tc', ['-n', ns, 'filter', 'show', 'dev', host, 'ingress']);
  return filters.includes(partnerNicFor(slave).tap) ? 'partner' : 'loose';
}

async function addTap(ns: string, tap: string, bridge?: string): Promise<void> {
  await ipIn(ns, ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  if (bridge) await ipIn(ns, ['link', 'set', tap, 'master', bridge]);
  await ipIn(ns, ['link', 'set', tap, 'up']);
}

/**
 * The plain lab: the guest's eth1/eth2 taps and the tester port on the bridge. With lacp, the guest's slave taps are
 * cabled point to point to the LACP partner's (tap-eth1 ↔ tap-p1, tap-eth2 ↔ tap-p2), and the partner's eth0 tap
 * takes their place on the bridge beside the tester port.
 */
export async function createLabNamespace(ns: string, options: { lacp?: boolean } = {}): Promise<void> {
  await runOk('ip', ['netns', 'add', ns]);
  // IPv6 off before any link exists, so nothing the machine adds by itself reaches the captures.
  await runOk('ip', [
    'netns',
    'exec',
    ns,
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
  await ipIn(ns, ['link', 'set', 'lo', 'up']);
  const n = LAB_NETWORK;
  await ipIn(ns, [
    'link',
    'add',
    n.bridge,
    'type',
    'bridge',
    'forward_delay',
    '0',
    'stp_state',
    '0',
    'mcast_snooping',
    '0',
  ]);
  await ipIn(ns, ['link', 'set', n.bridge, 'up']);
  for (const nic of LAB_NICS) {
    await addTap(ns, nic.tap, nic.guestName !== 'eth0' && !options.lacp ? n.bridge : undefined);
  }
  if (options.lacp) {
    for (const nic of LAB_PARTNER_NICS) await addTap(ns, nic.tap, nic.guestName === 'eth0' ? n.bridge : undefined);
    for (const slave of LAB_SLAVES) await crossConnect(ns, labSlave(slave).tap, partnerNicFor(slave).tap);
  }
  await ipIn(ns, ['addr', 'add', n.managementHostAddress, 'dev', LAB_NICS[0]!.tap]);
  await addTesterPort(ns);
}

/**
 * The tester's port: a veth whose peer is a switch port on the lab's bridge, with the tester's MAC and address.
 * Also puts it back after a test removed it (the fault suite's "capture interface removed").
 */
export async function addTesterPort(ns: string): Promise<void> {
  const n = LAB_NETWORK;
  await ipIn(ns, [
    'link',
    'add',
    n.testerPort,
    'address',
    n.testerMac,
    'type',
    'veth',
    'peer',
    'name',
    n.testerSwitchPort,
  ]);
  await ipIn(ns, ['link', 'set', n.testerSwitchPort, 'master', n.bridge]);
  await ipIn(ns, ['link', 'set', n.testerSwitchPort, 'up']);
  await ipIn(ns, ['addr', 'add', n.testerAddress, 'dev', n.testerPort]);
  await ipIn(ns, ['link', 'set', n.testerPort, 'up']);
}

export async function deleteNamespace(ns: string): Promise<void> {
  if (!(await namespaceExists(ns))) return;
  // Deleting the namespace deletes the taps, bridge and veth inside it.
  await runOk('ip', ['netns', 'delete', ns]);
}

/** Whether the switch side of a port has carrier (a pulled cable shows NO-CARRIER). */
export async function switchPortCarrier(ns: string, port: string): Promise<boolean> {
  const result = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', port]);
  if (result.code !== 0) return false;
  const [link] = JSON.parse(result.stdout) as { flags: string[] }[];
  return !!link && !link.flags.includes('NO-CARRIER');
}

// Runs inside the namespace: joins its stdio to one TCP connection (what OpenSSH's ProxyCommand expects).
const CONNECT_SCRIPT = `
const net = require('node:net');
const socket = net.connect(Number(process.argv[2]), process.argv[1]);
socket.on('error', (e) => { process.stderr.write('connect: ' + e.message + '\\n'); process.exit(1); });
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('close', () => process.exit(0));
process.stdin.on('end', () => socket.end());
`;

/**
 * A byte stream to host:port opened inside the namespace, so nothing in the machine's own namespace ever routes
 * to a lab address. ssh2 takes it as its `sock`.
 */
export function namespaceStream(ns: string, host: string, port: number): Duplex {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CONNECT_SCRIPT, host, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('exit', (code) => {
    if (code !== 0 && !stream.destroyed)
      stream.destroy(new Error(stderr.trim() || `stream into ${ns} ended (${code})`));
  });
  stream.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return stream;
}

/** Pipes this process's stdio into the namespace: `bondbench lab connect` as a ProxyCommand. */
export function proxyStdio(ns: string, host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', CONNECT_SCRIPT, host, String(port)], {
      stdio: 'inherit',
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * An `ip -n NS -batch -` already running and waiting on its stdin: the command then runs the moment its line is
 * written, without the tens of milliseconds (hundreds on a loaded machine) that starting `ip` takes. For cutting
 * the switch side of a cable at the same instant as the guest's NIC.
 */
export async function armedIp(ns: string): Promise<{ fire(commands: string[][]): Promise<number> }> {
  const child = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => {
      const at = performance.timeOrigin + performance.now();
      if (code === 0) resolve(at);
      else reject(new CommandError(['ip', '-n', ns, '-batch', '-'], { stdout: '', stderr, code, signal: null }));
    });
  });
  return {
    fire(commands) {
      child.stdin!.end(commands.map((args) => `${args.join(' ')}\n`).join(''));
      return exited;
    },
  };
}
