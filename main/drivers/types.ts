/**
 * The outside effects a run needs besides SSH and capture: switching the host's power, pulling its cables, and
 * (optionally) configuring the switch ports its slaves end in for each mode. One small interface each (as labgrid
 * and pdudaemon have them), implemented per device type.
 */
import type { BondingMode, SwitchChannel } from '../../shared/bonding/modes.js';
import type { DriverDefinition } from '../../shared/drivers/define.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { errorPart } from '../../shared/run/failure.js';
import type { LogSink } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';

export type PowerState = 'on' | 'off';
export type LinkState = 'plugged' | 'pulled';
export type MiiStatus = 'up' | 'down' | 'unknown';

export interface PowerDriver {
  /** Says which device and outlet, for logs and errors. */
  readonly name: string;
  /** Whether get() can read the outlet back; when false it always answers 'unknown'. */
  readonly readable: boolean;
  set(state: PowerState): Promise<void>;
  /** Off, then on again. */
  cycle(): Promise<void>;
  get(): Promise<PowerState | 'unknown'>;
}

/**
 * When a pull took effect, on the wall clock (ms since the epoch, sub-millisecond): for each end of the cable the
 * span [command sent, command done] inside which it lost carrier. A driver that cannot say returns nothing.
 */
export interface CablePullTiming {
  hostCarrierOffMs?: [number, number];
  switchCarrierOffMs?: [number, number];
}

/** A pull as the engine records it: the driver's timing and the first host reading that showed it. */
export interface PullReceipt extends CablePullTiming {
  /** When the confirming read returned (an upper bound of when the host saw the pull). */
  confirmedMs?: number;
  confirmedBy?: 'mii' | 'carrier';
}

export interface LinkDriver {
  readonly name: string;
  /** False when the switch side keeps its carrier (host-ifdown): not what the write-up did by hand. */
  readonly physical: boolean;
  /** Pulls the cable; resolves with when it took effect where the driver can tell (undefined: it cannot). */
  pull(slave: string): Promise<PullReceipt | undefined>;
  plug(slave: string): Promise<void>;
  state(slave: string): Promise<LinkState | 'unknown'>;
}

/** What a switch driver did for a mode: the port configuration it set, and where the slaves now end. */
export interface SwitchReceipt {
  /** What the mode asks of the switch (bonding.rst §5 "Switch Configuration"). */
  channel: SwitchChannel;
  /** In the switch's words: e.g. "LACP partner 02:00:5e:10:00:01", "bridge sw0 (no port-channel)". */
  attachedTo: string;
}

export interface SwitchDriver {
  readonly name: string;
  /** Reachable and able to do what the plan asks; throws DriverError saying what to fix (the run's preflight). */
  check(): Promise<void>;
  /** Configures the slaves' switch ports for a mode, before its bring-up; DriverError when it cannot. */
  setMode(mode: BondingMode | 'standalone', slaves: readonly string[]): Promise<SwitchReceipt>;
  /** Puts the switch back as the run found it (after the host is restored); DriverError when it cannot. */
  restore(): Promise<void>;
}

/** Runs one command on the host under test (over SSH); the command is built from validated, quoted words only. */
export type HostExec = (command: string) => Promise<{ stdout: string; stderr: string; code: number | null }>;

export interface DriverContext {
  /** Needed by host-ifdown; also what hostMiiStatus reads through. */
  hostExec?: HostExec;
  /** The bonding driver's view of a slave, to check that a pull or plug took effect. */
  miiStatus?(slave: string): Promise<MiiStatus>;
  /** The slave's own carrier (/sys/class/net/<slave>/carrier), for a bond without link monitoring. */
  carrier?(slave: string): Promise<MiiStatus>;
  /** What confirms a pull: the MII status (default) or, for a bond with miimon 0 and arp_interval 0, the carrier. */
  confirmBy?: 'mii' | 'carrier';
  /** What the driver does, as `log.driver.*` lines for the run log. */
  log: LogSink;
  /** How long a pull or plug may take to show in the MII status (miimon + downdelay/updelay + margin). */
  linkDeadlineMs?: number;
  /** How long a power change may take to read back. */
  powerDeadlineMs?: number;
}

/** A driver could not do, or could not confirm, what it was asked: the message says which device and what next. */
/**
 * A driver that could not do its job, named. Given a `driverFailure.*` key and values instead of English text, the
 * message is that key's English and `parts` say it in the reader's language (shared/run/failure.ts reads them).
 */
export class DriverError extends Error {
  readonly parts?: ReasonPart[];
  constructor(
    readonly driver: string,
    message: string | { key: string; vars?: Record<string, string | number | ReasonPart> },
    options?: { cause?: unknown },
  ) {
    const parts =
      typeof message === 'string'
        ? undefined
        : [
            {
              key: 'driverFailure.said',
              vars: { driver, what: { key: `driverFailure.${message.key}`, vars: message.vars ?? {} } },
            },
          ];
    super(parts ? sayReason('en', parts) : `${driver}: ${message as string}`, options);
    this.name = 'DriverError';
    if (parts) this.parts = parts;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a driver's step; any failure becomes a DriverError naming the driver. */
export async function asDriverError<T>(driver: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DriverError) throw error;
    // Said as the error says itself (its parts, or its OS cause): the English is its message, as before.
    throw new DriverError(driver, { key: 'cause', vars: { cause: errorPart(error) } }, { cause: error });
  }
}

/** A slave the driver's port map does not list. */
export function unmappedSlave(driver: string, action: string, slave: string, ports: object | undefined): DriverError {
  const mapped = Object.keys(ports ?? {});
  return new DriverError(
    driver,
    `${action} ${slave}: no switch port for ${slave} in ports (it maps ${mapped.join(', ') || 'nothing'}): add ports.${slave}`,
  );
}

/**
 * A power driver type as one unit: its definition (type name, settings schema and checks, UI labels and fields,
 * from `shared/drivers/<name>.ts`) and the factory that builds it for a device. The registry lists these.
 */
export interface PowerDriverModule<C extends { type: string } = { type: string }> extends DriverDefinition<C> {
  readonly kind: 'power';
  /** Builds the driver for validated settings; throws DriverError when the context lacks what it needs. */
  create(config: C, context: DriverContext): PowerDriver;
}

/** A link driver type as one unit: definition and factory. */
export interface LinkDriverModule<C extends { type: string } = { type: string }> extends DriverDefinition<C> {
  readonly kind: 'link';
  create(config: C, context: DriverContext): LinkDriver;
}

/** A switch driver type as one unit: definition and factory. */
export interface SwitchDriverModule<C extends { type: string } = { type: string }> extends DriverDefinition<C> {
  readonly kind: 'switch';
  create(config: C, context: DriverContext): SwitchDriver;
}

/** A power driver unit from its definition and factory. */
export function powerDriverModule<C extends { type: string }>(
  definition: DriverDefinition<C>,
  create: (config: C, context: DriverContext) => PowerDriver,
): PowerDriverModule<C> {
  if (definition.kind !== 'power') throw new Error(`${definition.type} is a ${definition.kind} driver, not power`);
  return { ...definition, kind: 'power', create };
}

/** A link driver unit from its definition and factory. */
export function linkDriverModule<C extends { type: string }>(
  definition: DriverDefinition<C>,
  create: (config: C, context: DriverContext) => LinkDriver,
): LinkDriverModule<C> {
  if (definition.kind !== 'link') throw new Error(`${definition.type} is a ${definition.kind} driver, not link`);
  return { ...definition, kind: 'link', create };
}

/** A switch driver unit from its definition and factory. */
export function switchDriverModule<C extends { type: string }>(
  definition: DriverDefinition<C>,
  create: (config: C, context: DriverContext) => SwitchDriver,
): SwitchDriverModule<C> {
  if (definition.kind !== 'switch') throw new Error(`${definition.type} is a ${definition.kind} driver, not switch`);
  return { ...definition, kind: 'switch', create };
}
