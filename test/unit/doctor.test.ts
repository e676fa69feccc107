/**
 * `bondbench doctor`: the checks on recorded facts of Linux and Windows machines (pure), then for real on this
 * machine — the CLI's ✓/✗ report, and a 5-second probe across a veth pair in namespaces this test creates.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../main/doctor/doctor.js';
import {
  type DoctorFacts,
  diagnose,
  isPseudoDevice,
  parseAbiMismatch,
  renderDoctorText,
} from '../../shared/doctor/doctor.js';
import { CATALOGUE, catalogueKeys, t } from '../../shared/i18n/catalogue.js';
import { mergeInterfaces } from '../../shared/tester/interfaces.js';
import { linuxOs, linuxPcap, TESTER_GUID, windowsOs, windowsPcap } from '../fixtures/platform/interfaces.js';
import { vethPair } from '../support/veth.js';

const en = (key: string, vars?: Record<string, string | number>) => t('en', key, vars);

function linuxFacts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    platform: 'linux',
    runtime: { runtime: 'node', version: '20.20.2', modules: '115' },
    agent: { started: true, capVersion: '0.2.1', timestampPrecision: 'nano' },
    interfaces: mergeInterfaces(linuxPcap, linuxOs).map((i) => ({
      ...i,
      capture: i.loopback || isPseudoDevice('linux', i) ? 'untested' : 'ok',
    })),
    ssh: {
      agent: { agent: '/run/user/1000/ssh-agent.sock', kind: 'socket', source: 'SSH_AUTH_SOCK' },
      identities: 2,
      knownHosts: [{ file: '/home/ana/.config/bondbench/known_hosts', exists: true, entries: 3 }],
    },
    pdf: { via: 'chromium', path: '/usr/bin/chromium' },
    ...overrides,
  };
}

// What libpcap says to a user without CAP_NET_RAW (pcap-linux.c, PCAP_ERROR_PERM_DENIED), as the agent reports it.
const EPERM =
  'cannot capture on tester0 with filter "less 1": tester0: You don\'t have permission to perform this capture on that device (socket: Operation not permitted)';
// Node loading an addon built for another ABI (src/node_binding.cc), as Electron 41 reports a Node 20 build.
const ABI =
  "cannot load cap (libpcap binding): The module '/opt/BondBench/resources/app.asar.unpacked/node_modules/cap/build/Release/cap.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 145. Please try re-compiling or re-installing";
// Windows without Npcap: LoadLibrary's ERROR_MOD_NOT_FOUND for cap.node's import wpcap.dll.
const NO_NPCAP =
  'cannot load cap (libpcap binding): The specified module could not be found.\r\n\\\\?\\C:\\Program Files\\BondBench\\resources\\app.asar.unpacked\\node_modules\\cap\\build\\Release\\cap.node. Install libpcap (Npcap on Windows) and run "npm ci".';

describe('doctor on recorded machines', () => {
  it('a healthy Linux tester: ✓ cap, permission, each capture port; pseudo-devices and loopback left out', () => {
    const report = diagnose(linuxFacts());
    expect(report.ok).toBe(true);
    const text = renderDoctorText(report, en);
    expect(text).toContain('✓ libpcap through cap 0.2.1 loads in node (ABI 115), timestamps: nano');
    expect(text).toContain('✓ the tester agent may capture and send (checked on 3 interfaces)');
    expect(text).toContain('✓ tester0 · 52:54:00:77:01:fc · 10.77.1.252/24 · capture ✓ send ✓');
    expect(text).toContain('✓ tap-eth1 · — · — · capture ✓ send ✗ (no MAC or IPv4 address: mirror port only)');
    expect(text).not.toMatch(/\bany\b|\blo\b/);
    expect(text).toContain('✓ ssh-agent /run/user/1000/ssh-agent.sock (SSH_AUTH_SOCK) holds 2 keys');
    expect(report.lines.some((l) => l.check === 'npcap')).toBe(false);
  });

  it('a Linux desktop user without CAP_NET_RAW: ✗ with the agent-only fix', () => {
    const facts = linuxFacts();
    for (const nic of facts.interfaces)
      if (nic.capture === 'ok') Object.assign(nic, { capture: 'failed', captureError: EPERM });
    const report = diagnose(facts);
    expect(report.ok).toBe(false);
    const text = renderDoctorText(report, en);
    expect(text).toContain('✗ the tester agent may not capture: cannot capture on tester0');
    expect(text).toMatch(/→ give the agent alone the right: set BONDBENCH_TESTER_LAUNCHER=sudo/);
  });

  it('the packaged app with a cap.node of the wrong ABI: names both ABIs and says reinstall', () => {
    const report = diagnose(
      linuxFacts({
        runtime: { runtime: 'electron', version: '41.7.1', modules: '145' },
        agent: { started: true, capVersion: '0.2.1', timestampPrecision: 'unknown', interfacesError: ABI },
        interfaces: [],
      }),
    );
    expect(parseAbiMismatch(ABI)).toEqual({ built: '115', required: '145' });
    const text = renderDoctorText(report, en);
    expect(text).toContain('✗ cap.node was built for ABI 115, this electron needs ABI 145');
    expect(text).toContain('→ reinstall BondBench');
    expect(report.lines.some((l) => l.check === 'permission')).toBe(false);
  });

  it('Windows: Npcap missing, agent pipe, friendly names, printToPDF — in Chinese too', () => {
    const facts: DoctorFacts = {
      platform: 'win32',
      runtime: { runtime: 'electron', version: '41.7.1', modules: '145' },
      agent: { started: true, capVersion: '0.2.1', timestampPrecision: 'unknown', interfacesError: NO_NPCAP },
      npcap: { dir: 'C:\\Windows\\System32\\Npcap', wpcap: false, packet: false, compatWpcap: false },
      interfaces: [],
      ssh: { knownHosts: [] },
      pdf: { via: 'printToPDF' },
    };
    const text = renderDoctorText(diagnose(facts), en);
    expect(text).toContain('✗ Npcap is not installed: no wpcap.dll/Packet.dll in C:\\Windows\\System32\\Npcap');
    expect(text).toContain('✗ cap cannot load libpcap: cannot load cap (libpcap binding): The specified module');
    expect(text).toContain('→ install Npcap from https://npcap.com/');
    expect(text).toContain("✓ PDF reports: Electron's printToPDF");
    expect(text).toMatch(/! no ssh-agent[^\n]*\n {4}→ start the "OpenSSH Authentication Agent" service/);

    const healthy: DoctorFacts = {
      ...facts,
      agent: { started: true, capVersion: '0.2.1', timestampPrecision: 'micro' },
      npcap: { dir: 'C:\\Windows\\System32\\Npcap', wpcap: true, packet: true, compatWpcap: false },
      interfaces: mergeInterfaces(windowsPcap, windowsOs).map((i) => ({
        ...i,
        capture: i.loopback ? 'untested' : 'ok',
      })),
      ssh: {
        agent: { agent: '\\\\.\\pipe\\openssh-ssh-agent', kind: 'pipe', source: 'Windows OpenSSH agent' },
        identities: 1,
        knownHosts: [],
      },
    };
    const report = diagnose(healthy);
    expect(report.ok).toBe(true);
    const zh = renderDoctorText(report, (key, vars) => t('zh-CN', key, vars));
    expect(zh).toContain(`✓ Ethernet 2 (${TESTER_GUID}) · 3c:52:82:11:22:33 · 10.77.1.20/24 · 抓包 ✓ 发包 ✓`);
    expect(zh).toContain('✓ 已在 C:\\Windows\\System32\\Npcap 找到 Npcap');
    expect(zh).toContain('✓ ssh-agent \\\\.\\pipe\\openssh-ssh-agent（Windows OpenSSH agent）持有 1 把密钥');
    expect(zh).not.toMatch(/doctor\./);
  });

  it('has every doctor message in both languages', () => {
    const keys = (lang: 'en' | 'zh-CN') => catalogueKeys(CATALOGUE[lang].doctor, 'doctor.');
    expect(keys('zh-CN')).toEqual(keys('en'));
    expect(keys('en').length).toBeGreaterThan(40);
  });
});

describe.skipIf(process.getuid?.() !== 0)('doctor on this machine (root)', { timeout: 60_000 }, () => {
  it('bondbench doctor prints a real ✓/✗ report and exits by it', () => {
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'support', 'cli.ts'), 'doctor'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const lines = cli.stdout.split('\n');
    expect(lines[0]).toMatch(/^· Node\.js \d+\.\d+\.\d+ \(native module ABI \d+\)$/);
    expect(cli.stdout).toMatch(/^✓ libpcap through cap 0\.2\.1 loads in node \(ABI \d+\), timestamps: nano$/m);
    expect(cli.stdout).toMatch(/^✓ the tester agent may capture and send/m);
    expect(cli.stdout).toMatch(/^[✓!] PDF reports: /m);
    expect(cli.status).toBe(cli.stdout.includes('\n✗') || cli.stdout.startsWith('✗') ? 1 : 0);
  });

  it('--probe: 5 s of capture and echo across a veth pair, from the agent in its namespace', async () => {
    const pair = vethPair(`bbdoc${process.pid % 100000}`);
    try {
      const report = await runDoctor({ netns: pair.nsB, probe: pair.addressA, probeSeconds: 3 });
      const probe = report.lines.find((l) => l.check === 'probe')!;
      expect(probe.status).toBe('ok');
      expect(Number(probe.vars?.replies)).toBeGreaterThanOrEqual(10);
      expect(probe.vars?.sent).toBe(probe.vars?.replies);
      expect(Number(probe.vars?.frames)).toBeGreaterThanOrEqual(2 * Number(probe.vars?.replies));
      expect(probe.vars?.device).toBe(pair.devB);
      const port = report.lines.find((l) => l.check === 'interfaces' && String(l.vars?.name) === pair.devB);
      expect(port?.key).toBe('doctor.interface.captureSend');

      const unreachable = await runDoctor({ netns: pair.nsB, probe: '10.99.0.1', probeSeconds: 1 });
      const line = unreachable.lines.find((l) => l.check === 'probe')!;
      expect(line.status).toBe('fail');
      expect(String(line.vars?.error)).toMatch(/no interface of this tester is on 10\.99\.0\.1's subnet/);
      expect(unreachable.ok).toBe(false);
    } finally {
      pair.remove();
    }
  });
});
