/** `bondbench tester …`: the tester agent by hand — interfaces, and a live capture (with an echo probe) to pcapng. */

import { resolve } from 'node:path';
import type { Language } from '../../shared/api.js';
import { LAB_NETWORK, LAB_NICS, namespaceName } from '../../shared/lab/topology.js';
import { arpCounts } from '../../shared/measure/arp.js';
import { EchoLog, echoStats } from '../../shared/measure/echo.js';
import { assertIPv4, assertMac } from '../../shared/net/names.js';
import type { CapturedFrame, CaptureSpec } from '../../shared/tester/protocol.js';
import { TesterClient } from '../tester/client.js';
import { cliLanguage, parseCommandLine, say, type Usage, UsageError, usageText } from './usage.js';

const USAGE: Usage = { key: 'cli.usage.tester' };

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
  const language = cliLanguage(undefined, USAGE);
  const [action, ...extra] = positionals;
  if (extra.length > 0) {
    throw new UsageError({ key: 'cli.unexpected', vars: { words: JSON.stringify(extra.join(' ')) } }, USAGE);
  }
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
              `${i.name.padEnd(16)} ${(i.mac ?? '').padEnd(17)} ${addresses}${i.loopback ? say(language, 'tester.loopback') : ''}` +
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
      return capture(values, netns, language);
    case undefined:
    case 'help':
      console.log(usageText(language, USAGE));
      return action ? 0 : 2;
    default:
      throw new UsageError(
        { key: 'cli.unknownAction', vars: { group: 'tester', action: JSON.stringify(action) } },
        USAGE,
      );
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

async function capture(values: CaptureOptions, netns: string | undefined, language: Language): Promise<number> {
  if (!values.out) throw new UsageError({ key: 'cli.tester.needOut' }, USAGE);
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0))
    throw new UsageError({ key: 'cli.tester.badSeconds', vars: { seconds: values.seconds! } }, USAGE);
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
  if (!device && !subnet) throw new UsageError({ key: 'cli.tester.needDevice' }, USAGE);
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
      say(language, 'tester.capturing', {
        device: started.device,
        filter: JSON.stringify(started.filter),
        precision: { key: `cli.tester.precision.${started.timestampPrecision}` },
        file: spec.pcapng!.path,
      }),
    );
    if (probeTarget) {
      const probe = await client.startProbe({ id: 'cli', device: started.device, target: probeTarget, rate });
      const arpMs = probe.arpMs?.toFixed(1) ?? '—';
      console.error(say(language, 'tester.echo', { rate, target: probeTarget, mac: probe.targetMac, arpMs }));
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
      `\n${say(language, 'tester.written', {
        frames: c.received,
        bytes: c.bytes,
        file: String(summary.pcapng?.path),
        kernel: String(c.kernel?.dropped ?? '?'),
        ifDropped: String(c.kernel?.ifDropped ?? '?'),
        disk: c.writerDropped,
        display: c.queueDropped,
        malformed: c.malformed,
      })}`,
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
      const rtt = stats.rttMs
        ? say(language, 'tester.rtt', {
            min: stats.rttMs.min.toFixed(3),
            median: stats.rttMs.median.toFixed(3),
            max: stats.rttMs.max.toFixed(3),
          })
        : '';
      const { sent, answered, lost, duplicates, reordered } = stats;
      console.error(say(language, 'tester.echoStats', { sent, answered, lost, duplicates, reordered, rtt }));
    }
    return 0;
  } finally {
    await client.close();
  }
}
