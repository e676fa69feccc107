/**
 * The virtual lab: a QEMU guest running Debian's kernel and real bonding driver, wired inside a network namespace
 * of its own (bridge = switch, taps = cables, a tester port), controlled through QMP. One more host, power switch
 * and link switch implementation for the bench, not a special case.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, open, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BondingMode } from '../../shared/bonding/modes.js';
import { LINK_DOWN_MAX_MS } from '../../shared/drivers/lab.js';
import {
  LAB_NETWORK,
  LAB_NICS,
  LAB_PARTNER,
  LAB_PARTNER_NICS,
  LAB_SLAVES,
  labSlave,
  namespaceName,
  partnerNicFor,
} from '../../shared/lab/topology.js';
import { renderNetConf } from '../../shared/netifrc/confd.js';
import { errorPart } from '../../shared/run/failure.js';
import { type LogSink, logText, textLine } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import type { CablePullTiming } from '../drivers/types.js';
import { packageRoot, runtimeDir } from '../paths.js';
import { SshSession } from '../ssh/session.js';
import { nowMs } from '../tester/clock.js';
import { runOk } from '../util/exec.js';
import { buildGuestImage, type GuestImage } from './image.js';
import {
  armedIp,
  type Cabling,
  cableSlave,
  createLabNamespace,
  deleteNamespace,
  ipIn,
  namespaceExists,
  namespaceStream,
  readCabling,
  switchPortCarrier,
} from './netns.js';
import {
  type Accel,
  chooseAccel,
  HOST_GUEST,
  isOurQemu,
  type QemuFiles,
  type QemuGuest,
  qemuArgs,
  readPid,
} from './qemu.js';
import { QmpClient, qmpOnce } from './qmp.js';

/** What the lab does, as `log.lab.*` lines (the CLI prints them, a run's drivers put them in the run log). */
export type Log = LogSink;

export interface LabUpOptions {
  /** The bond the guest's /etc/conf.d/net sets up at boot; null for no bond (standalone eth1, eth2). */
  bond?: { mode: BondingMode; miimon: number; style: 'writeup' | 'modern' } | null;
  accel?: string;
  bootTimeoutMs?: number;
  log?: Log;
  /**
   * Cable eth1 and eth2 to an LACP partner (a second guest whose 802.3ad bond plays the switch) instead of the
   * bridge, which never forwards LACPDUs. The bond at boot is then 802.3ad unless `bond` says otherwise.
   */
  lacp?: boolean;
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
  /** The `--lacp` variant: a second QEMU, the LACP partner, is wired to eth1 and eth2. */
  lacp?: boolean;
  /** Partner start → its bond and bridge are up (from its console). */
  partnerBootMs?: number;
  /** --lacp: where the slaves' cables end now (the switch driver moves them); absent = the partner. */
  cabling?: Cabling;
}

export type { Cabling };

export interface LabLinkStatus {
  slave: string;
  tap: string;
  pulled: boolean;
  switchCarrier: boolean;
  /** --lacp: the partner's port this slave can be cabled to, and its carrier. */
  partnerTap?: string;
  partnerCarrier?: boolean;
  /** Where the cable ends, as read from the namespace: the bridge, the LACP partner, or nowhere. */
  cabledTo?: Cabling | 'loose';
}

export interface LabPartnerStatus {
  qemuPid?: number;
  running?: boolean;
  /** The partner bond's MAC: what the host's slaves should report as their LACP partner. */
  systemMac: string;
  lacpRate: string;
  bootMs?: number;
  consoleLog: string;
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
  /** Present only for a lab brought up with --lacp. */
  lacp?: { partner: LabPartnerStatus };
}

const DEFAULT_BOND = { mode: 'balance-rr', miimon: 100, style: 'writeup' } as const;
const LACP_BOND = { mode: '802.3ad', miimon: 100, style: 'writeup' } as const;

/** LACP runs only on full-duplex ports: the guest's slaves must report a speed and full duplex, as the partner's do. */
const HOST_GUEST_LACP: QemuGuest = { ...HOST_GUEST, slaveSpeedMbps: LAB_PARTNER.slaveSpeedMbps };
const PARTNER_GUEST: QemuGuest = {
  role: 'partner',
  nics: LAB_PARTNER_NICS,
  memoryMiB: 256,
  slaveSpeedMbps: LAB_PARTNER.slaveSpeedMbps,
};
/** What the partner's boot script prints once its bond and bridge are up. */
const PARTNER_READY = 'bondbench: partner ready';

/** The lab cannot do what was asked; `key` is its catalogue message (`error.lab.*`, `failure.labDown`). */
export class LabError extends SaidError {
  constructor(key: string, vars: ReasonPart['vars'] = {}) {
    super('LabError', key, vars);
  }
}

function assertRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError('error.lab.needsRoot');
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

/** QMP quit, then SIGKILL if it lingers (only if the pid is still our QEMU: pids get reused). */
async function stopQemu(pid: number, qmpSocket: string, processName: string): Promise<void> {
  await qmpOnce(qmpSocket, 'quit').catch(() => undefined);
  for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
  if (pidAlive(pid) && (await isOurQemu(pid, processName))) process.kill(pid, 'SIGKILL');
}

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

  /** The LACP partner's QEMU: no disk, files of its own beside the host's. */
  private get partnerFiles(): QemuFiles {
    return {
      pidFile: join(this.dir, 'partner.pid'),
      qmpSocket: join(this.dir, 'partner-qmp.sock'),
      consoleSocket: join(this.dir, 'partner-console.sock'),
      consoleLog: join(this.dir, 'partner-console.log'),
    };
  }

  /** A "." cannot occur in an instance name, so no other instance's QEMU can carry this name. */
  private get partnerProcessName(): string {
    return `${this.processName}.partner`;
  }

  /** `bondbench lab <sub>` for this instance, as the user would type it. */
  private command(sub: string): string {
    return `bondbench lab ${sub}${this.instance === 'default' ? '' : ` --instance ${this.instance}`}`;
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

  /** Where the slaves' cables end: the plain lab's are always on the bridge. */
  private cablingOf(state: LabState): Cabling {
    return state.lacp ? (state.cabling ?? 'partner') : 'bridge';
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
          throw new LabError('error.lab.held', {
            instance: this.instance,
            pid: String(pid),
            holder: holder.join(' ') || 'bondbench',
            command: this.command('down'),
          });
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

  private async partnerPid(): Promise<number | undefined> {
    const pid = await readPid(this.partnerFiles.pidFile);
    return (await isOurQemu(pid, this.partnerProcessName)) ? pid : undefined;
  }

  async isUp(): Promise<boolean> {
    return !!(await this.readState()) && !!(await this.qemuPid());
  }

  private async requireState(): Promise<LabState> {
    const state = await this.readState();
    if (!state || !(await this.qemuPid())) {
      throw new LabError('failure.labDown', { instance: this.instance });
    }
    return state;
  }

  async up(options: LabUpOptions = {}): Promise<LabStatus> {
    assertRoot();
    const log = options.log ?? (() => undefined);
    return this.withLock('lab up', async () => {
      const previous = await this.readState();
      const running = (await this.isUp()) || (!!previous?.poweredOff && (await namespaceExists(this.namespace)));
      if (previous && running && !!previous.lacp !== !!options.lacp) {
        throw new LabError(previous.lacp ? 'error.lab.upWithPartner' : 'error.lab.upWithoutPartner', {
          instance: this.instance,
          command: this.command('down'),
        });
      }
      if (await this.isUp()) {
        log({ key: 'log.lab.alreadyUp', vars: { instance: this.instance } });
        return this.status();
      }
      if (previous?.poweredOff && (await namespaceExists(this.namespace))) {
        log({ key: 'log.lab.poweringOn', vars: { instance: this.instance } });
        previous.bootMs = await this.powerOn(previous, options.bootTimeoutMs, log);
        previous.poweredOff = false;
        await this.writeState(previous);
        return this.status();
      }
      // Whatever a crashed earlier run left behind: our namespace, our files, our QEMU.
      await this.teardown(log);
      const image = await buildGuestImage(log);
      const accel = await chooseAccel(image, log, options.accel);
      await mkdir(this.dir, { recursive: true });
      const defaultBond = options.lacp ? LACP_BOND : DEFAULT_BOND;
      await this.writeDisk(image, options.bond === undefined ? defaultBond : options.bond);
      log({ key: options.lacp ? 'log.lab.namespaceLacp' : 'log.lab.namespace', vars: { namespace: this.namespace } });
      await createLabNamespace(this.namespace, { lacp: options.lacp });
      const state: LabState = {
        instance: this.instance,
        namespace: this.namespace,
        accel,
        image,
        startedAt: new Date().toISOString(),
        pulled: [],
        ...(options.lacp ? { lacp: true } : {}),
      };
      await this.writeState(state);
      await this.writeSshConfig(image);
      // The partner (the switch) boots beside the host; both are waited for.
      const partnerReady = options.lacp ? this.bootPartner(state, options.bootTimeoutMs, log) : undefined;
      partnerReady?.catch(() => undefined);
      state.bootMs = await this.startQemu(state, options.bootTimeoutMs, log);
      if (partnerReady) state.partnerBootMs = await partnerReady;
      await this.writeState(state);
      return this.status();
    });
  }

  /** QEMU daemonises inside the lab's namespace, so its taps live there. */
  private async launchQemu(
    state: LabState,
    files: Parameters<typeof qemuArgs>[1],
    processName: string,
    guest?: Parameters<typeof qemuArgs>[4],
  ): Promise<void> {
    await runOk('ip', [
      'netns',
      'exec',
      this.namespace,
      'qemu-system-x86_64',
      ...qemuArgs(state.image, files, state.accel, processName, guest),
    ]);
  }

  /** Starts QEMU in the namespace and waits for SSH; returns the boot time (start → SSH answers). */
  private async startQemu(state: LabState, bootTimeoutMs: number | undefined, log: Log): Promise<number> {
    log({
      key: 'log.lab.startingGuest',
      vars: { accel: state.accel.toUpperCase(), kernel: state.image.kernelPackage },
    });
    await rm(this.files.consoleLog, { force: true });
    const started = performance.now();
    await this.launchQemu(state, this.files, this.processName, state.lacp ? HOST_GUEST_LACP : undefined);
    const timeout = bootTimeoutMs ?? (state.accel === 'kvm' ? 60_000 : 120_000);
    await this.waitForSsh(started + timeout);
    const bootMs = Math.round(performance.now() - started);
    log({ key: 'log.lab.guestUp', vars: { seconds: (bootMs / 1000).toFixed(1) } });
    return bootMs;
  }

  /** Starts the LACP partner's QEMU in the namespace and waits until its bond is up; returns that time. */
  private async bootPartner(state: LabState, bootTimeoutMs: number | undefined, log: Log): Promise<number> {
    log({ key: 'log.lab.startingPartner', vars: { lacpRate: LAB_PARTNER.lacpRate, system: LAB_PARTNER.systemMac } });
    await rm(this.partnerFiles.consoleLog, { force: true });
    const started = performance.now();
    await this.launchQemu(state, this.partnerFiles, this.partnerProcessName, PARTNER_GUEST);
    // The partner has no address of its own (nothing it adds may reach the captures): its console says when it is up.
    const deadline = started + (bootTimeoutMs ?? 120_000);
    const consoleLog = this.partnerFiles.consoleLog;
    for (;;) {
      const text = existsSync(consoleLog) ? await readFile(consoleLog, 'utf8') : '';
      if (text.includes(PARTNER_READY)) break;
      if (!(await this.partnerPid())) {
        throw new LabError('error.lab.partnerExited', { file: consoleLog });
      }
      if (performance.now() > deadline) {
        throw new LabError('error.lab.partnerSlow', { console: text.split('\n').slice(-15).join('\n') });
      }
      await sleep(200);
    }
    const ms = Math.round(performance.now() - started);
    log({ key: 'log.lab.partnerUp', vars: { seconds: (ms / 1000).toFixed(1) } });
    return ms;
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
        throw new LabError('error.lab.guestExited', { file: this.files.consoleLog });
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
      : undefined;
    throw new LabError('error.lab.guestSlow', {
      last: lastError === undefined ? { key: 'error.lab.noAnswer' } : errorPart(lastError),
      console: tail ?? { key: 'error.lab.noConsole' },
    });
  }

  async down(log: Log = () => undefined): Promise<boolean> {
    assertRoot();
    return this.withLock('lab down', () => this.teardown(log));
  }

  /** Removes every process, namespace and file of this lab instance; true if there was anything. */
  private async teardown(log: Log): Promise<boolean> {
    let found = false;
    for (const [what, pid, qmpSocket, processName] of [
      ['guest', await this.qemuPid(), this.files.qmpSocket, this.processName],
      ['partner', await this.partnerPid(), this.partnerFiles.qmpSocket, this.partnerProcessName],
    ] as const) {
      if (!pid) continue;
      found = true;
      log({ key: `log.lab.stopping.${what}`, vars: { pid } });
      await stopQemu(pid, qmpSocket, processName);
    }
    if (await namespaceExists(this.namespace)) {
      found = true;
      log({ key: 'log.lab.removingNamespace', vars: { namespace: this.namespace } });
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
      const partnerTap = state.lacp ? partnerNicFor(nic.guestName).tap : undefined;
      links.push({
        slave: nic.guestName,
        tap: nic.tap,
        pulled: state.pulled.includes(nic.guestName),
        switchCarrier: await switchPortCarrier(this.namespace, nic.tap),
        ...(partnerTap ? { partnerTap, partnerCarrier: await switchPortCarrier(this.namespace, partnerTap) } : {}),
        cabledTo: await readCabling(this.namespace, nic.guestName),
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
      ...(state.lacp ? { lacp: { partner: await this.partnerStatus(state) } } : {}),
    };
  }

  private async partnerStatus(state: LabState): Promise<LabPartnerStatus> {
    const pid = await this.partnerPid();
    const qemuStatus = pid
      ? await qmpOnce<{ running: boolean }>(this.partnerFiles.qmpSocket, 'query-status').catch(() => undefined)
      : undefined;
    return {
      ...(pid ? { qemuPid: pid, running: qemuStatus?.running } : {}),
      systemMac: LAB_PARTNER.systemMac,
      lacpRate: LAB_PARTNER.lacpRate,
      bootMs: state.partnerBootMs,
      consoleLog: this.partnerFiles.consoleLog,
    };
  }

  /**
   * The partner's end of a slave's cable: its NIC (QMP set_link) and its tap. Both ends of a pulled cable lose
   * carrier, as with a real pull between a host and a switch.
   */
  private async setPartnerPort(slave: string, up: boolean): Promise<void> {
    const nic = partnerNicFor(slave);
    if (up) {
      await ipIn(this.namespace, ['link', 'set', nic.tap, 'carrier', 'on']);
      await qmpOnce(this.partnerFiles.qmpSocket, 'set_link', { name: nic.netdevId, up: true });
    } else {
      await qmpOnce(this.partnerFiles.qmpSocket, 'set_link', { name: nic.netdevId, up: false });
      await ipIn(this.namespace, ['link', 'set', nic.tap, 'carrier', 'off']);
    }
  }

  /**
   * Moves both slaves' cables to the LACP partner's ports (an 802.3ad port-channel) or to the bridge (plain switch
   * ports), as an engineer re-cables a host between an LACP port-channel and ordinary ports; the partner's ports
   * are dark while no cable ends there. Needs a lab brought up with --lacp (LabError otherwise). A pulled cable
   * stays pulled. Returns the cabling read back from the namespace; LabError when it is not what was asked.
   */
  async cable(to: Cabling, log: Log = () => undefined): Promise<Cabling> {
    return this.withLock(`lab cable ${to}`, async () => {
      const state = await this.requireState();
      if (!state.lacp) {
        throw new LabError('error.lab.noPartner', { instance: this.instance, command: this.command('up --lacp') });
      }
      const from = this.cablingOf(state);
      const partnerUp = !!(await this.partnerPid());
      for (const slave of LAB_SLAVES) {
        const pulled = state.pulled.includes(slave);
        if (to === 'bridge' && partnerUp) await this.setPartnerPort(slave, false);
        await cableSlave(this.namespace, slave, to, { pulled });
        if (to === 'partner' && partnerUp && !pulled && !state.poweredOff) await this.setPartnerPort(slave, true);
      }
      state.cabling = to;
      await this.writeState(state);
      for (const slave of LAB_SLAVES) {
        const now = await readCabling(this.namespace, slave);
        if (now !== to) {
          throw new LabError('error.lab.recabled', {
            slave,
            to: { key: `error.lab.cabling.${to}` },
            now: { key: `error.lab.cabling.${now}` },
          });
        }
      }
      if (from !== to) {
        log({
          key: 'log.lab.recabled',
          vars: { instance: this.instance, from: { key: `log.lab.end.${from}` }, to: { key: `log.lab.end.${to}` } },
        });
      }
      return to;
    });
  }

  /**
   * A faithful cable pull: the guest NIC (QMP set_link) and the switch port (the tap; with --lacp also the
   * partner's NIC and tap) lose carrier at the same instant, as when a real cable is pulled. Everything is
   * connected and started first, then both cuts are sent in the same turn of the event loop: the ends go down
   * within about a millisecond of each other (starting `ip` after QMP used to leave the switch port up for
   * 10–500 ms, so the bridge kept forwarding to a dead cable). Returns when each end went down, on the wall clock.
   *
   * `linkDownMs` models the host NIC's PHY: a real PHY reports the loss of its link partner only after its
   * link-fail time (IEEE 802.3 clause 40 1000BASE-T: 350 ms as master, 750 ms as slave; PHYs with "fast link
   * down" — ethtool's fast-link-down PHY tunable — in 0–10 ms; a phylib driver without a PHY interrupt polls once
   * a second on top). Until then the driver keeps carrier and the bond keeps using the slave: what it sends there is
   * lost on the dead cable (the switch port is already disabled). QMP set_link tells the guest at once, as a PHY with
   * fast link down would; with linkDownMs > 0 the switch end goes first and the guest's NIC that much later.
   * 0 (default) cuts both ends together. RangeError outside 0–LINK_DOWN_MAX_MS.
   */
  async pull(slave: string, options: { linkDownMs?: number } = {}): Promise<CablePullTiming> {
    const linkDownMs = options.linkDownMs ?? 0;
    if (!Number.isInteger(linkDownMs) || linkDownMs < 0 || linkDownMs > LINK_DOWN_MAX_MS) {
      throw new RangeError(`link-down time ${linkDownMs} ms: use a whole number of ms from 0 to ${LINK_DOWN_MAX_MS}`);
    }
    const nic = labSlave(slave);
    return this.withLock(`lab pull ${slave}`, async () => {
      const state = await this.requireState();
      const guest = await QmpClient.open(this.files.qmpSocket);
      const toPartner = this.cablingOf(state) === 'partner';
      const partnerNic = toPartner ? partnerNicFor(nic.guestName) : undefined;
      const partner = partnerNic ? await QmpClient.open(this.partnerFiles.qmpSocket) : undefined;
      try {
        const ip = await armedIp(this.namespace);
        const taps = [nic.tap, ...(partnerNic ? [partnerNic.tap] : [])];
        const startMs = nowMs();
        // A switch stops sending to a port and forgets the MACs it learned there the moment its link drops;
        // Linux's bridge hears of a tap's carrier only through linkwatch, up to a second later, and kept sending
        // to the dead cable (floods such as the bond's gratuitous ARP too). So the port is disabled (state 0:
        // br_flood and unicast forwarding skip it) and its learned MACs flushed in the same instant; plug
        // enables it again. The LACP lab joins taps without a bridge.
        const switchSide = ip.fire(
          taps.flatMap((tap) => [
            ['link', 'set', tap, 'carrier', 'off'],
            ...(toPartner
              ? []
              : [
                  ['link', 'set', 'dev', tap, 'type', 'bridge_slave', 'state', '0'],
                  ['link', 'set', 'dev', tap, 'type', 'bridge_slave', 'fdb_flush'],
                ]),
          ]),
        );
        const partnerSide = partner?.execute('set_link', { name: partnerNic!.netdevId, up: false });
        let hostStartMs = startMs;
        const hostSide = (
          linkDownMs > 0
            ? Promise.all([switchSide, partnerSide]).then(async () => {
                await sleep(Math.max(0, startMs + linkDownMs - nowMs()));
                hostStartMs = nowMs();
              })
            : Promise.resolve()
        )
          .then(() => guest.execute('set_link', { name: nic.netdevId, up: false }))
          .then(() => nowMs());
        const [hostEndMs, switchEndMs] = await Promise.all([hostSide, switchSide, partnerSide]);
        state.pulled = [...new Set([...state.pulled, nic.guestName])];
        await this.writeState(state);
        return { hostCarrierOffMs: [hostStartMs, hostEndMs], switchCarrierOffMs: [startMs, switchEndMs] };
      } finally {
        guest.close();
        partner?.close();
      }
    });
  }

  async plug(slave: string): Promise<void> {
    const nic = labSlave(slave);
    await this.withLock(`lab plug ${slave}`, async () => {
      const state = await this.requireState();
      const toPartner = this.cablingOf(state) === 'partner';
      if (toPartner) await this.setPartnerPort(nic.guestName, true);
      await ipIn(this.namespace, ['link', 'set', nic.tap, 'carrier', 'on']);
      // Forwarding again at once (the pull disabled the bridge port; linkwatch would take up to a second).
      if (!toPartner) await ipIn(this.namespace, ['link', 'set', 'dev', nic.tap, 'type', 'bridge_slave', 'state', '3']);
      await qmpOnce(this.files.qmpSocket, 'set_link', { name: nic.netdevId, up: true });
      state.pulled = state.pulled.filter((s) => s !== nic.guestName);
      await this.writeState(state);
    });
  }

  /**
   * Warm reboot (QMP system_reset); with wait, resolves with the time until SSH answers again (ms).
   * Under TCG a system_reset now and then never gets the guest back (the console stays silent for minutes, seen
   * once in a clean CI run): a guest not answering SSH after half the timeout is power-cycled (QEMU restarted,
   * the /etc disk kept), as a lab hand would, and the power-cycle is logged. Throws LabError when even that fails.
   */
  async reset(options: { wait?: boolean; timeoutMs?: number; log?: Log } = {}): Promise<number | undefined> {
    return this.withLock('lab reset', async () => {
      const state = await this.requireState();
      const started = performance.now();
      await qmpOnce(this.files.qmpSocket, 'system_reset');
      // A reset re-plugs nothing on the switch side; the guest's NICs come back with their QMP link state.
      if (!options.wait) return undefined;
      await sleep(500);
      const timeoutMs = options.timeoutMs ?? (state.accel === 'kvm' ? 60_000 : 120_000);
      try {
        await this.waitForSsh(started + timeoutMs / 2);
      } catch (error) {
        const line = {
          key: 'log.lab.resetSilent',
          vars: { seconds: Math.round(timeoutMs / 2000), error: textLine((error as Error).message.split('\n')[0]!) },
        };
        (options.log ?? ((part) => process.stderr.write(`lab ${this.instance}: ${logText('en', part)}\n`)))(line);
        const pid = await this.qemuPid();
        if (pid) await stopQemu(pid, this.files.qmpSocket, this.processName);
        state.pulled = [];
        state.bootMs = await this.powerOn(state, timeoutMs, options.log ?? (() => undefined));
        state.poweredOff = false;
        await this.writeState(state);
      }
      return Math.round(performance.now() - started);
    });
  }

  /** Power: off stops QEMU (the disk stays), on starts it again, cycle does both. */
  async power(action: 'on' | 'off' | 'cycle', log: Log = () => undefined): Promise<number | undefined> {
    assertRoot();
    return this.withLock(`lab power ${action}`, async () => {
      const state = await this.readState();
      if (!state || !(await namespaceExists(this.namespace))) {
        throw new LabError('error.lab.notSetUp', { instance: this.instance });
      }
      if (action === 'off' || action === 'cycle') {
        const pid = await this.qemuPid();
        if (pid) await stopQemu(pid, this.files.qmpSocket, this.processName);
        // A powered-off host has no carrier; the taps stay for the next power-on. The partner (the switch) stays
        // on and sees its ports to the host go dark.
        if (state.lacp && (await this.partnerPid())) {
          for (const slave of LAB_SLAVES) await this.setPartnerPort(slave, false);
        }
        state.pulled = [];
        state.poweredOff = true;
        await this.writeState(state);
      }
      if (action === 'on' || action === 'cycle') {
        if (await this.qemuPid()) return undefined;
        state.bootMs = await this.powerOn(state, undefined, log);
        state.poweredOff = false;
        await this.writeState(state);
        return state.bootMs;
      }
      return undefined;
    });
  }

  /** Starts the host again after power off; with --lacp, the partner's ports to it come back once it runs. */
  private async powerOn(state: LabState, bootTimeoutMs: number | undefined, log: Log): Promise<number> {
    if (state.lacp && !(await this.partnerPid()))
      state.partnerBootMs = await this.bootPartner(state, bootTimeoutMs, log);
    const bootMs = await this.startQemu(state, bootTimeoutMs, log);
    if (this.cablingOf(state) === 'partner') for (const slave of LAB_SLAVES) await this.setPartnerPort(slave, true);
    return bootMs;
  }

  /**
   * Hangs the guest as a kernel that locked up would: QMP `stop` halts its CPUs, its NICs keep carrier, SSH stops
   * answering, and only a power-cycle (power off/on, which restarts QEMU) brings it back. For fault tests.
   */
  async hang(): Promise<void> {
    await this.requireState();
    await qmpOnce(this.files.qmpSocket, 'stop');
  }

  async powerState(): Promise<'on' | 'off'> {
    return (await this.qemuPid()) ? 'on' : 'off';
  }

  get consoleLog(): string {
    return this.files.consoleLog;
  }
}
