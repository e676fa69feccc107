/**
 * HostControl: the host under test as the bench drives it — one SSH connection, a read-only probe, bonding
 * configured through a backend (runtime or netifrc) with backups and management-path protection, restore, and
 * reboot with a commit-confirmed rollback. The CLI's `bondbench host …` and the engine both use this class.
 */
import { parseIpLinkJson } from '../../shared/bonding/iplink.js';
import type { BondConfig, BondRequest } from '../../shared/bonding/options.js';
import { type ProcBondStatus, parseProcBonding } from '../../shared/bonding/procfs.js';
import { assertInterfaceName, shellCommand, shellQuote } from '../../shared/net/names.js';
import type { ConfStyle } from '../../shared/netifrc/editor.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { VirtualLab } from '../lab/lab.js';
import { connectSsh, type SshConnectPolicy } from '../ssh/connect.js';
import type { ExecResult, SshSession } from '../ssh/session.js';
import type { ApplyResult, BackendKind, BondBackend, BondPlan, RestoreResult, VerifyResult } from './backend.js';
import { type HostContext, NetifrcBackend, RuntimeBackend } from './backends.js';
import {
  BackupError,
  type BackupManifest,
  chooseBackupRoot,
  clearBaseline,
  firstLocalManifest,
  readManifest,
  readPointer,
  restoreFiles,
} from './backup.js';
import { RemoteCommandError, type RunOptions, SshRemote } from './remote.js';
import { type ArmedRollback, armRollback, confirmRollback, type RollbackStatus, rollbackStatus } from './rollback.js';
import { configFromState, removeBondScript, runRuntimeScript, runtimeScript } from './runtime.js';
import {
  countersOf,
  type HostProbe,
  type InterfaceCounters,
  type LiveBondState,
  type ManagementPath,
  parseSysClassNet,
  probeHost,
  readBootId,
  readLiveBondState,
  readManagementPath,
  sysfsGrep,
} from './system.js';
import { type HostTarget, parseHostTarget } from './target.js';
import { type HostBack, waitForHost } from './wait.js';

const LINKS_COMMAND = 'ip -j -d addr show';

/** Every statistics file of these (validated) interfaces, as path:value lines. */
function countersCommand(names: string[]): string {
  return names.length ? sysfsGrep(names.map((n) => `/sys/class/net/${shellQuote(n)}/statistics/*`)) : 'true';
}

function countersByName(names: string[], output: string): Record<string, InterfaceCounters> {
  const files = parseSysClassNet(output);
  // Keyed by interface names from the plan: no prototype, so `constructor` or `__proto__` are just names.
  const out: Record<string, InterfaceCounters> = Object.create(null);
  for (const name of names) out[name] = countersOf(files.get(name));
  return out;
}

export interface HostControlOptions extends SshConnectPolicy {
  /** Non-root logins: run privileged steps with `sudo -n` (needs a NOPASSWD rule). */
  sudo?: boolean;
  /** Where backups live on the host; default /var/lib/bondbench, or /etc/bondbench where /var/lib is in RAM. */
  backupRoot?: string;
}

export interface RebootOptions {
  /** Wait for SSH to come back (default true). */
  wait?: boolean;
  /** Give up waiting after this long (default 180 s). */
  timeoutMs?: number;
  /** Arm a commit-confirmed rollback first: previous files back and reboot unless confirmed within N s of boot. */
  rollbackSeconds?: number;
  /** The backup a rollback returns to; default the last one taken. */
  rollbackBackupId?: string;
  /** The boot id the caller has just read (saves reading it again); read when omitted. */
  previousBootId?: string;
}

export interface RebootResult {
  previousBootId: string;
  /** performance.now() when the reboot command was sent. */
  sentAt: number;
  /** Command sent → the SSH connection was seen to drop. */
  dropDetectedMs?: number;
  /** Command sent → SSH answered again on the new boot. */
  bootMs?: number;
  bootId?: string;
  attempts?: number;
  rollback?: ArmedRollback;
}

type Connector = (readyTimeoutMs: number) => Promise<SshSession>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The reboot command waits this long (s) before rebooting, so that it returns with a clean exit status first: part
 * of every measured SSH reboot's time (from the command sent), and the bench's, not the host's.
 */
export const REBOOT_COMMAND_DELAY_S = 1;

export class HostControl implements HostContext {
  private managementCache?: ManagementPath;
  private rootCache?: string;

  private constructor(
    readonly target: HostTarget,
    private readonly connector: Connector,
    readonly remote: SshRemote,
    private readonly options: HostControlOptions,
  ) {}

  /** Connects to a target: "lab", "lab:<instance>", user@host[:port] or an ssh_config Host alias. */
  static async open(target: string | HostTarget, options: HostControlOptions = {}): Promise<HostControl> {
    const parsed = typeof target === 'string' ? parseHostTarget(target) : target;
    let connector: Connector;
    if (parsed.kind === 'lab') {
      const lab = new VirtualLab(parsed.instance);
      connector = (readyTimeoutMs) => lab.ssh({ readyTimeoutMs });
    } else {
      connector = async (readyTimeoutMs) =>
        (await connectSsh({ user: parsed.user, host: parsed.host, port: parsed.port }, { ...options, readyTimeoutMs }))
          .session;
    }
    const session = await connector(options.readyTimeoutMs ?? 20_000);
    try {
      const remote = await SshRemote.open(session, { sudo: options.sudo });
      return new HostControl(parsed, connector, remote, options);
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** Opens a control on an existing session (e.g. the engine already holds one). */
  static async fromSession(
    target: HostTarget,
    session: SshSession,
    connector: Connector,
    options: HostControlOptions = {},
  ): Promise<HostControl> {
    return new HostControl(target, connector, await SshRemote.open(session, { sudo: options.sudo }), options);
  }

  get label(): string {
    return this.remote.label;
  }

  get session(): SshSession {
    return this.remote.sshSession;
  }

  log(part: ReasonPart): void {
    this.options.log?.(part);
  }

  /** Runs a script built from validated values (see shared/net/names.ts). */
  exec(script: string, options: RunOptions = {}): Promise<ExecResult> {
    return this.remote.run(script, options);
  }

  /** Runs one command given as words; each word is quoted. */
  run(words: string[], options: RunOptions = {}): Promise<ExecResult> {
    return this.remote.run(shellCommand(words), options);
  }

  probe(): Promise<HostProbe> {
    return probeHost(this.remote, this.target.text);
  }

  async managementPath(): Promise<ManagementPath> {
    this.managementCache ??= await readManagementPath(this.remote);
    return this.managementCache;
  }

  async backupRoot(): Promise<string> {
    this.rootCache ??= this.options.backupRoot ?? (await chooseBackupRoot(this.remote));
    return this.rootCache;
  }

  bootId(): Promise<string> {
    return readBootId(this.remote);
  }

  backend(kind: BackendKind): BondBackend {
    return kind === 'netifrc' ? new NetifrcBackend(this) : new RuntimeBackend(this);
  }

  plan(request: BondRequest, options: { backend?: BackendKind; style?: ConfStyle } = {}): Promise<BondPlan> {
    return this.backend(options.backend ?? 'runtime').plan(request, { style: options.style });
  }

  apply(plan: BondPlan, options: { runDir?: string; current?: LiveBondState } = {}): Promise<ApplyResult> {
    return this.backend(plan.backend).apply(plan, options);
  }

  verify(plan: BondPlan, options: { live?: boolean } = {}): Promise<VerifyResult> {
    return this.backend(plan.backend).verify(plan, options);
  }

  /**
   * plan → apply → verify (netifrc: files only; the bond follows at the next boot). The plan's own reading of the
   * host, taken just before, is the state apply checks and backs up (no second read of the same thing); onApplied
   * is called between apply and verify.
   */
  async configure(
    request: BondRequest,
    options: { backend?: BackendKind; style?: ConfStyle; runDir?: string; onApplied?: () => void } = {},
  ): Promise<{ plan: BondPlan; applied: ApplyResult; verified: VerifyResult }> {
    const plan = await this.plan(request, options);
    const applied = await this.apply(plan, { runDir: options.runDir, current: plan.before });
    options.onApplied?.();
    const verified = await this.verify(plan);
    return { plan, applied, verified };
  }

  /** The bond as /proc/net/bonding/<bond> shows it now. */
  async bondStatus(bond = 'bond0'): Promise<ProcBondStatus> {
    const name = assertInterfaceName(bond, 'bond');
    const result = await this.remote.run(`cat ${shellQuote(`/proc/net/bonding/${name}`)}`);
    if (result.code !== 0) throw new RemoteCommandError(this.label, `reading /proc/net/bonding/${name}`, result);
    return this.parseBondStatus(name, result.stdout);
  }

  private parseBondStatus(bond: string, text: string): ProcBondStatus {
    return parseProcBonding(text, `/proc/net/bonding/${bond} on ${this.label}`);
  }

  /** `ip -j -d link show`, parsed. */
  async links() {
    const result = await this.remote.runOk('listing interfaces', LINKS_COMMAND);
    return this.parseLinks(result.stdout);
  }

  private parseLinks(json: string) {
    return parseIpLinkJson(json, `${LINKS_COMMAND} on ${this.label}`);
  }

  /** TX/RX counters of interfaces (/sys/class/net/X/statistics), e.g. the slaves before and after a ping. */
  async counters(names: string[]): Promise<Record<string, InterfaceCounters>> {
    const checked = names.map((n) => assertInterfaceName(n));
    const result = await this.remote.runOk('reading interface counters', countersCommand(checked));
    return countersByName(checked, result.stdout);
  }

  /**
   * Each interface's link as sysfs has it, one grep, no ip process (cheap to poll): `carrier`, /sys/class/net/<if>/
   * carrier is 1 (what ip shows as LOWER_UP; an interface down or absent has none), and `operstate` (RFC 2863: 'up',
   * 'down', 'dormant'…; what `ip -br` shows). operstate follows carrier only once the kernel's linkwatch has run,
   * which batches non-urgent changes to once a second (net/core/link_watch.c): a bond can have carrier and still be
   * DOWN to the stack for up to ~1 s. Absent interfaces read as no carrier and operstate ''.
   */
  async linkStates(names: string[]): Promise<Map<string, { carrier: boolean; operstate: string }>> {
    const checked = names.map((n) => assertInterfaceName(n));
    const files = checked.flatMap((n) => [
      `/sys/class/net/${shellQuote(n)}/carrier`,
      `/sys/class/net/${shellQuote(n)}/operstate`,
    ]);
    const result = await this.remote.runOk('reading carrier', `grep -H '' ${files.join(' ')} 2>/dev/null; true`);
    const sys = parseSysClassNet(result.stdout);
    return new Map(
      checked.map((n) => [n, { carrier: sys.get(n)?.carrier === '1', operstate: sys.get(n)?.operstate ?? '' }]),
    );
  }

  /**
   * A step's reading of the host in one command, one SSH round trip, one process on the host (`grep`, where
   * `ip -j -d addr show` costs an emulated guest several times as much): the bond's and slaves' current MAC and
   * carrier (/sys/class/net/<if>/address, carrier: what ip shows as the link address and LOWER_UP), the slaves'
   * counters (as counters()) and /proc/net/bonding/<bond> (as bondStatus(); undefined where that would throw).
   * Where the bond's status does not list every slave (no bond: standalone), links come from links() instead, so
   * each slave's permanent MAC is what ip or the driver reports, as before.
   */
  async snapshot(
    bond: string,
    slaves: string[],
  ): Promise<{
    links: Pick<ReturnType<typeof parseIpLinkJson>[number], 'name' | 'mac' | 'permanentMac' | 'carrier'>[];
    counters: Record<string, InterfaceCounters>;
    status?: ProcBondStatus;
  }> {
    const name = assertInterfaceName(bond, 'bond');
    const checked = slaves.map((n) => assertInterfaceName(n));
    const proc = `/proc/net/bonding/${name}`;
    const files = [name, ...checked].flatMap((n) => [
      `/sys/class/net/${shellQuote(n)}/address`,
      `/sys/class/net/${shellQuote(n)}/carrier`,
    ]);
    // `carrier` of an interface that is down cannot be read (EINVAL): no line, no carrier, as ip says.
    const result = await this.remote.runOk(
      'reading interfaces, counters and the bond',
      `grep -H '' ${files.join(' ')} ${checked.map((n) => `/sys/class/net/${shellQuote(n)}/statistics/*`).join(' ')} ${shellQuote(proc)} 2>/dev/null; true`,
    );
    const lines = result.stdout.split('\n');
    const procLines = lines.filter((l) => l.startsWith(`${proc}:`)).map((l) => l.slice(proc.length + 1));
    let status: ProcBondStatus | undefined;
    if (procLines.length) {
      try {
        status = this.parseBondStatus(name, `${procLines.join('\n')}\n`);
      } catch {
        status = undefined;
      }
    }
    const sys = parseSysClassNet(result.stdout);
    const counters = countersByName(checked, result.stdout);
    if (!status || checked.some((slave) => !status!.slaves.some((s) => s.name === slave))) {
      return { links: await this.links(), counters, status };
    }
    const links = [name, ...checked].flatMap((n) => {
      const f = sys.get(n);
      if (f?.address === undefined) return [];
      return [{ name: n, mac: f.address.toLowerCase(), carrier: f.carrier === '1' }];
    });
    return { links, counters, status };
  }

  /**
   * Puts the host back as BondBench found it: the files of the baseline backup byte for byte (from the host's
   * copy, or the run folder's), then the bond's live state (or no bond, if there was none).
   */
  async restore(options: { runDir?: string } = {}): Promise<RestoreResult> {
    const root = await this.backupRoot();
    let manifest: BackupManifest | undefined;
    let local: { dir: string } | undefined;
    const id = await readPointer(this.remote, root, 'baseline');
    if (id) manifest = await readManifest(this.remote, root, id);
    if (options.runDir) {
      const found = await firstLocalManifest(options.runDir, this.label);
      if (found && (!manifest || found.manifest.id === manifest.id)) {
        manifest ??= found.manifest;
        local = { dir: found.dir };
      }
    }
    if (!manifest) {
      throw options.runDir
        ? new BackupError('nothingToRestoreRun', { label: this.label, root, runDir: options.runDir })
        : new BackupError('nothingToRestore', { label: this.label, root });
    }
    // A rollback still armed (a netifrc apply never confirmed: the host hung, the bench was stopped) would reboot
    // the host into older files after this restore: the baseline goes back now, so disarm it first.
    if (await this.confirm()) this.log({ key: 'log.host.disarmed', vars: { host: this.label } });
    const { files, source } = manifest.entries.length
      ? await restoreFiles(this.remote, manifest, local)
      : { files: [] as string[], source: 'host' as const };
    const state = manifest.bondState;
    const standalone = Object.entries(state.interfaces)
      .filter(([name, iface]) => iface.exists && !(state.slaves ?? []).includes(name) && name !== state.bond)
      .map(([name, iface]) => ({ name, up: iface.up, addresses: iface.addresses }));
    let bondState: RestoreResult['bondState'];
    if (state.exists) {
      const config = configFromState(state);
      const script = runtimeScript({
        config,
        addresses: state.addresses ?? [],
        routes: state.routes ?? [],
        standalone,
      });
      await runRuntimeScript(this.remote, script, `restoring ${state.bond}`);
      if (!state.up)
        await this.remote.runOk(`taking ${state.bond} down`, `ip link set dev ${shellQuote(state.bond)} down`, {
          privileged: true,
        });
      else await this.awaitBondCarrier(config);
      bondState = 'restored';
    } else {
      const now = await readLiveBondState(this.remote, state.bond);
      if (now.exists) {
        await runRuntimeScript(this.remote, removeBondScript(state.bond, standalone), `removing ${state.bond}`);
        bondState = 'removed';
      } else bondState = 'unchanged';
    }
    await clearBaseline(this.remote, root, manifest.id);
    this.managementCache = undefined;
    return { backupId: manifest.id, files, bondState, source };
  }

  /**
   * After a rebuild, waits until the bond is up again, as it was before the run: a slave counts once its MII
   * monitor sees it up (up to one miimon tick, then updelay; bonding.rst §3.1 "miimon", "updelay"), or its ARP
   * monitor does (arp_interval), and the bond's operstate follows its carrier once linkwatch runs (≤ ~1 s,
   * net/core/link_watch.c). Returns at once when no slave has carrier (cables out: nothing to wait for). Polled
   * every 100 ms for 2 × (miimon or arp_interval) + updelay + 2000 ms at most; a bond still not up then is logged,
   * not an error: its configuration is back, its links are the cables' business.
   */
  private async awaitBondCarrier(config: BondConfig): Promise<void> {
    const monitor = config.miimon || config.arp_interval || 0;
    const budgetMs = 2 * monitor + config.updelay * (config.miimon ? 1 : 0) + 2000;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const links = await this.linkStates([config.bond, ...config.slaves]);
      // Up to the stack (operstate), not only carrier: linkwatch marks the bond up up to ~1 s after its carrier.
      if (links.get(config.bond)?.operstate === 'up') return;
      if (!config.slaves.some((slave) => links.get(slave)?.carrier)) return;
      if (Date.now() >= deadline) {
        this.log({ key: 'log.host.noCarrier', vars: { host: this.label, bond: config.bond, ms: budgetMs } });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Arms a commit-confirmed rollback to a backup (default: the last one, i.e. the config before the last change). */
  async armRollback(seconds: number, backupId?: string): Promise<ArmedRollback> {
    const root = await this.backupRoot();
    const id = backupId ?? (await readPointer(this.remote, root, 'last'));
    if (!id) throw new BackupError('noRollbackBackup', { label: this.label });
    const manifest = await readManifest(this.remote, root, id);
    if (!manifest) throw new BackupError('missing', { label: this.label, id, root });
    return armRollback(this.remote, manifest, root, seconds);
  }

  /** Confirms the running configuration: disarms a waiting rollback. Returns whether one was armed. */
  confirm(): Promise<boolean> {
    return confirmRollback(this.remote);
  }

  async rollbackStatus(): Promise<RollbackStatus> {
    return rollbackStatus(this.remote, await this.backupRoot());
  }

  /** Waits for the host to answer SSH on a new boot and switches this control to the new connection. */
  async waitForHost(options: { timeoutMs?: number; previousBootId?: string; sentAt?: number } = {}): Promise<HostBack> {
    const back = await waitForHost(this.label, this.connector, {
      deadline: performance.now() + (options.timeoutMs ?? 180_000),
      sentAt: options.sentAt,
      previousBootId: options.previousBootId,
      log: (part) => this.log(part),
    });
    if (this.session !== back.session) this.session.close();
    this.remote.replaceSession(back.session);
    this.managementCache = undefined;
    return back;
  }

  /**
   * Reboots the host. With rollbackSeconds, a rollback is armed first (and the reboot refused where the host
   * has no way to arm one). With wait, returns once SSH answers on the new boot, with the times measured.
   */
  async reboot(options: RebootOptions = {}): Promise<RebootResult> {
    const previousBootId = options.previousBootId ?? (await this.bootId());
    let rollback: ArmedRollback | undefined;
    if (options.rollbackSeconds !== undefined)
      rollback = await this.armRollback(options.rollbackSeconds, options.rollbackBackupId);
    const session = this.session;
    let droppedAt: number | undefined;
    const dropped = new Promise<void>((resolve) =>
      session.onClose(() => {
        droppedAt = performance.now();
        resolve();
      }),
    );
    const sentAt = performance.now();
    // Detached, so the command returns before the host goes down and the exit status is clean.
    await this.remote.runOk(
      'sending reboot',
      `sync; if command -v setsid >/dev/null; then setsid sh -c "sleep ${REBOOT_COMMAND_DELAY_S}; reboot" </dev/null >/dev/null 2>&1 & else (sleep ${REBOOT_COMMAND_DELAY_S}; reboot) </dev/null >/dev/null 2>&1 & fi`,
      { privileged: true },
    );
    this.log({ key: 'log.host.rebootSent', vars: { host: this.label } });
    if (options.wait === false) return { previousBootId, sentAt, rollback };
    const timeoutMs = options.timeoutMs ?? 180_000;
    const deadline = sentAt + timeoutMs;
    await Promise.race([dropped, sleep(Math.min(60_000, timeoutMs))]);
    if (droppedAt === undefined) {
      // Keepalive did not fire yet: the host may be up already on a fast machine; the boot id decides.
      session.close();
    }
    const back = await this.waitForHost({ timeoutMs: deadline - performance.now(), previousBootId, sentAt });
    return {
      previousBootId,
      sentAt,
      dropDetectedMs: droppedAt === undefined ? undefined : Math.round(droppedAt - sentAt),
      bootMs: back.bootMs,
      bootId: back.bootId,
      attempts: back.attempts,
      rollback,
    };
  }

  close(): void {
    this.session.close();
  }
}
