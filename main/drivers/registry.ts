/**
 * Drivers by type name. A plan names a type and its settings; createPowerDriver/createLinkDriver validate them,
 * build the driver and wrap it so that every effect is confirmed (verify.ts). More types can be registered.
 */
import {
  type LinkDriverConfig,
  type PowerDriverConfig,
  parseLinkDriverConfig,
  parsePowerDriverConfig,
} from '../../shared/drivers/config.js';
import { commandLinkDriver, commandPowerDriver } from './command.js';
import { hostIfdownLinkDriver } from './host-ifdown.js';
import { labLinkDriver, labPowerDriver } from './lab.js';
import { pduDaemonPowerDriver } from './pdudaemon.js';
import { snmpLinkDriver, snmpPowerDriver } from './snmp.js';
import type { DriverContext, LinkDriver, PowerDriver } from './types.js';
import { DEFAULT_LINK_DEADLINE_MS, DEFAULT_POWER_DEADLINE_MS, verifiedLink, verifiedPower } from './verify.js';

export type PowerDriverFactory<C extends { type: string } = { type: string }> = (
  config: C,
  context: DriverContext,
) => PowerDriver;
export type LinkDriverFactory<C extends { type: string } = { type: string }> = (
  config: C,
  context: DriverContext,
) => LinkDriver;

const powerFactories = new Map<string, PowerDriverFactory>();
const linkFactories = new Map<string, LinkDriverFactory>();
const builtInPower = new Set<string>();
const builtInLink = new Set<string>();

export function registerPowerDriver<C extends { type: string }>(type: C['type'], factory: PowerDriverFactory<C>): void {
  powerFactories.set(type, factory as PowerDriverFactory);
}

export function registerLinkDriver<C extends { type: string }>(type: C['type'], factory: LinkDriverFactory<C>): void {
  linkFactories.set(type, factory as LinkDriverFactory);
}

export function powerDriverTypes(): string[] {
  return [...powerFactories.keys()];
}

export function linkDriverTypes(): string[] {
  return [...linkFactories.keys()];
}

function typeOf(config: unknown): string {
  return typeof config === 'object' && config !== null ? String((config as { type?: unknown }).type) : '';
}

/**
 * A power driver for its configuration, each set/cycle read back where the device allows it.
 * Throws DriverConfigError (what to fix, by field) before anything is switched.
 */
export function createPowerDriver(config: PowerDriverConfig | { type: string }, context: DriverContext): PowerDriver {
  const type = typeOf(config);
  const factory = powerFactories.get(type);
  if (!factory) {
    throw new Error(
      `power driver type ${JSON.stringify(type)} is unknown: use one of ${powerDriverTypes().join(', ')}`,
    );
  }
  // Built-in types are checked against their schema; a registered one checks its own settings.
  const checked = builtInPower.has(type) ? parsePowerDriverConfig(config) : config;
  return verifiedPower(factory(checked, context), context, context.powerDeadlineMs ?? DEFAULT_POWER_DEADLINE_MS);
}

/** A link driver for its configuration, each pull/plug confirmed by the MII status when context.miiStatus is given. */
export function createLinkDriver(config: LinkDriverConfig | { type: string }, context: DriverContext): LinkDriver {
  const type = typeOf(config);
  const factory = linkFactories.get(type);
  if (!factory) {
    throw new Error(`link driver type ${JSON.stringify(type)} is unknown: use one of ${linkDriverTypes().join(', ')}`);
  }
  const checked = builtInLink.has(type) ? parseLinkDriverConfig(config) : config;
  const driver = factory(checked, context);
  if (!context.miiStatus) {
    context.log(`${driver.name}: no MII status reader, so pulls and plugs are not confirmed on the host`);
  }
  return verifiedLink(driver, context, context.linkDeadlineMs ?? DEFAULT_LINK_DEADLINE_MS);
}

registerPowerDriver('lab', labPowerDriver);
registerPowerDriver('pdudaemon', pduDaemonPowerDriver);
registerPowerDriver('snmp', snmpPowerDriver);
registerPowerDriver('command', commandPowerDriver);
registerLinkDriver('lab', labLinkDriver);
registerLinkDriver('snmp', snmpLinkDriver);
registerLinkDriver('command', commandLinkDriver);
registerLinkDriver('host-ifdown', hostIfdownLinkDriver);
for (const type of powerFactories.keys()) builtInPower.add(type);
for (const type of linkFactories.keys()) builtInLink.add(type);
