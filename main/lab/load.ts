/**
 * The lab's tester as K peers for a load step: K macvlan interfaces on the tester port, inside the lab's own
 * namespace (nothing in the machine's namespace changes), each with its own MAC and address on the bond's subnet
 * (labLoadPeer), each sending F echo flows (one `ping` each: its own ICMP identifier) to the bond.
 */
import { spawn } from 'node:child_process';
import { LAB_NETWORK, labLoadPeer } from '../../shared/lab/topology.js';
import { run, runOk } from '../util/exec.js';
import { ipIn } from './netns.js';

export interface LoadRequest {
  peers: number;
  flows: number;
  seconds: number;
  /** Echo requests per second, per flow. */
  rate: number;
}

export interface LoadOutcome {
  peerAddresses: string[];
  seconds: number;
  sent: number;
  received: number;
}

function sysctl(ns: string, settings: string[]): Promise<string> {
  return runOk('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings]);
}

/** `ping`'s summary: "N packets transmitted, M received". */
function summary(output: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  return m ? { sent: Number(m[1]), received: Number(m[2]) } : { sent: 0, received: 0 };
}

/**
 * Makes the peers, runs the flows for `seconds` and removes the peers again (also when a ping fails to start).
 * Each peer answers ARP only for its own address (arp_ignore 1, arp_announce 2 on it and on the tester port), so
 * the bond learns one MAC per peer, as with K real hosts. Resolves when every flow has ended.
 */
export async function runLabLoad(ns: string, target: string, request: LoadRequest): Promise<LoadOutcome> {
  const peers = Array.from({ length: request.peers }, (_, i) => labLoadPeer(i + 1));
  const tester = LAB_NETWORK.testerPort;
  const prefix = LAB_NETWORK.bondSubnet.split('/')[1];
  const previous = (
    await runOk('ip', [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-n',
      `net.ipv4.conf.${tester}.arp_ignore`,
      `net.ipv4.conf.${tester}.arp_announce`,
    ])
  )
    .trim()
    .split(/\s+/);
  try {
    await sysctl(ns, [`net.ipv4.conf.${tester}.arp_ignore=1`, `net.ipv4.conf.${tester}.arp_announce=2`]);
    for (const peer of peers) {
      await ipIn(ns, [
        'link',
        'add',
        peer.name,
        'link',
        tester,
        'address',
        peer.mac,
        'type',
        'macvlan',
        'mode',
        'bridge',
      ]);
      await sysctl(ns, [`net.ipv4.conf.${peer.name}.arp_ignore=1`, `net.ipv4.conf.${peer.name}.arp_announce=2`]);
      await ipIn(ns, ['addr', 'add', `${peer.address}/${prefix}`, 'dev', peer.name]);
      await ipIn(ns, ['link', 'set', peer.name, 'up']);
    }
    const interval = (1 / request.rate).toFixed(3);
    const flows = peers.flatMap((peer) =>
      Array.from(
        { length: request.flows },
        () =>
          new Promise<{ sent: number; received: number }>((resolve) => {
            const child = spawn(
              'ip',
              [
                'netns',
                'exec',
                ns,
                'ping',
                '-n',
                '-q',
                '-I',
                peer.name,
                '-i',
                interval,
                '-w',
                String(request.seconds),
                target,
              ],
              { stdio: ['ignore', 'pipe', 'pipe'] },
            );
            let out = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
            });
            child.on('error', () => resolve({ sent: 0, received: 0 }));
            child.on('close', () => resolve(summary(out)));
          }),
      ),
    );
    const results = await Promise.all(flows);
    return {
      peerAddresses: peers.map((p) => p.address),
      seconds: request.seconds,
      sent: results.reduce((a, r) => a + r.sent, 0),
      received: results.reduce((a, r) => a + r.received, 0),
    };
  } finally {
    for (const peer of peers) await run('ip', ['-n', ns, 'link', 'del', peer.name]);
    if (previous.length === 2) {
      await sysctl(ns, [
        `net.ipv4.conf.${tester}.arp_ignore=${previous[0]}`,
        `net.ipv4.conf.${tester}.arp_announce=${previous[1]}`,
      ]);
    }
  }
}
