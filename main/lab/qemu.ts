/** Starting the lab guest under QEMU, and choosing KVM where it really works. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_NETWORK, LAB_NICS, type LabNic } from '../../shared/lab/topology.js';
import type { LogSink } from '../../shared/run/log.js';
import { cacheDir } from '../paths.js';
import { run, runOk } from '../util/exec.js';
import type { GuestImage } from './image.js';

export type Accel = 'kvm' | 'tcg';

export interface QemuFiles {
  pidFile: string;
  qmpSocket: string;
  consoleSocket: string;
  consoleLog: string;
  /** The persistent /etc disk; the LACP partner has none. */
  disk?: string;
}

/** Which guest a QEMU runs: the host under test (the default) or the LACP partner of `lab up --lacp`. */
export interface QemuGuest {
  role: 'host' | 'partner';
  nics: readonly LabNic[];
  memoryMiB: number;
  /**
   * Speed (full duplex) the slave NICs report. Real NICs report one; without it the bonding driver refuses to bring
   * a slave back up after a pull in 802.3ad, balance-tlb and balance-alb ("failed to get link speed/duplex").
   */
  slaveSpeedMbps?: number;
}

export const HOST_GUEST: QemuGuest = { role: 'host', nics: LAB_NICS, memoryMiB: 512, slaveSpeedMbps: 1000 };

export function qemuArgs(
  image: GuestImage,
  files: QemuFiles,
  accel: Accel,
  processName: string,
  guest: QemuGuest = HOST_GUEST,
): string[] {
  const append = [
    'console=ttyS0',
    'panic=-1',
    // A reboot typed in the guest sometimes hung after "reboot: Restarting system" under TCG; a triple fault
    // resets the virtual machine at once.
    'reboot=t',
    'quiet',
    'net.ifnames=0',
    guest.role === 'host' ? `bondbench.mgmt=${LAB_NETWORK.managementGuestAddress}` : 'bondbench.role=partner',
  ].join(' ');
  const args = [
    '-name',
    `${processName},process=${processName}`,
    '-machine',
    'pc',
    '-accel',
    accel,
    ...(accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m',
    String(guest.memoryMiB),
    '-smp',
    '1',
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-monitor',
    'none',
    '-kernel',
    image.kernel,
    '-initrd',
    image.initrd,
    '-append',
    append,
    '-chardev',
    `socket,id=console,path=${files.consoleSocket},server=on,wait=off,logfile=${files.consoleLog}`,
    '-serial',
    'chardev:console',
    '-qmp',
    `unix:${files.qmpSocket},server=on,wait=off`,
    '-pidfile',
    files.pidFile,
    ...(files.disk ? ['-drive', `file=${files.disk},if=virtio,format=raw`] : []),
  ];
  for (const nic of guest.nics) {
    const speed = guest.slaveSpeedMbps && nic.guestName !== 'eth0' ? `,speed=${guest.slaveSpeedMbps},duplex=full` : '';
    args.push(
      '-netdev',
      `tap,id=${nic.netdevId},ifname=${nic.tap},script=no,downscript=no`,
      '-device',
      `virtio-net-pci,netdev=${nic.netdevId},mac=${nic.mac},addr=${nic.pciAddr}${speed}`,
    );
  }
  args.push('-daemonize');
  return args;
}

export async function readPid(pidFile: string): Promise<number | undefined> {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True only for a live QEMU we started: the pid file's process with our process name (pids get reused). */
export async function isOurQemu(pid: number | undefined, processName: string): Promise<boolean> {
  if (!pid) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(`${processName},process=${processName}`);
  } catch {
    return false;
  }
}

/**
 * KVM, tried once with a short timeout: some machines have a /dev/kvm on which a stock kernel hangs while booting.
 * The answer is cached per kernel image and host kernel.
 */
export async function chooseAccel(image: GuestImage, log: LogSink, requested?: string): Promise<Accel> {
  const wanted = requested ?? process.env.BONDBENCH_LAB_ACCEL ?? 'auto';
  if (wanted === 'kvm' || wanted === 'tcg') return wanted;
  if (wanted !== 'auto') throw new Error(`accel ${JSON.stringify(wanted)}: use kvm, tcg or auto`);
  if (!existsSync('/dev/kvm')) return 'tcg';
  const hostKernel = (await runOk('uname', ['-r'])).trim();
  const cacheFile = join(cacheDir(), 'accel.json');
  const key = `${hostKernel} ${image.kernelPackage}`;
  const cache = existsSync(cacheFile)
    ? (JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, Accel>)
    : ({} as Record<string, Accel>);
  const cached = cache[key];
  if (cached) return cached;
  log({ key: 'log.lab.tryingKvm' });
  const dir = await mkdtemp(join(tmpdir(), 'bondbench-kvm-'));
  const serial = join(dir, 'serial.log');
  const started = Date.now();
  const result = await run(
    'qemu-system-x86_64',
    [
      ...['-accel', 'kvm', '-cpu', 'host', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none'],
      ...['-no-reboot', '-kernel', image.kernel, '-initrd', image.initrd],
      ...['-append', 'console=ttyS0 panic=-1 quiet bondbench.probe=1', '-serial', `file:${serial}`],
    ],
    { timeoutMs: 20_000 },
  );
  const output = existsSync(serial) ? await readFile(serial, 'utf8') : '';
  await rm(dir, { recursive: true, force: true });
  const accel: Accel = output.includes('BONDBENCH-ACCEL-PROBE-OK') ? 'kvm' : 'tcg';
  log(
    accel === 'kvm'
      ? { key: 'log.lab.kvmWorks', vars: { ms: Date.now() - started } }
      : result.signal
        ? { key: 'log.lab.kvmTimedOut' }
        : { key: 'log.lab.kvmFailed', vars: { code: result.code ?? '?' } },
  );
  cache[key] = accel;
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(cacheFile, JSON.stringify(cache, null, 2));
  return accel;
}
