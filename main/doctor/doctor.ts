/**
 * `bondbench doctor`'s facts, gathered the way a run would meet them: the tester agent is started exactly as a run
 * starts it (same launcher, namespace, working directory) and asked to open a capture on every capture port; the
 * SSH agent is asked for its keys; the PDF printer is looked for; a plan's drivers are reached through the bench's
 * own preflight; `--probe` runs a 5-second capture and echo probe. shared/doctor/doctor.ts judges them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { CheckItem } from '../../shared/api.js';
import {
  type DoctorFacts,
  type DoctorInterface,
  type DoctorProbe,
  type DoctorReport,
  diagnose,
  isPseudoDevice,
} from '../../shared/doctor/doctor.js';
import { assertIPv4 } from '../../shared/net/names.js';
import { npcapDllDir } from '../../shared/platform/agent.js';
import { chooseAgent } from '../../shared/platform/ssh.js';
import { ipv4InSubnet } from '../../shared/wire/bytes.js';
import { findChromium } from '../report/pdf.js';
import { defaultKnownHostsFile } from '../ssh/connect.js';
import { TesterClient } from '../tester/client.js';

export interface DoctorOptions {
  /** Run the agent inside this network namespace (the virtual lab's). */
  netns?: string;
  /** IPv4 address to probe for probeSeconds from the interface on its subnet. */
  probe?: string;
  probeSeconds?: number;
  /** The desktop app prints with Electron's printToPDF. */
  printToPdf?: boolean;
  /** A plan's preflight (the bench's checkEverything), with the file it came from. */
  plan?: { file: string; check: () => Promise<CheckItem[]> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function knownHostsFacts(file: string) {
  if (!existsSync(file)) return { file, exists: false, entries: 0 };
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#')).length;
  return { file, exists: true, entries };
}

/** Asks the agent for its keys (3 s at most). */
function agentIdentities(agent: string): Promise<{ identities?: number; agentError?: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ agentError: 'no answer within 3 s' }), 3000);
    try {
      // ssh2 is CommonJS: createAgent hangs off its default export (socket, Windows pipe, or "pageant").
      (
        ssh2 as unknown as {
          createAgent(path: string): { getIdentities(cb: (error: Error | null, keys?: unknown[]) => void): void };
        }
      )
        .createAgent(agent)
        .getIdentities((error, keys) => {
          clearTimeout(timer);
          resolve(error ? { agentError: error.message } : { identities: keys?.length ?? 0 });
        });
    } catch (error) {
      clearTimeout(timer);
      resolve({ agentError: (error as Error).message });
    }
  });
}

async function testCaptures(
  client: TesterClient,
  platform: string,
  interfaces: DoctorFacts['interfaces'],
): Promise<void> {
  let n = 0;
  for (const nic of interfaces) {
    if (nic.loopback || isPseudoDevice(platform, nic)) continue;
    const id = `doctor-${++n}`;
    try {
      // 'less 1' matches nothing: opening is the test (permission, device up, filter compiled).
      await client.startCapture({ id, device: nic.name, filter: 'less 1', deliver: 'none', bufferBytes: 1 << 20 });
      await client.stopCapture(id);
      nic.capture = 'ok';
    } catch (error) {
      nic.captureError = (error as Error).message.replace(/^capture\.start: /, '');
      // libpcap's PCAP_ERROR_IFACE_NOT_UP ("That device is not up"): not a permission problem.
      nic.capture = /device is not up/i.test(nic.captureError) ? 'down' : 'failed';
    }
  }
}

async function runProbe(
  client: TesterClient,
  interfaces: DoctorInterface[],
  target: string,
  seconds: number,
): Promise<DoctorProbe> {
  const probe: DoctorProbe = { target, seconds, sent: 0, replies: 0, frames: 0 };
  try {
    assertIPv4(target, '--probe');
    const nic = interfaces.find((i) =>
      i.addresses.some((a) => a.family === 'IPv4' && a.cidr && ipv4InSubnet(target, a.cidr)),
    );
    if (!nic) throw new Error(`no interface of this tester is on ${target}'s subnet`);
    probe.device = nic.friendlyName ?? nic.name;
    const rtts: number[] = [];
    const sent = new Map<number, number>();
    client.onFrames('doctor-probe', (frames) => {
      probe.frames += frames.length;
    });
    client.onEcho('doctor-probe', (events) => {
      for (const e of events) {
        if (e.kind === 'sent') sent.set(e.seq, e.atMs);
        else if (e.kind === 'reply' && !e.duplicate && sent.has(e.seq)) rtts.push(e.atMs - sent.get(e.seq)!);
      }
    });
    await client.startCapture({ id: 'doctor-probe', device: nic.name, filter: `host ${target} or arp` });
    try {
      await client.startProbe({ id: 'doctor-probe', device: nic.name, target, rate: 5, drainMs: 500 });
      await sleep(seconds * 1000);
      const summary = await client.stopProbe('doctor-probe');
      probe.sent = summary.sent;
      probe.replies = summary.answered;
    } finally {
      await client.stopCapture('doctor-probe');
    }
    rtts.sort((a, b) => a - b);
    if (rtts.length) probe.rttMedianMs = rtts[Math.floor(rtts.length / 2)];
  } catch (error) {
    probe.error = (error as Error).message.replace(/^probe\.start: /, '');
  }
  return probe;
}

/** Everything doctor looks at, gathered on this machine. */
export async function gatherDoctorFacts(options: DoctorOptions = {}): Promise<DoctorFacts> {
  const platform = process.platform;
  const facts: DoctorFacts = {
    platform,
    runtime: process.versions.electron
      ? { runtime: 'electron', version: process.versions.electron, modules: process.versions.modules }
      : { runtime: 'node', version: process.versions.node, modules: process.versions.modules },
    agent: { started: false, error: 'not started' },
    interfaces: [],
    ssh: { knownHosts: [] },
    pdf: { via: 'chromium' },
  };
  if (process.env.BONDBENCH_TESTER_LAUNCHER) facts.launcher = process.env.BONDBENCH_TESTER_LAUNCHER;
  if (platform === 'win32') {
    const dir = npcapDllDir(process.env);
    const system32 = join(dir, '..');
    facts.npcap = {
      dir,
      wpcap: existsSync(join(dir, 'wpcap.dll')),
      packet: existsSync(join(dir, 'Packet.dll')),
      compatWpcap: existsSync(join(system32, 'wpcap.dll')),
    };
  }

  let client: TesterClient | undefined;
  try {
    client = await TesterClient.start({ netns: options.netns, log: () => undefined, startTimeoutMs: 20_000 });
    facts.agent = {
      started: true,
      capVersion: client.hello.capVersion,
      timestampPrecision: client.hello.timestampPrecision,
    };
    try {
      facts.interfaces = (await client.interfaces()).map((i) => ({ ...i, capture: 'untested' as const }));
      await testCaptures(client, platform, facts.interfaces);
      if (options.probe) {
        facts.probe = await runProbe(client, facts.interfaces, options.probe, options.probeSeconds ?? 5);
      }
    } catch (error) {
      facts.agent.interfacesError = (error as Error).message.replace(/^interfaces: /, '');
    }
  } catch (error) {
    facts.agent = { started: false, error: (error as Error).message };
  } finally {
    await client?.close().catch(() => client?.kill());
  }

  const agent = chooseAgent(platform, process.env, undefined, existsSync);
  facts.ssh.agent = agent;
  if (agent) Object.assign(facts.ssh, await agentIdentities(agent.agent));
  facts.ssh.knownHosts = [defaultKnownHostsFile(), join(homedir(), '.ssh', 'known_hosts')].map(knownHostsFacts);

  if (options.printToPdf) facts.pdf = { via: 'printToPDF' };
  else {
    facts.pdf = await findChromium().then(
      (path) => ({ via: 'chromium' as const, path }),
      (error: Error) => ({ via: 'chromium' as const, error: error.message.split(':')[0]! }),
    );
  }
  if (options.plan) {
    facts.plan = {
      file: options.plan.file,
      items: await options.plan.check().catch((error: Error) => [{ what: 'plan', ok: false, detail: error.message }]),
    };
  }
  return facts;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  return diagnose(await gatherDoctorFacts(options));
}
