/**
 * The virtual lab: a QEMU guest running Debian's kernel and real bonding driver, wired inside a network namespace
 * of its own (bridge = switch, taps = cables, a tester port), controlled through QMP. One more host, power switch
 * and link switch implementation for the bench, not a special case.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, open, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BondingMode } from '../../shared/bonding/modes.js';
import { LAB_NETWORK, LAB_NICS, labSlave, namespaceName } from '../../shared/lab/topology.js';
import { renderNetConf } from '../../shared/netifrc/confd.js';
import { packageRoot, runtimeDir } from '../paths.js';
import { SshSession } from '../ssh/session.js';
import { runOk } from '../util/exec.js';
import { buildGuestImage, type GuestImage } from './image.js';
import {
  createLabNamespace,
  deleteNamespace,
  ipIn,
  namespaceExists,
  namespaceStream,
  switchPortCarrier,
} from './netns.js';
import { type Accel, chooseAccel, isOurQemu, qemuArgs, readPid } from './qemu.js';
import { qmpOnce } from './qmp.js';

export type Log = (line: string) => void;

export interface LabUpOptions {
  /** The bond the guest's /etc/conf.d/net sets up at boot; null for no bond (standalone eth1, eth2). */
  bond?: { mode: BondingMode; miimon: number; style: 'writeup' | 'modern' } | null;
  accel?: string;
  bootTimeoutMs?: number;
  log?: Log;
}

interface LabState {
  instance: string;
  namespace: string;
  accel: Accel;
  image: GuestImage;
  startedAt: string;
  bootMs?: number;
  /** Slaves whose cable is pulled (QMP link state cannot be queried). */
  pulled: string[];
  /** Set by `power off`: the lab is still wired, only the guest is off. */
  poweredOff?: boolean;
}

export interface LabLinkStatus {
  slave: string;
  tap: string;
  pulled: boolean;
  switchCarrier: boolean;
}

export interface LabStatus {
  instance: string;
  up: boolean;
  namespace: string;
  qemuPid?: number;
  running?: boolean;
  qemuStatus?: string;
  accel?: Accel;
  kernel?: string;
  bootMs?: number;
  ssh?: { target: string; sshConfig: string; command: string; hostKey: string };
  links?: LabLinkStatus[];
  tester?: { port: string; address: string; mac: string };
}

const DEFAULT_BOND = { mode: 'balance-rr', miimon: 100, style: 'writeup' } as const;

export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      'the virtual lab needs root (network namespaces, taps, QEMU): run it as root, e.g. sudo npx bondbench lab up',
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class VirtualLab {
  readonly namespace: string;
  readonly dir: string;
  private readonly processName: string;

  constructor(readonly instance = process.env.BONDBENCH_LAB_INSTANCE ?? 'default') {
    this.namespace = namespaceName(instance);
    this.dir = join(runtimeDir(), `lab-${instance}`);
    this.processName = `bondbench-lab-${instance}`;
  }

  private get files() {
    return {
      pidFile: join(this.dir, 'qemu.pid'),
      qmpSocket: join(this.dir, 'qmp.sock'),
      consoleSocket: join(this.dir, 'console.sock'),
      consoleLog: join(this.dir, 'console.log'),
      disk: join(this.dir, 'etc.img'),
    };
  }

  private get stateFile() {
    return join(this.dir, 'state.json');
  }

  get sshConfigFile() {
    return join(this.dir, 'ssh_config');
  }

  private async readState(): Promise<LabState | undefined> {
    if (!existsSync(this.stateFile)) return undefined;
    return JSON.parse(await readFile(this.stateFile, 'utf8')) as LabState;
  }

  private async writeState(state: LabState): Promise<void> {
    const tmp = `${this.stateFile}.tmp`;
    await writeFile(tmp, JSON.stringify(state, null, 2));
    await runOk('mv', ['-f', tmp, this.stateFile]);
  }

  /** One bench process at a time changes a lab; a lock left by a dead process is taken over. */
  private async withLock<T>(what: string, fn: () => Promise<T>): Promise<T> {
    await mkdir(runtimeDir(), { recursive: true });
    const lockFile = join(runtimeDir(), `lab-${this.instance}.lock`);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.writeFile(`${process.pid} ${what}\n`);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const [pidText, ...holder] = (await readFile(lockFile, 'utf8').catch(() => '')).trim().split(' ');
        const pid = Number(pidText);
        if (pid && pid !== process.pid && pidAlive(pid)) {
          if (attempt < 3) {
            await sleep(500);
            continue;
          }
          throw new LabError(
            `lab "${this.instance}" is held by process ${pid} (${holder.join(' ') || 'bondbench'}): ` +
              `wait for it to finish, or stop it and run "bondbench lab down${this.instance === 'default' ? '' : ` --instance ${this.instance}`}"`,
          );
        }
        await unlink(lockFile).catch(() => undefined);
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lockFile).catch(() => undefined);
    }
  }

  private async qemuPid(): Promise<number | undefined> {
    const pid = await readPid(this.files.pidFile);
    return (await isOurQemu(pid, this.processName)) ? pid : undefined;
  }

  async isUp(): Promise<boolean> {
    return !!(await this.readState()) && !!(await this.qemuPid());
  }

  private async requireState(): Promise<LabState> {
    const state = await this.readState();
    if (!state || !(await this.qemuPid())) {
      throw new LabError(`lab "${this.instance}" is not running: start it with "bondbench lab up"`);
    }
    return state;
  }

  async up(options: LabUpOptions = {}): Promise<LabStatus> {
    assertRoot();
    const log = options.log ?? (() => undefined);
    return this.withLock('lab up', async () => {
      if (await this.isUp()) {
        log(`lab "${this.instance}" is already up`);
        return this.status();
      }
      const previous = await this.readState();
      if (previous?.poweredOff && (await namespaceExists(this.namespace))) {
        log(`lab "${this.instance}" is powered off: powering it on`);
        previous.bootMs = await this.startQemu(previous, options.bootTimeoutMs, log);
        previous.poweredOff = false;
        await this.writeState(previous);
        return this.status();
      }
      // Whatever a crashed earlier run left behind: our namespace, our files, our QEMU.
      await this.teardown(log);
      const image = await buildGuestImage(log);
      const accel = await chooseAccel(image, log, options.accel);
      await mkdir(this.dir, { recursive: true });
      await this.writeDisk(image, options.bond === undefined ? DEFAULT_BOND : options.bond);
      log(`creating network namespace ${this.namespace}`);
      await createLabNamespace(this.namespace);
      const state: LabState = {
        instance: this.instance,
        namespace: this.namespace,
        accel,
        image,
        startedAt: new Date().toISOString(),
        pulled: [],
      };
      await this.writeState(state);
      await this.writeSshConfig(image);
      state.bootMs = await this.startQemu(state, options.bootTimeoutMs, log);
      await this.writeState(state);
      return this.status();
    });
  }

  /** Starts QEMU in the namespace and waits for SSH; returns the boot time (start → SSH answers). */
  private async startQemu(state: LabState, bootTimeoutMs: number | undefined, log: Log): Promise<number> {
    log(`starting the guest (${state.accel.toUpperCase()}, ${state.image.kernelPackage})`);
    await rm(this.files.consoleLog, { force: true });
    const started = performance.now();
    await runOk('ip', [
      'netns',
      'exec',
      this.namespace,
      'qemu-system-x86_64',
      ...qemuArgs(state.image, this.files, state.accel, this.processName),
    ]);
    const timeout = bootTimeoutMs ?? (state.accel === 'kvm' ? 60_000 : 120_000);
    await this.waitForSsh(started + timeout);
    const bootMs = Math.round(performance.now() - started);
    log(`guest up: SSH answered ${(bootMs / 1000).toFixed(1)} s after start`);
    return bootMs;
  }

  private async writeDisk(image: GuestImage, bond: LabUpOptions['bond']): Promise<void> {
    const tree = await mkdtemp(join(this.dir, 'etc-'));
    try {
      await cp(image.etcTree, tree, { recursive: true, verbatimSymlinks: true });
      const conf = renderNetConf({
        management: { iface: 'eth0', address: LAB_NETWORK.managementGuestAddress },
        bond: bond
          ? {
              name: 'bond0',
              slaves: ['eth1', 'eth2'],
              mode: bond.mode,
              miimon: bond.miimon,
              address: LAB_NETWORK.bondAddress,
            }
          : undefined,
        style: bond?.style ?? 'writeup',
      });
      await writeFile(join(tree, 'conf.d/net'), conf);
      if (bond) {
        // The write-up's steps: ln -sf /etc/init.d/net.lo /etc/init.d/net.bond0; rc-update add net.bond0 default
        await symlink('net.lo', join(tree, 'init.d/net.bond0'));
        await symlink('/etc/init.d/net.bond0', join(tree, 'runlevels/default/net.bond0'));
      }
      await rm(this.files.disk, { force: true });
      await runOk('mke2fs', [
        '-q',
        '-F',
        '-t',
        'ext4',
        '-O',
        '^metadata_csum',
        '-L',
        'bondbench-etc',
        '-d',
        tree,
        this.files.disk,
        '16M',
      ]);
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
  }

  private async writeSshConfig(image: GuestImage): Promise<void> {
    const knownHosts = join(this.dir, 'known_hosts');
    await writeFile(knownHosts, `${LAB_NETWORK.guestSshHost} ${image.keys.hostPublicKey}\n`);
    const bin = join(packageRoot, 'bin', 'bondbench.mjs');
    await writeFile(
      this.sshConfigFile,
      [
        `# The BondBench lab "${this.instance}": ssh -F ${this.sshConfigFile} lab`,
        'Host lab',
        `  HostName ${LAB_NETWORK.guestSshHost}`,
        '  User root',
        `  IdentityFile ${image.keys.clientKey}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        `  ProxyCommand ${process.execPath} ${bin} lab connect --instance ${this.instance} %h %p`,
        '',
      ].join('\n'),
    );
  }

  /** Opens an SSH session to the guest through the namespace, with its host key pinned. */
  async ssh(options: { readyTimeoutMs?: number } = {}): Promise<SshSession> {
    const state = await this.requireState();
    return SshSession.connect({
      label: `lab guest root@${LAB_NETWORK.guestSshHost} (namespace ${this.namespace})`,
      sock: namespaceStream(this.namespace, LAB_NETWORK.guestSshHost, LAB_NETWORK.guestSshPort),
      username: 'root',
      privateKey: await readFile(state.image.keys.clientKey),
      hostKey: { kind: 'pinned', publicKey: state.image.keys.hostPublicKey },
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
    });
  }

  /** Polls until the guest's sshd logs us in and runs a command, or the deadline passes. */
  async waitForSsh(deadline: number): Promise<void> {
    let lastError: unknown;
    while (performance.now() < deadline) {
      if (!(await this.qemuPid())) {
        throw new LabError(`QEMU exited while the guest booted; its console log: ${this.files.consoleLog}`);
      }
      try {
        const session = await this.ssh({
          readyTimeoutMs: Math.max(1000, Math.min(10_000, deadline - performance.now())),
        });
        const result = await session.exec('true');
        session.close();
        if (result.code === 0) return;
      } catch (error) {
        lastError = error;
        if ((error as Error).name === 'HostKeyMismatchError') throw error;
      }
      await sleep(250);
    }
    const tail = existsSync(this.files.consoleLog)
      ? (await readFile(this.files.consoleLog, 'utf8')).split('\n').slice(-15).join('\n')
      : '(no console output)';
    throw new LabError(
      `the lab guest did not answer SSH in time (${(lastError as Error | undefined)?.message ?? 'no answer'}). Console:\n${tail}`,
    );
  }

  async down(log: Log = () => undefined): Promise<boolean> {
    assertRoot();
    return this.withLock('lab down', () => this.teardown(log));
  }

  /** Removes every process, namespace and file of this lab instance; true if there was anything. */
  private async teardown(log: Log): Promise<boolean> {
    let found = false;
    const pid = await this.qemuPid();
    if (pid) {
      found = true;
      log(`stopping QEMU (pid ${pid})`);
      await qmpOnce(this.files.qmpSocket, 'quit').catch(() => undefined);
      for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
      if (pidAlive(pid) && (await isOurQemu(pid, this.processName))) process.kill(pid, 'SIGKILL');
    }
    if (await namespaceExists(this.namespace)) {
      found = true;
      log(`removing network namespace ${this.namespace}`);
      await deleteNamespace(this.namespace);
    }
    if (existsSync(this.dir)) {
      found = true;
      await rm(this.dir, { recursive: true, force: true });
    }
    return found;
  }

  async status(): Promise<LabStatus> {
    const state = await this.readState();
    const pid = await this.qemuPid();
    const base: LabStatus = { instance: this.instance, up: !!(state && pid), namespace: this.namespace };
    if (!state || !pid) return base;
    const qemuStatus = await qmpOnce<{ status: string; running: boolean }>(this.files.qmpSocket, 'query-status').catch(
      () => undefined,
    );
    const links: LabLinkStatus[] = [];
    for (const nic of LAB_NICS.filter((n) => n.guestName !== 'eth0')) {
      links.push({
        slave: nic.guestName,
        tap: nic.tap,
        pulled: state.pulled.includes(nic.guestName),
        switchCarrier: await switchPortCarrier(this.namespace, nic.tap),
      });
    }
    return {
      ...base,
      qemuPid: pid,
      running: qemuStatus?.running,
      qemuStatus: qemuStatus?.status,
      accel: state.accel,
      kernel: state.image.kernelPackage,
      bootMs: state.bootMs,
      ssh: {
        target: 'lab',
        sshConfig: this.sshConfigFile,
        command: `ssh -F ${this.sshConfigFile} lab`,
        hostKey: state.image.keys.hostPublicKey,
      },
      links,
      tester: { port: LAB_NETWORK.testerPort, address: LAB_NETWORK.testerAddress, mac: LAB_NETWORK.testerMac },
    };
  }

  /** A faithful cable pull: the guest NIC loses carrier (QMP set_link) and so does the switch port (tap). */
  async pull(slave: string): Promise<void> {
    const nic = labSlave(slave);
    await this.withLock(`lab pull ${slave}`, async () => {
      const state = await this.requireState();
      await qmpOnce(this.files.qmpSocket, 'set_link', { name: nic.netdevId, up: false });
      await ipIn(this.namespace, ['link', 'set', nic.tap, 'carrier', 'off']);
      state.pulled = [...new Set([...state.pulled, nic.guestName])];
      await this.writeState(state);
    });
  }

  async plug(slave: string): Promise<void> {
    const nic = labSlave(slave);
    await this.withLock(`lab plug ${slave}`, async () => {
      const state = await this.requireState();
      await ipIn(this.namespace, ['link', 'set', nic.tap, 'carrier', 'on']);
      await qmpOnce(this.files.qmpSocket, 'set_link', { name: nic.netdevId, up: true });
      state.pulled = state.pulled.filter((s) => s !== nic.guestName);
      await this.writeState(state);
    });
  }

  /** Warm reboot (QMP system_reset); with wait, resolves with the time until SSH answers again. */
  async reset(options: { wait?: boolean; timeoutMs?: number } = {}): Promise<number | undefined> {
    return this.withLock('lab reset', async () => {
      const state = await this.requireState();
      const started = performance.now();
      await qmpOnce(this.files.qmpSocket, 'system_reset');
      // A reset re-plugs nothing on the switch side; the guest's NICs come back with their QMP link state.
      if (!options.wait) return undefined;
      await sleep(500);
      await this.waitForSsh(started + (options.timeoutMs ?? (state.accel === 'kvm' ? 60_000 : 120_000)));
      return Math.round(performance.now() - started);
    });
  }

  /** Power: off stops QEMU (the disk stays), on starts it again, cycle does both. */
  async power(action: 'on' | 'off' | 'cycle', log: Log = () => undefined): Promise<number | undefined> {
    assertRoot();
    return this.withLock(`lab power ${action}`, async () => {
      const state = await this.readState();
      if (!state || !(await namespaceExists(this.namespace))) {
        throw new LabError(`lab "${this.instance}" is not set up: start it with "bondbench lab up"`);
      }
      if (action === 'off' || action === 'cycle') {
        const pid = await this.qemuPid();
        if (pid) {
          await qmpOnce(this.files.qmpSocket, 'quit').catch(() => undefined);
          for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
          if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
        }
        // A powered-off host has no carrier; the taps stay for the next power-on.
        state.pulled = [];
        state.poweredOff = true;
        await this.writeState(state);
      }
      if (action === 'on' || action === 'cycle') {
        if (await this.qemuPid()) return undefined;
        state.bootMs = await this.startQemu(state, undefined, log);
        state.poweredOff = false;
        await this.writeState(state);
        return state.bootMs;
      }
      return undefined;
    });
  }

  async powerState(): Promise<'on' | 'off'> {
    return (await this.qemuPid()) ? 'on' : 'off';
  }

  get consoleLog(): string {
    return this.files.consoleLog;
  }
}
