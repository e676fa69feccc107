/**
 * `bondbench doctor`: what will and will not work on this machine, one line per check, each ✓ or ✗ with the fix.
 * Pure: main/doctor gathers DoctorFacts (through the tester agent exactly as a run starts it, the SSH agent, the
 * PDF printer, a plan's drivers, an optional 5-second probe); the checks below turn them into lines, per platform,
 * as data — so every platform's verdicts are tested here on recorded facts.
 *
 * Lines carry message keys (`doctor.*`, shared/doctor/messages.ts) and values, never finished text: the CLI
 * renders them with t(), the UI with i18next.
 */

import type { Platform } from '../platform/agent.js';
import type { AgentChoice } from '../platform/ssh.js';
import { interfaceLabel } from '../tester/interfaces.js';
import type { InterfaceInfo } from '../tester/protocol.js';

export type DoctorStatus = 'ok' | 'fail' | 'warn' | 'info';

export interface DoctorInterface extends InterfaceInfo {
  /** Whether the agent could open a live capture on it ('untested' for loopback and pseudo-devices). */
  capture: 'ok' | 'failed' | 'down' | 'untested';
  captureError?: string;
}

export interface DoctorProbe {
  target: string;
  device?: string;
  seconds: number;
  error?: string;
  sent: number;
  replies: number;
  /** Frames the capture saw on the device during the probe. */
  frames: number;
  rttMedianMs?: number;
}

export interface DoctorFacts {
  platform: Platform;
  runtime: { runtime: 'node' | 'electron'; version: string; modules: string };
  /** The tester agent, started as a run starts it: its hello, or why it did not answer. */
  agent:
    | { started: true; capVersion: string; timestampPrecision: string; interfacesError?: string }
    | { started: false; error: string };
  /** BONDBENCH_TESTER_LAUNCHER, when set. */
  launcher?: string;
  /** Windows: Npcap's DLLs in %SystemRoot%\System32\Npcap, and WinPcap-compatible wpcap.dll in System32. */
  npcap?: { dir: string; wpcap: boolean; packet: boolean; compatWpcap: boolean };
  interfaces: DoctorInterface[];
  ssh: {
    agent?: AgentChoice;
    /** Keys the agent holds, when it answered. */
    identities?: number;
    agentError?: string;
    knownHosts: { file: string; exists: boolean; entries: number }[];
  };
  pdf: { via: 'printToPDF' } | { via: 'chromium'; path?: string; error?: string };
  /** A plan's preflight (its power and link drivers reached), when a plan was given. */
  plan?: { file: string; items: { what: string; ok: boolean; detail: string; fix?: string }[] };
  probe?: DoctorProbe;
}

export interface DoctorLine {
  /** The check's id (one check may give several lines, e.g. one per interface). */
  check: string;
  status: DoctorStatus;
  /** Message key and values of what was found. */
  key: string;
  vars?: Record<string, string | number>;
  /** Message key and values of what to do, for ✗ and !. */
  fix?: { key: string; vars?: Record<string, string | number> };
}

export interface DoctorReport {
  platform: Platform;
  lines: DoctorLine[];
  /** Whether nothing failed (warnings allowed). */
  ok: boolean;
}

/** Parses Node's "compiled against a different Node.js version" error: { built, required } ABI numbers. */
export function parseAbiMismatch(message: string): { built: string; required: string } | undefined {
  const match = message.match(
    /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/,
  );
  return match ? { built: match[1]!, required: match[2]! } : undefined;
}

/** Why cap did not load, as a line (ABI mismatch, libpcap/Npcap missing, patch missing, anything else). */
function capFailure(error: string, facts: DoctorFacts): DoctorLine {
  const abi = parseAbiMismatch(error);
  if (abi) {
    return {
      check: 'cap',
      status: 'fail',
      key: 'doctor.cap.abi',
      vars: { built: abi.built, required: abi.required, runtime: facts.runtime.runtime },
      fix: { key: facts.runtime.runtime === 'electron' ? 'doctor.fix.reinstallApp' : 'doctor.fix.patchCap' },
    };
  }
  if (/libpcap\.so|wpcap\.dll|The specified module could not be found/i.test(error)) {
    return {
      check: 'cap',
      status: 'fail',
      key: 'doctor.cap.noLibpcap',
      vars: { error },
      fix: { key: facts.platform === 'win32' ? 'doctor.fix.installNpcap' : 'doctor.fix.installLibpcap' },
    };
  }
  if (/patch is missing|gives no packet timestamps/i.test(error)) {
    return { check: 'cap', status: 'fail', key: 'doctor.cap.unpatched', fix: { key: 'doctor.fix.patchCap' } };
  }
  return {
    check: 'cap',
    status: 'fail',
    key: 'doctor.agent.failed',
    vars: { error },
    fix: { key: 'doctor.fix.agent' },
  };
}

/**
 * libpcap's pseudo-devices, which no cable reaches: Linux's any, nflog/nfqueue (netfilter), dbus-*, bluetooth*,
 * usbmon* (libpcap pcap-linux.c and its pcap-*.c modules' device names). Not tested, not listed as ports.
 */
export function isPseudoDevice(platform: Platform, device: Pick<InterfaceInfo, 'name'>): boolean {
  if (platform !== 'linux') return false;
  return /^(any|nflog|nfqueue|dbus-(system|session)|bluetooth(-monitor)?\d*|usbmon\d*)$/.test(device.name);
}

const isCaptureDevice = (i: DoctorInterface) => !i.loopback && (i.capture === 'ok' || i.capture === 'failed');

/** Which platforms a check applies to; absent = all. */
interface Check {
  id: string;
  platforms?: readonly Platform[];
  run(facts: DoctorFacts): DoctorLine[];
}

/** The checks, in the order a user reads them. */
export const DOCTOR_CHECKS: readonly Check[] = [
  {
    id: 'runtime',
    run: ({ runtime }) => [
      {
        check: 'runtime',
        status: 'info',
        key: runtime.runtime === 'electron' ? 'doctor.runtime.electron' : 'doctor.runtime.node',
        vars: { version: runtime.version, modules: runtime.modules },
      },
    ],
  },
  {
    id: 'npcap',
    platforms: ['win32'],
    run: ({ npcap }) => {
      if (!npcap) return [];
      if (npcap.wpcap && npcap.packet) {
        return [
          {
            check: 'npcap',
            status: 'ok',
            key: npcap.compatWpcap ? 'doctor.npcap.compat' : 'doctor.npcap.found',
            vars: { dir: npcap.dir },
          },
        ];
      }
      return [
        {
          check: 'npcap',
          status: 'fail',
          key: 'doctor.npcap.missing',
          vars: { dir: npcap.dir },
          fix: { key: 'doctor.fix.installNpcap' },
        },
      ];
    },
  },
  {
    id: 'cap',
    run: (facts) => {
      const { agent } = facts;
      if (!agent.started) return [capFailure(agent.error, facts)];
      if (agent.interfacesError) return [capFailure(agent.interfacesError, facts)];
      return [
        {
          check: 'cap',
          status: 'ok',
          key: 'doctor.cap.ok',
          vars: {
            version: agent.capVersion,
            precision: agent.timestampPrecision,
            runtime: facts.runtime.runtime,
            modules: facts.runtime.modules,
          },
        },
      ];
    },
  },
  {
    id: 'permission',
    run: (facts) => {
      if (!facts.agent.started || facts.agent.interfacesError) return [];
      const tested = facts.interfaces.filter(isCaptureDevice);
      if (tested.length === 0) {
        return [
          {
            check: 'permission',
            status: 'warn',
            key: 'doctor.permission.noDevice',
            fix: { key: 'doctor.fix.noDevice' },
          },
        ];
      }
      const ok = tested.filter((i) => i.capture === 'ok');
      if (ok.length > 0) {
        return [
          {
            check: 'permission',
            status: 'ok',
            key: facts.launcher ? 'doctor.permission.okLauncher' : 'doctor.permission.ok',
            vars: { count: ok.length, launcher: facts.launcher ?? '' },
          },
        ];
      }
      const error = tested[0]!.captureError ?? '';
      return [
        {
          check: 'permission',
          status: 'fail',
          key: 'doctor.permission.denied',
          vars: { error },
          fix: {
            key:
              facts.platform === 'win32'
                ? 'doctor.fix.npcapAdminOnly'
                : facts.platform === 'linux'
                  ? 'doctor.fix.linuxCapture'
                  : 'doctor.fix.bpfAccess',
          },
        },
      ];
    },
  },
  {
    id: 'interfaces',
    run: (facts) =>
      facts.interfaces
        .filter((i) => !i.loopback && i.capture !== 'untested')
        .map((i): DoctorLine => {
          const ipv4 = i.addresses.filter((a) => a.family === 'IPv4').map((a) => a.cidr ?? a.address);
          const canSend = i.capture === 'ok' && !!i.mac && ipv4.length > 0;
          const vars = {
            name: interfaceLabel(i),
            mac: i.mac ?? '—',
            addresses: ipv4.join(', ') || '—',
          };
          if (i.capture === 'failed') {
            return {
              check: 'interfaces',
              status: 'fail',
              key: 'doctor.interface.noCapture',
              vars: { ...vars, error: i.captureError ?? '' },
            };
          }
          if (i.capture === 'down') {
            return {
              check: 'interfaces',
              status: 'warn',
              key: 'doctor.interface.down',
              vars,
              fix: { key: 'doctor.fix.linkUp' },
            };
          }
          return {
            check: 'interfaces',
            status: 'ok',
            key: canSend ? 'doctor.interface.captureSend' : 'doctor.interface.captureOnly',
            vars,
          };
        }),
  },
  {
    id: 'ssh-agent',
    run: ({ ssh, platform }) => {
      if (!ssh.agent) {
        return [
          {
            check: 'ssh-agent',
            status: 'warn',
            key: 'doctor.ssh.noAgent',
            fix: { key: platform === 'win32' ? 'doctor.fix.windowsAgent' : 'doctor.fix.sshAgent' },
          },
        ];
      }
      const vars = { agent: ssh.agent.agent, source: ssh.agent.source };
      if (ssh.agentError !== undefined) {
        return [
          {
            check: 'ssh-agent',
            status: 'warn',
            key: 'doctor.ssh.agentDown',
            vars: { ...vars, error: ssh.agentError },
            fix: { key: platform === 'win32' ? 'doctor.fix.windowsAgent' : 'doctor.fix.sshAgent' },
          },
        ];
      }
      const count = ssh.identities ?? 0;
      return [
        {
          check: 'ssh-agent',
          status: count > 0 ? 'ok' : 'warn',
          key: 'doctor.ssh.agent',
          vars: { ...vars, count },
          ...(count > 0 ? {} : { fix: { key: 'doctor.fix.sshAdd' } }),
        },
      ];
    },
  },
  {
    id: 'known-hosts',
    run: ({ ssh }) =>
      ssh.knownHosts.map(
        (k): DoctorLine =>
          k.exists
            ? {
                check: 'known-hosts',
                status: 'ok',
                key: 'doctor.knownHosts.file',
                vars: { file: k.file, count: k.entries },
              }
            : { check: 'known-hosts', status: 'info', key: 'doctor.knownHosts.none', vars: { file: k.file } },
      ),
  },
  {
    id: 'pdf',
    run: ({ pdf }) => {
      if (pdf.via === 'printToPDF') return [{ check: 'pdf', status: 'ok', key: 'doctor.pdf.electron' }];
      if (pdf.path) return [{ check: 'pdf', status: 'ok', key: 'doctor.pdf.chromium', vars: { path: pdf.path } }];
      return [
        {
          check: 'pdf',
          status: 'warn',
          key: 'doctor.pdf.none',
          vars: { error: pdf.error ?? '' },
          fix: { key: 'doctor.fix.chromium' },
        },
      ];
    },
  },
  {
    id: 'plan',
    run: ({ plan }) =>
      (plan?.items ?? []).map(
        (item): DoctorLine => ({
          check: 'plan',
          status: item.ok ? 'ok' : 'fail',
          key: 'doctor.plan.item',
          vars: { what: item.what, detail: item.detail },
          ...(item.ok || !item.fix ? {} : { fix: { key: 'doctor.fix.text', vars: { text: item.fix } } }),
        }),
      ),
  },
  {
    id: 'probe',
    run: ({ probe }) => {
      if (!probe) return [];
      const vars = {
        target: probe.target,
        device: probe.device ?? '—',
        seconds: probe.seconds,
        sent: probe.sent,
        replies: probe.replies,
        frames: probe.frames,
        rtt: probe.rttMedianMs === undefined ? '—' : probe.rttMedianMs.toFixed(3),
      };
      if (probe.error) {
        return [
          {
            check: 'probe',
            status: 'fail',
            key: 'doctor.probe.error',
            vars: { ...vars, error: probe.error },
            fix: { key: 'doctor.fix.probe' },
          },
        ];
      }
      if (probe.replies > 0 && probe.frames > 0)
        return [{ check: 'probe', status: 'ok', key: 'doctor.probe.ok', vars }];
      return [
        {
          check: 'probe',
          status: 'fail',
          key: probe.frames > 0 ? 'doctor.probe.noReply' : 'doctor.probe.nothingSeen',
          vars,
          fix: { key: 'doctor.fix.probe' },
        },
      ];
    },
  },
];

/** The report: every check that applies to the facts' platform, in order. */
export function diagnose(facts: DoctorFacts, checks: readonly Check[] = DOCTOR_CHECKS): DoctorReport {
  const lines = checks.filter((c) => !c.platforms || c.platforms.includes(facts.platform)).flatMap((c) => c.run(facts));
  return { platform: facts.platform, lines, ok: lines.every((l) => l.status !== 'fail') };
}

export const STATUS_MARK: Record<DoctorStatus, string> = { ok: '✓', fail: '✗', warn: '!', info: '·' };

/** The report as text lines, "✓ …" with "    → fix" under ✗ and !, in a language (translate = t bound to it). */
export function renderDoctorText(
  report: DoctorReport,
  translate: (key: string, vars?: Record<string, string | number>) => string,
): string {
  const out: string[] = [];
  for (const line of report.lines) {
    out.push(`${STATUS_MARK[line.status]} ${translate(line.key, line.vars)}`);
    if (line.fix && line.status !== 'ok') out.push(`    → ${translate(line.fix.key, line.fix.vars)}`);
  }
  return out.join('\n');
}
