/** The two configuration backends: runtime (sysfs/iproute2, now) and netifrc (/etc/conf.d/net, at next boot). */
import { type BondConfig, type BondRequest, resolveBondRequest } from '../../shared/bonding/options.js';
import { assertInterfaceName, shellQuote } from '../../shared/net/names.js';
import { extraBondOptions } from '../../shared/netifrc/confd.js';
import { type ConfStyle, editBondConf, readConfValue } from '../../shared/netifrc/editor.js';
import { sayReason } from '../../shared/oracle/failover.js';
import type { ReasonPart } from '../../shared/run/model.js';
import {
  type ApplyResult,
  type BackendKind,
  type BondBackend,
  type BondPlan,
  ManagementPathError,
  PlanRefusedError,
  type RestoreResult,
  VerifyError,
  type VerifyResult,
} from './backend.js';
import { takeBackup } from './backup.js';
import type { SshRemote } from './remote.js';
import { runRuntimeScript, runtimeScript, verifyLiveBond } from './runtime.js';
import { type LiveBondState, type ManagementPath, readLiveBondState } from './system.js';

const q = shellQuote;

/** A settled read as a getter: its value, or its error thrown where the caller meets it. */
function settledValue<T>(result: PromiseSettledResult<T>): () => T {
  return () => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  };
}

/** What a backend needs from the host it works on (HostControl provides it). */
export interface HostContext {
  readonly label: string;
  readonly remote: SshRemote;
  backupRoot(): Promise<string>;
  managementPath(): Promise<ManagementPath>;
  bootId(): Promise<string>;
  restore(options?: { runDir?: string }): Promise<RestoreResult>;
  log(part: ReasonPart): void;
}

/** Refuses plans that would enslave, down or readdress the interface of our own SSH session, or bad slaves. */
export async function checkPlanSafety(ctx: HostContext, config: BondConfig, before: LiveBondState): Promise<void> {
  const mgmt = await ctx.managementPath();
  const session = sessionPart(mgmt);
  const label = ctx.label;
  const guarded = mgmt.protectedInterfaces.join(', ');
  if (mgmt.protectedInterfaces.includes(config.bond)) {
    throw new ManagementPathError({ key: 'bondCarries', vars: { label, bond: config.bond, session } });
  }
  for (const slave of config.slaves) {
    if (mgmt.protectedInterfaces.includes(slave)) {
      throw new ManagementPathError({ key: 'slaveCarries', vars: { label, slave, session, guarded } });
    }
  }
  for (const slave of before.slaves ?? []) {
    if (!config.slaves.includes(slave) && mgmt.protectedInterfaces.includes(slave)) {
      throw new ManagementPathError({ key: 'releaseBreaks', vars: { label, slave, bond: config.bond, session } });
    }
  }
  for (const slave of config.slaves) {
    const iface = before.interfaces[slave];
    if (!iface?.exists) throw new PlanRefusedError({ key: 'noInterface', vars: { label, slave } });
    if (iface.master && iface.master !== config.bond) {
      throw new PlanRefusedError({ key: 'belongsTo', vars: { label, slave, master: iface.master } });
    }
  }
}

/** "this SSH session (client → server through eth0)" as a part. */
function sessionPart(mgmt: ManagementPath): ReasonPart {
  return {
    key: 'hostRefusal.session',
    vars: { client: mgmt.clientAddress, server: mgmt.serverAddress, interface: mgmt.interface },
  };
}

/**
 * The same guard for standalone mode, which releases the slaves, removes the bond and puts the bond's address on
 * the first slave: refused when the bond or any slave carries this SSH session (every mode is guarded alike).
 */
export async function checkStandaloneSafety(
  ctx: Pick<HostContext, 'label' | 'managementPath'>,
  bond: string,
  slaves: readonly string[],
): Promise<void> {
  const mgmt = await ctx.managementPath();
  const session = sessionPart(mgmt);
  for (const name of [bond, ...slaves]) {
    if (mgmt.protectedInterfaces.includes(name)) {
      throw new ManagementPathError({
        key: 'standaloneCarries',
        vars: {
          label: ctx.label,
          name,
          session,
          flushed: { key: name === bond ? 'hostRefusal.theBond' : 'hostRefusal.itsAddresses' },
          guarded: mgmt.protectedInterfaces.join(', '),
        },
      });
    }
  }
}

function describeConfig(config: BondConfig): string {
  return sayReason('en', [configPart(config)]);
}

/** A bond configuration as a message part (`log.host.config`): bond, mode, slaves and options by sysfs name. */
function configPart(config: BondConfig): ReasonPart {
  const options = [
    `miimon ${config.miimon}`,
    ...extraBondOptions(config).map(([option, value]) => `${option} ${value}`),
  ];
  return {
    key: 'log.host.config',
    vars: { bond: config.bond, mode: config.mode, slaves: config.slaves.join('+'), options: options.join(', ') },
  };
}

export class RuntimeBackend implements BondBackend {
  readonly kind: BackendKind = 'runtime';
  constructor(private readonly ctx: HostContext) {}

  async plan(request: BondRequest): Promise<BondPlan> {
    const { config, notes } = resolveBondRequest(request);
    // The management path (cached once read) is fetched beside the bond's state; checkPlanSafety reads it again
    // if that failed, and reports it then.
    const [read] = await Promise.allSettled([
      readLiveBondState(this.ctx.remote, config.bond, config.slaves),
      this.ctx.managementPath(),
    ]);
    const before = settledValue(read)();
    await checkPlanSafety(this.ctx, config, before);
    const addresses = config.address ? [config.address] : before.exists ? undefined : [];
    if (!before.exists && !config.address)
      notes.push(`${config.bond} is new and gets no address: pass an address to give it one`);
    const routes = before.routes ?? [];
    const steps = [
      before.exists
        ? `take ${config.bond} down and release ${before.slaves?.join(', ') || 'no slaves'}`
        : `create ${config.bond}`,
      `set ${describeConfig(config)}`,
      `enslave ${config.slaves.join(', ')} and bring ${config.bond} up`,
      addresses
        ? `address ${config.bond}: ${addresses.join(', ') || 'none'}`
        : `keep ${config.bond}'s address ${before.addresses?.join(', ') || '(none)'}`,
      ...routes.map((r) => `put back the route ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}`),
    ];
    return {
      backend: 'runtime',
      host: this.ctx.label,
      config,
      steps,
      notes,
      before,
      script: runtimeScript({ config, addresses, routes }),
      requiresReboot: false,
      createdAt: new Date().toISOString(),
    };
  }

  async apply(plan: BondPlan, options: { runDir?: string; current?: LiveBondState } = {}): Promise<ApplyResult> {
    if (plan.backend !== 'runtime' || !plan.script) throw new PlanRefusedError('not a runtime plan');
    const started = performance.now();
    const now = options.current ?? (await readLiveBondState(this.ctx.remote, plan.config.bond, plan.config.slaves));
    // The plan was checked when made; the host may have changed since (checked again on what was read).
    await checkPlanSafety(this.ctx, plan.config, now);
    const { manifest, localDir } = await takeBackup(this.ctx.remote, {
      root: await this.ctx.backupRoot(),
      host: this.ctx.label,
      backend: 'runtime',
      reason: `runtime ${plan.config.mode}`,
      paths: [],
      bondState: now,
      runDir: options.runDir,
    });
    this.ctx.log({ key: 'log.host.applying', vars: { host: this.ctx.label, config: configPart(plan.config) } });
    await runRuntimeScript(this.ctx.remote, plan.script, `configuring ${plan.config.bond}`);
    return {
      backupId: manifest.id,
      hostBackupDir: manifest.hostDir,
      localBackupDir: localDir,
      bootId: now.bootId ?? (await this.ctx.bootId()),
      durationMs: Math.round(performance.now() - started),
    };
  }

  verify(plan: BondPlan): Promise<VerifyResult> {
    return verifyLiveBond(this.ctx.remote, plan.config, plan.config.address);
  }

  restore(options: { runDir?: string } = {}): Promise<RestoreResult> {
    return this.ctx.restore(options);
  }
}

export const CONF_NET = '/etc/conf.d/net';

/** The netifrc service files of a bond: init script link and its default-runlevel entry. */
export function netifrcLinkPaths(bond: string): { init: string; runlevel: string } {
  const b = assertInterfaceName(bond, 'bond');
  return { init: `/etc/init.d/net.${b}`, runlevel: `/etc/runlevels/default/net.${b}` };
}

export class NetifrcBackend implements BondBackend {
  readonly kind: BackendKind = 'netifrc';
  constructor(private readonly ctx: HostContext) {}

  private async readConf(): Promise<string> {
    const bytes = await this.ctx.remote.readFile(CONF_NET);
    return bytes ? bytes.toString('utf8') : '';
  }

  async plan(request: BondRequest, options: { style?: ConfStyle } = {}): Promise<BondPlan> {
    const style = options.style ?? 'writeup';
    const { config, notes } = resolveBondRequest(request);
    const paths = netifrcLinkPaths(config.bond);
    // Every read the plan needs goes out at once (one SSH channel each); they are judged below in the order a
    // sequential plan would have met them, so the first problem reported is the same.
    const reads = await Promise.allSettled([
      readLiveBondState(this.ctx.remote, config.bond, config.slaves),
      this.ctx.managementPath(),
      this.ctx.remote.run(
        [
          '[ -e /etc/init.d/net.lo ] || echo "@@no-netlo"',
          `if [ -L ${q(paths.init)} ]; then echo "@@init $(readlink ${q(paths.init)})"; elif [ -e ${q(paths.init)} ]; then echo "@@init (file)"; fi`,
          `[ -e ${q(paths.runlevel)} ] || [ -L ${q(paths.runlevel)} ] && echo "@@runlevel $(readlink ${q(paths.runlevel)})"`,
          'command -v rc-update >/dev/null && echo "@@rc-update"',
          'true',
        ].join('\n'),
      ),
      this.readConf(),
      Promise.all(
        config.slaves.map((slave) => this.ctx.remote.run(`[ -e ${q(`/etc/runlevels/default/net.${slave}`)} ]`)),
      ),
    ] as const);
    // reads[1] only warms the management path's cache for checkPlanSafety (which reads it again if it failed).
    const [before, look, text, slaveServices] = [
      settledValue(reads[0]),
      settledValue(reads[2]),
      settledValue(reads[3]),
      settledValue(reads[4]),
    ];
    await checkPlanSafety(this.ctx, config, before());
    if (look().stdout.includes('@@no-netlo')) {
      throw new PlanRefusedError({ key: 'noNetifrc', vars: { label: this.ctx.label } });
    }
    const initLink = look().stdout.match(/^@@init (.*)$/m)?.[1];
    const runlevelLink = look().stdout.match(/^@@runlevel (.*)$/m)?.[1];
    const ifvar = config.bond.replace(/[^A-Za-z0-9_]/g, '_');
    if (!config.address && !readConfValue(text(), `config_${ifvar}`)) {
      throw new PlanRefusedError({ key: 'noConfig', vars: { file: CONF_NET, label: this.ctx.label, ifvar } });
    }
    config.slaves.forEach((slave, i) => {
      if (slaveServices()[i]!.code === 0) {
        notes.push(
          `net.${slave} is in the default runlevel: netifrc will also start ${slave} on its own; remove it (rc-update del net.${slave})`,
        );
      }
    });
    const edit = editBondConf(text(), config, style);
    const links = [];
    if (initLink === undefined) links.push({ path: paths.init, target: 'net.lo' });
    if (runlevelLink === undefined) links.push({ path: paths.runlevel, target: paths.init });
    const steps = [
      ...edit.changes.map((change) => `${CONF_NET}: ${change}`),
      ...(edit.changes.length === 0 ? [`${CONF_NET} already says ${describeConfig(config)}`] : []),
      ...(initLink === undefined ? [`ln -s net.lo ${paths.init}`] : []),
      ...(runlevelLink === undefined ? [`rc-update add net.${config.bond} default`] : []),
      'takes effect at the next boot',
    ];
    return {
      backend: 'netifrc',
      host: this.ctx.label,
      config,
      style,
      steps,
      notes,
      before: before(),
      files: [{ path: CONF_NET, before: text() || undefined, after: edit.text }],
      links,
      requiresReboot: true,
      createdAt: new Date().toISOString(),
    };
  }

  async apply(plan: BondPlan, options: { runDir?: string } = {}): Promise<ApplyResult> {
    if (plan.backend !== 'netifrc' || !plan.files?.length) throw new PlanRefusedError('not a netifrc plan');
    const started = performance.now();
    const file = plan.files[0]!;
    // Three independent reads, at once: the boot, the file as it is now, the bond the backup records.
    const [bootId, current, bondState] = await Promise.all([
      this.ctx.bootId(),
      this.readConf(),
      readLiveBondState(this.ctx.remote, plan.config.bond, plan.config.slaves),
    ]);
    if (current !== (file.before ?? '')) {
      throw new PlanRefusedError({ key: 'confChanged', vars: { file: CONF_NET, label: this.ctx.label } });
    }
    const paths = netifrcLinkPaths(plan.config.bond);
    const { manifest, localDir } = await takeBackup(this.ctx.remote, {
      root: await this.ctx.backupRoot(),
      host: this.ctx.label,
      backend: 'netifrc',
      reason: `netifrc ${plan.style} ${plan.config.mode}`,
      paths: [CONF_NET, paths.init, paths.runlevel],
      bondState,
      runDir: options.runDir,
    });
    await this.ctx.remote.writeFileAtomic(CONF_NET, file.after);
    const bond = plan.config.bond;
    await this.ctx.remote.runOk(
      `adding net.${bond} to the default runlevel`,
      [
        'set -e',
        // The write-up's steps: ln -sf /etc/init.d/net.lo /etc/init.d/net.bond0; rc-update add net.bond0 default
        `[ -e ${q(paths.init)} ] || [ -L ${q(paths.init)} ] || ln -s net.lo ${q(paths.init)}`,
        `if [ ! -e ${q(paths.runlevel)} ]; then`,
        `  if command -v rc-update >/dev/null; then rc-update add ${q(`net.${bond}`)} default; else mkdir -p /etc/runlevels/default; ln -s ${q(paths.init)} ${q(paths.runlevel)}; fi`,
        'fi',
        'sync',
      ].join('\n'),
      { privileged: true },
    );
    return {
      backupId: manifest.id,
      hostBackupDir: manifest.hostDir,
      localBackupDir: localDir,
      bootId,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** The files and links are what the plan wrote; with live (after a reboot), the running bond matches too. */
  async verify(plan: BondPlan, options: { live?: boolean } = {}): Promise<VerifyResult> {
    const file = plan.files?.[0];
    if (!file) throw new PlanRefusedError('not a netifrc plan');
    const text = await this.readConf();
    const checked = [`${CONF_NET} as planned`];
    if (text !== file.after) {
      throw new VerifyError(this.ctx.label, [
        { option: CONF_NET, expected: '(the planned file)', actual: '(different content)' },
      ]);
    }
    const paths = netifrcLinkPaths(plan.config.bond);
    const links = await this.ctx.remote.run(`[ -e ${q(paths.init)} ] && [ -e ${q(paths.runlevel)} ]`);
    if (links.code !== 0) {
      throw new VerifyError(this.ctx.label, [
        {
          option: `net.${plan.config.bond} service`,
          expected: `${paths.init} in the default runlevel`,
          actual: undefined,
        },
      ]);
    }
    checked.push(`${paths.init} in the default runlevel`);
    if (!options.live) return { checked, liveSkipped: 'netifrc applies /etc/conf.d/net at the next boot' };
    const ifvar = plan.config.bond.replace(/[^A-Za-z0-9_]/g, '_');
    const address = plan.config.address ?? readConfValue(text, `config_${ifvar}`)?.[0]?.split(/\s+/)[0];
    const live = await verifyLiveBond(this.ctx.remote, plan.config, address?.includes('/') ? address : undefined);
    return { ...live, checked: [...checked, ...live.checked] };
  }

  restore(options: { runDir?: string } = {}): Promise<RestoreResult> {
    return this.ctx.restore(options);
  }
}
