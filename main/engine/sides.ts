/**
 * Connects what a plan names: the host over SSH (HostControl), the tester agent, and the power and link drivers —
 * the lab being one more implementation of each.
 */

import { mismatchPart } from '../../shared/bonding/options.js';
import type { ProcBondStatus } from '../../shared/bonding/procfs.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { bondMonitors, sayReason } from '../../shared/oracle/failover.js';
import { judgeLacp } from '../../shared/oracle/lacp.js';
import {
  type ApplyMethod,
  DEFAULT_REBOOT_SECONDS,
  type ModeName,
  modeOptions,
  modeRequest,
  type Plan,
} from '../../shared/plan/plan.js';
import type { LogSink } from '../../shared/run/log.js';
import type { BootRecord, HostFacts, HostReading, PersistedCheck, ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import {
  createLinkDriver,
  createPowerDriver,
  createSwitchDriver,
  type LinkDriver,
  type PowerDriver,
  type SwitchDriver,
} from '../drivers/index.js';
import { type BondPlan, VerifyError } from '../host/backend.js';
import { CONF_NET, checkStandaloneSafety, netifrcLinkPaths } from '../host/backends.js';
import { takeBackup } from '../host/backup.js';
import { HostControl } from '../host/control.js';
import { removeBondScript, runRuntimeScript } from '../host/runtime.js';
import { readLiveBondState } from '../host/system.js';
import { parseHostTarget } from '../host/target.js';
import { HostDidNotReturnError } from '../host/wait.js';
import { runLabLoad } from '../lab/load.js';
import { bootHost, type RunStopError, recoverHost, stopsRun } from './boot.js';
import type { ApplyOutcome, BootOptions, HostSide, LoadSide, TesterSide, WatchdogOptions } from './ports.js';
import { AgentTesterSide } from './tester-side.js';

/** How long a dropped SSH connection may take to open again before the step that needs it fails. */
const RECONNECT_MS = 30_000;
/** A command cut off by a dropped connection fails before ssh2 has closed the session: how long to wait for that, ms. */
const DROP_NOTICE_MS = 2_000;

/** Files the bench may change on the host for a bond: what a baseline backup saves and a restore puts back. */
function persistentFiles(bond: string): string[] {
  const links = netifrcLinkPaths(bond);
  return [CONF_NET, links.init, links.runlevel];
}

function lacpReading(status: ProcBondStatus, aggregators: number): HostReading['lacp'] {
  const judgement = judgeLacp(status);
  return {
    partnerMac: status.ad?.activeAggregator?.partnerMac,
    aggregators,
    lacpRate: status.ad?.lacpRate,
    negotiated: judgement.negotiated,
    outcome: judgement.outcome,
    reason: judgement.reason,
    reasonParts: judgement.reasonParts,
  };
}

/**
 * The host stopped answering SSH in the middle of a step and the watchdog power-cycled it back: the step's
 * measurement is lost, and so is the mode's runtime configuration (the engine skips the mode's other steps).
 */
export class HostPowerCycledError extends SaidError {
  readonly endsMode = true;
  constructor(
    label: string,
    /** The watchdog's boot, for the step's record. */
    readonly boot: BootRecord,
  ) {
    super('HostPowerCycledError', 'error.runStop.powerCycled', {
      label,
      driver: boot.driver ?? { key: 'error.runStop.thePowerDriver' },
      after: boot.bootMs === undefined ? '' : { key: 'error.runStop.afterPowerOn', vars: { ms: boot.bootMs } },
    });
  }
}

export class SshHostSide implements HostSide {
  private baselineTaken = false;
  /** What the last netifrc bring-up wrote, to read the bond back against after later boots of that mode. */
  private written?: { mode: ModeName; plan: BondPlan };
  private runDir?: string;
  /** How a host that stays silent after a dropped connection is power-cycled (set by the engine for a run). */
  private watchdog?: WatchdogOptions;
  /** The watchdog gave up on the host: every later command fails with this at once. */
  private lost?: RunStopError;

  constructor(
    readonly control: HostControl,
    /** The plan's timeouts.rebootSeconds in ms; each boot gets it in its BootOptions from the engine. */
    readonly rebootTimeoutMs: number,
    /** The plan's bond.name: the bond the baseline saves and the link check reads. */
    private readonly bond: string,
  ) {}

  async facts(): Promise<HostFacts> {
    const probe = await this.control.probe();
    return {
      target: probe.target,
      kernel: probe.kernel,
      distribution: probe.distribution.prettyName ?? probe.distribution.name ?? 'unknown',
      nics: probe.interfaces
        .filter((i) => i.mac && i.kind !== 'bond' && i.name !== 'lo')
        .map((i) => ({
          name: i.name,
          mac: i.mac!,
          permanentMac: i.permanentMac,
          speedMbps: i.speedMbps ?? undefined,
        })),
    };
  }

  async saveOriginal(runDir: string): Promise<void> {
    this.runDir = runDir;
    const remote = this.control.remote;
    // Two independent reads, at once.
    const [root, bondState] = await Promise.all([this.control.backupRoot(), readLiveBondState(remote, this.bond)]);
    await takeBackup(remote, {
      root,
      host: this.control.label,
      backend: 'runtime',
      reason: 'BondBench run: the host as found',
      paths: persistentFiles(this.bond),
      bondState,
      runDir,
    });
    this.baselineTaken = true;
  }

  /** Power-cycles a host that stopped answering SSH mid-run (see connected); without it such a host fails steps. */
  setWatchdog(options: WatchdogOptions): void {
    this.watchdog = options;
  }

  /**
   * A dropped SSH connection (sshd restarted, a reset, the keepalive giving up on a cut management link) is opened
   * again before the next command, waiting up to RECONNECT_MS for the host to answer. A host that stays away
   * (its SSH server killed, hung) is power-cycled by the watchdog (recoverHost, timeouts.powerCycles): once back,
   * the step fails with HostPowerCycledError, since whatever the run had set up at runtime died with the power;
   * `during: 'restore'` goes on instead. When the watchdog gives up, its RunStopError stops the run.
   */
  private async connected(during: 'step' | 'restore' = 'step'): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.control.session?.isOpen !== false) return;
    this.control.log({ key: 'log.host.reconnecting', vars: { host: this.control.label } });
    const started = performance.now();
    try {
      await this.control.waitForHost({ timeoutMs: RECONNECT_MS });
      return;
    } catch (error) {
      if (!(error instanceof HostDidNotReturnError) || !this.watchdog) throw error;
      let boot: BootRecord;
      try {
        boot = await recoverHost(this.control, this.watchdog, { error, waitedMs: performance.now() - started });
      } catch (stop) {
        if (stopsRun(stop)) this.lost = stop as RunStopError;
        throw stop;
      }
      if (during === 'restore') return;
      throw new HostPowerCycledError(this.control.label, boot);
    }
  }

  async apply(
    plan: Plan,
    mode: ModeName,
    method: ApplyMethod,
    boot?: BootOptions,
    onUp: () => void = () => undefined,
  ): Promise<ApplyOutcome> {
    await this.connected();
    if (mode === 'standalone') {
      // No bond: the first slave answers on the bond's address, as a lone NIC would.
      const [first, ...rest] = plan.bond.slaves;
      // Guarded like every bonded mode: never flush the interface our SSH session runs over.
      await checkStandaloneSafety(this.control, plan.bond.name, plan.bond.slaves);
      const script = removeBondScript(plan.bond.name, [
        { name: first!, up: true, addresses: [plan.bond.address] },
        ...rest.map((name) => ({ name, up: true, addresses: [] })),
      ]);
      await runRuntimeScript(this.control.remote, script, 'standing the slaves alone');
      onUp();
      return {};
    }
    const request = modeRequest(plan, mode);
    if (method === 'runtime') {
      // configure() reads every option back and throws a VerifyError naming each one that differs.
      const { verified } = await this.control.configure(request, {
        backend: 'runtime',
        runDir: this.runDir,
        onApplied: onUp,
      });
      return { verified: verified.checked };
    }
    const { plan: written } = await this.control.configure(request, {
      backend: 'netifrc',
      style: plan.apply.netifrcStyle,
      runDir: this.runDir,
    });
    this.written = { mode, plan: written };
    if (!boot) {
      // No boot options (a caller outside the engine): reboot over SSH, wait, confirm, read back or throw.
      const reboot = await this.control.reboot({
        wait: true,
        timeoutMs: this.rebootTimeoutMs,
        rollbackSeconds: Math.max(120, Math.ceil(this.rebootTimeoutMs / 1000) + 60),
      });
      await this.control.confirm();
      const live = await this.readBack(written);
      if (live.error) throw live.error;
      return { rebootMs: reboot.bootMs, verified: live.checked };
    }
    // Confirm-or-roll-back: if the bench cannot confirm after the boot, the host returns to what it had; the
    // watchdog's power-cycles get a hung host to the point where the rollback can run.
    const record = await this.boot({
      ...boot,
      rollbackSeconds: Math.max(120, Math.ceil(boot.timeoutMs / 1000) * (boot.powerCycles + 1) + 60),
    });
    onUp();
    // Reachable again: confirm, or the armed rollback would reboot the host in the middle of the next mode.
    await this.control.confirm();
    // The host booted from what was written: the live bond must be what the plan asked, or this bring-up fails
    // saying what differs (the session's restore puts the host back at the end); the boot's record is kept.
    const live = await this.readBack(written);
    record.persisted = {
      matches: !live.mismatch,
      differences: live.differences,
      differenceParts: live.differenceParts,
    };
    return { rebootMs: record.bootMs, verified: live.checked, boot: record, mismatch: live.mismatch };
  }

  /** Boots the host (reboot over SSH or a power-cycle) and waits for it, with the watchdog: see bootHost. */
  async boot(options: BootOptions & { rollbackSeconds?: number }): Promise<BootRecord> {
    await this.connected();
    return bootHost(this.control, options);
  }

  /**
   * The running bond against what the mode's netifrc bring-up wrote (every option, up, address), as after a
   * boot: [] differences when it came up as written.
   */
  async persisted(plan: Plan, mode: ModeName): Promise<PersistedCheck> {
    await this.connected();
    if (mode === 'standalone') return { matches: true, differences: [], differenceParts: [] };
    const written =
      this.written?.mode === mode
        ? this.written.plan
        : await this.control.plan(modeRequest(plan, mode), { backend: 'runtime' });
    const live = await this.readBack(written);
    return { matches: !live.mismatch, differences: live.differences, differenceParts: live.differenceParts };
  }

  private async readBack(written: BondPlan): Promise<{
    checked?: string[];
    differences: string[];
    differenceParts: ReasonPart[];
    mismatch?: string;
    error?: VerifyError;
  }> {
    try {
      const { checked } = await this.control.verify(written, { live: true });
      return { checked, differences: [], differenceParts: [] };
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      const relabelled = new VerifyError(`${this.control.label} after booting from /etc/conf.d/net`, error.mismatches);
      return {
        error: relabelled,
        differences: error.mismatches.map((m) => sayReason('en', [mismatchPart(m)])),
        differenceParts: error.mismatches.map(mismatchPart),
        mismatch: relabelled.message,
      };
    }
  }

  /**
   * The host's links, counters and bond status. Reading changes nothing, so a read cut short by a dropped
   * connection (sshd killed, a reset) is made again once connected() has the host back or the watchdog has acted.
   */
  async read(plan: Plan): Promise<HostReading> {
    try {
      return await this.readOnce(plan);
    } catch (error) {
      if (!(await this.droppedSince())) throw error;
      return this.readOnce(plan);
    }
  }

  /** True once the SSH connection is seen closed, waiting up to DROP_NOTICE_MS for ssh2 to notice. */
  private async droppedSince(): Promise<boolean> {
    const deadline = performance.now() + DROP_NOTICE_MS;
    while (this.control.session?.isOpen !== false) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  private async readOnce(plan: Plan): Promise<HostReading> {
    await this.connected();
    const bond = plan.bond.name;
    // One command, one SSH round trip: each channel costs the host a shell of its own.
    const { links, counters, status } = await this.control.snapshot(bond, plan.bond.slaves);
    const link = (name: string) => links.find((l) => l.name === name);
    const aggregators = new Set(
      status?.slaves.map((s) => s.ad?.aggregatorId).filter((id) => id !== undefined && id !== null),
    );
    return {
      at: new Date().toISOString(),
      bondMode: status?.mode,
      bondMac: status ? link(bond)?.mac : undefined,
      activeSlave: status?.activeSlave ?? undefined,
      miimon: status?.miimonMs,
      slaves: plan.bond.slaves.map((name) => {
        const procSlave = status?.slaves.find((s) => s.name === name);
        const l = link(name);
        return {
          name,
          mac: l?.mac ?? '',
          permanentMac: procSlave?.permanentMac ?? l?.permanentMac ?? l?.mac,
          mii: procSlave?.miiStatus ?? (l?.carrier === false ? 'down' : l ? 'up' : 'absent'),
          linkFailures: procSlave?.linkFailureCount,
          aggregatorId: procSlave?.ad?.aggregatorId ?? undefined,
          txPackets: counters[name]?.txPackets ?? 0,
          rxPackets: counters[name]?.rxPackets ?? 0,
        };
      }),
      lacp: status?.mode === '802.3ad' ? lacpReading(status, aggregators.size) : undefined,
    };
  }

  /** The bonding driver's MII status of a slave; for a NIC in no bond (standalone), its carrier. */
  async miiStatus(slave: string): Promise<'up' | 'down' | 'unknown'> {
    await this.connected();
    const status = await this.control.bondStatus(this.bond).catch(() => undefined);
    const mii = status?.slaves.find((s) => s.name === slave)?.miiStatus;
    if (mii === 'up' || mii === 'down') return mii;
    const link = (await this.control.links()).find((l) => l.name === slave);
    if (!link || link.master) return 'unknown';
    return link.carrier ? 'up' : 'down';
  }

  /** The slave's own carrier as the host's kernel reports it, bond or not. */
  async carrier(slave: string): Promise<'up' | 'down' | 'unknown'> {
    const link = (await this.control.links()).find((l) => l.name === slave);
    if (!link || link.carrier === undefined) return 'unknown';
    return link.carrier ? 'up' : 'down';
  }

  async restore(): Promise<void> {
    if (!this.baselineTaken) return;
    await this.connected('restore');
    await this.control.restore({ runDir: this.runDir });
  }

  async close(): Promise<void> {
    this.control.close();
  }
}

export interface Sides {
  host: HostSide;
  tester: TesterSide;
  link: LinkDriver;
  power: PowerDriver;
  /** The plan's drivers.switch, told each mode before its bring-up; absent when the plan has none. */
  switch?: SwitchDriver;
  /** The tester as many peers for load steps: the lab's namespace only. */
  load?: LoadSide;
  close(): Promise<void>;
}

/** The lab instance a plan's host target points at, if any: the tester agent then runs in its namespace. */
export function labInstanceOf(plan: Plan): string | undefined {
  const target = parseHostTarget(plan.host.target);
  return target.kind === 'lab' ? target.instance : undefined;
}

export async function connectSides(plan: Plan, log: LogSink): Promise<Sides> {
  const instance = labInstanceOf(plan);
  // The host's SSH connection and the tester agent are independent: started at once. A side that came up is
  // closed again when the other failed; the host's error is the one reported when both failed.
  const [opened, started] = await Promise.allSettled([
    HostControl.open(plan.host.target, { sudo: plan.host.sudo, log }),
    AgentTesterSide.start(plan, { netns: instance ? namespaceName(instance) : undefined, log }),
  ]);
  if (opened.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.close().catch(() => undefined);
    throw opened.reason;
  }
  const control = opened.value;
  const host = new SshHostSide(
    control,
    (plan.timeouts?.rebootSeconds ?? DEFAULT_REBOOT_SECONDS) * 1000,
    plan.bond.name,
  );
  let tester: TesterSide | undefined;
  try {
    if (started.status === 'rejected') throw started.reason;
    tester = started.value;
    const context = {
      hostExec: async (command: string) => {
        const r = await control.exec(command);
        return { stdout: r.stdout, stderr: r.stderr, code: r.code };
      },
      miiStatus: (slave: string) => host.miiStatus(slave),
      carrier: (slave: string) => host.carrier(slave),
      // Without MII or ARP monitoring the bond's MII status never changes: only the carrier shows a pull.
      confirmBy: bondMonitors(plan.bond.options) ? ('mii' as const) : ('carrier' as const),
      log,
      // The slowest mode's delays: a pull is confirmed only once the driver has acted on it.
      linkDeadlineMs:
        (plan.timeouts?.pullSeconds ?? 5) * 1000 +
        Math.max(
          0,
          ...plan.modes.map((mode) => {
            const o = mode === 'standalone' ? {} : modeOptions(plan, mode);
            return (o.downdelay ?? 0) + (o.updelay ?? 0);
          }),
        ),
    };
    const link = createLinkDriver(plan.drivers.link, context);
    const power = createPowerDriver(plan.drivers.power, context);
    const switchSide = plan.drivers.switch ? createSwitchDriver(plan.drivers.switch, context) : undefined;
    const testerSide = tester;
    return {
      host,
      tester: testerSide,
      link,
      power,
      ...(switchSide ? { switch: switchSide } : {}),
      ...(instance
        ? {
            load: { run: (target, request) => runLabLoad(namespaceName(instance), target, request) } satisfies LoadSide,
          }
        : {}),
      close: async () => {
        await testerSide.close().catch(() => undefined);
        await host.close();
      },
    };
  } catch (error) {
    await tester?.close().catch(() => undefined);
    await host.close();
    throw error;
  }
}
