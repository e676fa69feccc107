/** `bondbench tester …`: the tester agent by hand — interfaces, and a live capture (with an echo probe) to pcapng. */
import { resolve } from 'node:path';
import { LAB_NETWORK, LAB_NICS, namespaceName } from '../../shared/lab/topology.js';
import { arpCounts } from '../../shared/measure/arp.js';
import { EchoLog, echoStats } from '../../shared/measure/echo.js';
import { assertIPv4, assertMac } from '../../shared/net/names.js';
import type { CapturedFrame, CaptureSpec } from '../../shared/tester/protocol.js';
import { TesterClient } from '../tester/client.js';
import { parseCommandLine, UsageError } from './usage.js';

const USAGE = `usage: bondbench tester <action> [--lab [--instance NAME]]

  interfaces [--json]    interfaces libpcap can capture on, with addresses and MACs
  capture --out FILE.pcapng [--device DEV | --subnet CIDR] [--filter BPF] [--host-mac MAC …]
          [--seconds N] [--probe BOND_IP [--rate N]] [--quiet]
                         capture live (one line per decoded frame) into pcapng until Ctrl-C or --seconds,
                         optionally with an ICMP echo stream to the bond; prints counters, ARP classes and
                         echo statistics at the end
  --lab                  run the agent in the virtual lab's namespace: tester0, the bond subnet and the
                         host's MACs by default (--device tap-eth1 captures a switch port)`;

function line(frame: CapturedFrame): string {
  const time = new Date(frame.timeMs).toISOString().slice(11, 23) + (frame.timeMs % 1).toFixed(6).slice(2, 5);
  return `${String(frame.number).padStart(6)} ${time} ${frame.src.padEnd(17)} → ${frame.dst.padEnd(17)} ${frame.protocol.padEnd(8)} ${frame.wireLength
    .toString()
    .padStart(5)} ${frame.info}`;
}

export async function testerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      lab: { type: 'boolean' },
      instance: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      device: { type: 'string' },
      subnet: { type: 'string' },
      filter: { type: 'string' },
      'host-mac': { type: 'string', multiple: true },
      seconds: { type: 'string' },
      probe: { type: 'string' },
      rate: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    USAGE,
  );
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${JSON.stringify(extra.join(' '))}`, USAGE);
  const instance = values.instance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';
  const netns = values.lab ? namespaceName(instance) : undefined;
  switch (action) {
    case 'interfaces': {
      const client = await TesterClient.start({ netns });
      try {
        const interfaces = await client.interfaces();
        if (values.json) console.log(JSON.stringify(interfaces, null, 2));
        else {
          for (const i of interfaces) {
            const addresses = i.addresses.map((a) => a.cidr ?? a.address).join(', ');
            console.log(
              `${i.name.padEnd(16)} ${(i.mac ?? '').padEnd(17)} ${addresses}${i.loopback ? ' (loopback)' : ''}` +
                `${i.friendlyName ? ` "${i.friendlyName}"` : ''}${i.description ? ` ${i.description}` : ''}`,
            );
          }
        }
      } finally {
        await client.close();
      }
      return 0;
    }
    case 'capture':
      return capture(values, netns);
    case undefined:
    case 'help':
      console.log(USAGE);
      return action ? 0 : 2;
    default:
      throw new UsageError(`unknown tester action ${JSON.stringify(action)}`, USAGE);
  }
}

interface CaptureOptions {
  lab?: boolean;
  out?: string;
  device?: string;
  subnet?: string;
  filter?: string;
  'host-mac'?: string[];
  seconds?: string;
  probe?: string;
  rate?: string;
  quiet?: boolean;
}

async function capture(values: CaptureOptions, netns: string | undefined): Promise<number> {
  if (!values.out) throw new UsageError('capture: give --out FILE.pcapng', USAGE);
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0))
    throw new UsageError(`--seconds ${values.seconds}: give a positive number`, USAGE);
  const rate = values.rate === undefined ? 10 : Number(values.rate);
  const probeTarget = values.probe === undefined ? undefined : assertIPv4(values.probe, '--probe');
  const hostMacs = (
    values['host-mac'] ?? (values.lab ? LAB_NICS.filter((n) => n.guestName !== 'eth0').map((n) => n.mac) : [])
  ).map((m) => assertMac(m, '--host-mac'));
  const spec: CaptureSpec = {
    id: 'cli',
    pcapng: { path: resolve(values.out), comment: `bondbench tester capture${netns ? ` in ${netns}` : ''}` },
    hostMacs,
  };
  // The subnet picks the interface when no device is named, and makes the default filter either way.
  const device = values.device ?? (values.lab && !values.subnet ? LAB_NETWORK.testerPort : undefined);
  const subnet = values.subnet ?? (values.lab ? LAB_NETWORK.bondSubnet : undefined);
  if (!device && !subnet) throw new UsageError('capture: give --device or --subnet (or --lab)', USAGE);
  if (device) spec.device = device;
  if (subnet) spec.subnet = subnet;
  if (values.filter !== undefined) spec.filter = values.filter;

  const client = await TesterClient.start({ netns });
  const frames: CapturedFrame[] = [];
  const log = new EchoLog();
  client.onFrames('cli', (batch) => {
    for (const frame of batch) {
      if (frame.arp) frames.push(frame);
      if (!values.quiet) console.log(line(frame));
    }
  });
  client.onEcho('cli', (events) => log.add(events));
  try {
    const started = await client.startCapture(spec);
    console.error(
      `capturing on ${started.device} (filter ${JSON.stringify(started.filter)}, ${started.timestampPrecision}second timestamps) into ${spec.pcapng!.path}`,
    );
    if (probeTarget) {
      const probe = await client.startProbe({ id: 'cli', device: started.device, target: probeTarget, rate });
      console.error(`echo ${rate}/s to ${probeTarget} (${probe.targetMac}, ARP ${probe.arpMs?.toFixed(1) ?? '—'} ms)`);
    }
    await new Promise<void>((done) => {
      const timer = seconds === undefined ? undefined : setTimeout(done, seconds * 1000);
      process.once('SIGINT', () => {
        if (timer) clearTimeout(timer);
        done();
      });
    });
    if (probeTarget) await client.stopProbe('cli');
    const summary = await client.stopCapture('cli');
    const c = summary.counters;
    console.error(
      `\n${c.received} frames (${c.bytes} bytes) written to ${summary.pcapng?.path}; dropped: kernel ${c.kernel?.dropped ?? '?'}, ` +
        `interface ${c.kernel?.ifDropped ?? '?'}, disk ${c.writerDropped}, display ${c.queueDropped}; malformed ${c.malformed}`,
    );
    const arp = arpCounts(frames);
    console.error(
      `ARP: ${Object.entries(arp.byClass)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    for (const [mac, counts] of Object.entries(arp.bySourceMac)) {
      console.error(
        `  from ${mac}: ${Object.entries(counts)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    }
    if (probeTarget) {
      const stats = echoStats(log.records());
      console.error(
        `echo: ${stats.sent} sent, ${stats.answered} answered, ${stats.lost} lost, ${stats.duplicates} duplicates, ${stats.reordered} reordered` +
          (stats.rttMs
            ? `; RTT ms min ${stats.rttMs.min.toFixed(3)} median ${stats.rttMs.median.toFixed(3)} max ${stats.rttMs.max.toFixed(3)}`
            : ''),
      );
    }
    return 0;
  } finally {
    await client.close();
  }
}
