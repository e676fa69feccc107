/**
 * Drivers by type name. Each type is one unit (`./<name>.ts`: its shared definition and its factory); the
 * built-in ones are listed here in the order of shared/drivers/config.ts, which the plan schema and the UI use.
 * createPowerDriver/createLinkDriver validate the settings against the unit's own schema and checks, build the
 * driver and wrap it so that every effect is confirmed (verify.ts). More units can be registered at run time.
 */
import type { LinkDriverConfig, PowerDriverConfig, SwitchDriverConfig } from '../../shared/drivers/config.js';
import { parseDriverSettings } from '../../shared/drivers/config.js';
import type { DriverKind } from '../../shared/drivers/define.js';
import { SaidError } from '../../shared/run/said-error.js';
import { commandLink, commandPower, commandSwitch } from './command.js';
import { hostIfdownLink } from './host-ifdown.js';
import { labLink, labPower, labSwitch } from './lab.js';
import { pdudaemonPower } from './pdudaemon.js';
import { snmpLink, snmpPower } from './snmp.js';
import type {
  DriverContext,
  LinkDriver,
  LinkDriverModule,
  PowerDriver,
  PowerDriverModule,
  SwitchDriver,
  SwitchDriverModule,
} from './types.js';
import { DEFAULT_LINK_DEADLINE_MS, DEFAULT_POWER_DEADLINE_MS, verifiedLink, verifiedPower } from './verify.js';

/**
 * The built-in units; shared/drivers/config.ts lists their definitions in the same order (a unit test checks).
 * Each factory takes its own settings type: the registry only ever hands it settings its own schema accepted.
 */
export const BUILT_IN_POWER_DRIVERS: readonly PowerDriverModule[] = [
  labPower,
  pdudaemonPower,
  snmpPower,
  commandPower,
] as unknown as readonly PowerDriverModule[];
export const BUILT_IN_LINK_DRIVERS: readonly LinkDriverModule[] = [
  labLink,
  snmpLink,
  commandLink,
  hostIfdownLink,
] as unknown as readonly LinkDriverModule[];

export const BUILT_IN_SWITCH_DRIVERS: readonly SwitchDriverModule[] = [
  labSwitch,
  commandSwitch,
] as unknown as readonly SwitchDriverModule[];

const power = new Map<string, PowerDriverModule>(BUILT_IN_POWER_DRIVERS.map((m) => [m.type, m]));
const link = new Map<string, LinkDriverModule>(BUILT_IN_LINK_DRIVERS.map((m) => [m.type, m]));
const switches = new Map<string, SwitchDriverModule>(BUILT_IN_SWITCH_DRIVERS.map((m) => [m.type, m]));

/** Adds (or replaces) a power driver type; its settings are checked against its own schema and checks. */
export function registerPowerDriver<C extends { type: string }>(unit: PowerDriverModule<C>): void {
  power.set(unit.type, unit as unknown as PowerDriverModule);
}

/** Adds (or replaces) a link driver type. */
export function registerLinkDriver<C extends { type: string }>(unit: LinkDriverModule<C>): void {
  link.set(unit.type, unit as unknown as LinkDriverModule);
}

/** Adds (or replaces) a switch driver type. */
export function registerSwitchDriver<C extends { type: string }>(unit: SwitchDriverModule<C>): void {
  switches.set(unit.type, unit as unknown as SwitchDriverModule);
}

export function switchDriverTypes(): string[] {
  return [...switches.keys()];
}

export function powerDriverTypes(): string[] {
  return [...power.keys()];
}

export function linkDriverTypes(): string[] {
  return [...link.keys()];
}

function typeOf(config: unknown): string {
  return typeof config === 'object' && config !== null ? String((config as { type?: unknown }).type) : '';
}

/** A driver type nobody registered (`error.driverConfig.unknownType`): says the ones there are. */
function unknownType(kind: DriverKind, type: string, types: readonly string[]): SaidError {
  return new SaidError('DriverTypeError', 'error.driverConfig.unknownType', {
    kind: { key: `error.driverConfig.kind.${kind}` },
    type: JSON.stringify(type),
    types: types.join(', '),
  });
}

/**
 * A power driver for its configuration, each set/cycle read back where the device allows it.
 * Throws DriverConfigError (what to fix, by field) before anything is switched, or Error for an unknown type.
 */
export function createPowerDriver(config: PowerDriverConfig | { type: string }, context: DriverContext): PowerDriver {
  const type = typeOf(config);
  const unit = power.get(type);
  if (!unit) {
    throw unknownType('power', type, powerDriverTypes());
  }
  const driver = unit.create(parseDriverSettings(unit, config), context);
  return verifiedPower(driver, context, context.powerDeadlineMs ?? DEFAULT_POWER_DEADLINE_MS);
}

/** A link driver for its configuration, each pull/plug confirmed by the MII status when context.miiStatus is given. */
export function createLinkDriver(config: LinkDriverConfig | { type: string }, context: DriverContext): LinkDriver {
  const type = typeOf(config);
  const unit = link.get(type);
  if (!unit) {
    throw unknownType('link', type, linkDriverTypes());
  }
  const driver = unit.create(parseDriverSettings(unit, config), context);
  if (!context.miiStatus) {
    context.log({ key: 'log.driver.unconfirmed', vars: { driver: driver.name } });
  }
  return verifiedLink(driver, context, context.linkDeadlineMs ?? DEFAULT_LINK_DEADLINE_MS);
}

/**
 * A switch driver for its configuration. Throws DriverConfigError (what to fix, by field) before anything is
 * configured, or Error for an unknown type. Its effects are its own to confirm (the lab reads its wiring back).
 */
export function createSwitchDriver(
  config: SwitchDriverConfig | { type: string },
  context: DriverContext,
): SwitchDriver {
  const type = typeOf(config);
  const unit = switches.get(type);
  if (!unit) {
    throw unknownType('switch', type, switchDriverTypes());
  }
  return unit.create(parseDriverSettings(unit, config), context);
}
