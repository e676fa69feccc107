/**
 * The built-in power, link and switch drivers, listed once: the plan schema (./config.ts), the plan check, the catalogue's
 * `drivers.` namespace and the UI's lists all derive from these. A driver type is one module (`./<name>.ts`, see
 * ./define.ts); its factory is in main/drivers/<name>.ts. No ajv here: the renderer imports this. Pure.
 */
import type { Language } from '../api.js';
import { COMMAND_LINK, COMMAND_POWER, COMMAND_SWITCH } from './command.js';
import type { DriverDefinition, DriverKind } from './define.js';
import { HOST_IFDOWN_LINK } from './host-ifdown.js';
import { LAB_LINK, LAB_POWER, LAB_SWITCH } from './lab.js';
import { PDUDAEMON_POWER } from './pdudaemon.js';
import { SNMP_LINK, SNMP_POWER } from './snmp.js';

/** The built-in power drivers, in the order the UI lists them. Add a new one here (and its factory in main). */
export const POWER_DRIVERS = [LAB_POWER, PDUDAEMON_POWER, SNMP_POWER, COMMAND_POWER] as const;
/** The built-in link drivers, in the order the UI lists them. */
export const LINK_DRIVERS = [LAB_LINK, SNMP_LINK, COMMAND_LINK, HOST_IFDOWN_LINK] as const;
/** The built-in switch drivers (optional in a plan: told each mode before its bring-up). */
export const SWITCH_DRIVERS = [LAB_SWITCH, COMMAND_SWITCH] as const;

/** Every built-in definition by kind. */
export const DRIVERS: Readonly<Record<DriverKind, readonly DriverDefinition[]>> = {
  power: POWER_DRIVERS as unknown as readonly DriverDefinition[],
  link: LINK_DRIVERS as unknown as readonly DriverDefinition[],
  switch: SWITCH_DRIVERS as unknown as readonly DriverDefinition[],
};

type ConfigOf<D> = D extends DriverDefinition<infer C> ? C : never;
export type PowerDriverConfig = ConfigOf<(typeof POWER_DRIVERS)[number]>;
export type PowerDriverType = PowerDriverConfig['type'];
export type LinkDriverConfig = ConfigOf<(typeof LINK_DRIVERS)[number]>;
export type LinkDriverType = LinkDriverConfig['type'];
export type SwitchDriverConfig = ConfigOf<(typeof SWITCH_DRIVERS)[number]>;
export type SwitchDriverType = SwitchDriverConfig['type'];

/** The built-in types, for messages and the UI. */
export const POWER_DRIVER_TYPES: readonly PowerDriverType[] = POWER_DRIVERS.map((d) => d.type);
export const LINK_DRIVER_TYPES: readonly LinkDriverType[] = LINK_DRIVERS.map((d) => d.type);
export const SWITCH_DRIVER_TYPES: readonly SwitchDriverType[] = SWITCH_DRIVERS.map((d) => d.type);

/** A built-in definition by kind and type name, or undefined. */
export function driverDefinition(kind: DriverKind, type: unknown): DriverDefinition | undefined {
  return DRIVERS[kind].find((d) => d.type === type);
}

/** One driver's words in the catalogue: `label`, and `field.<key>` per setting the form shows. */
export interface DriverMessages {
  label: string;
  field: Record<string, string>;
}

/**
 * The catalogue's `drivers` namespace in one language, from the definitions' own labels:
 * `drivers.<kind>.<type>.label` and `drivers.<kind>.<type>.field.<key>`.
 */
export function driverMessages(language: Language): Record<DriverKind, Record<string, DriverMessages>> {
  const of = (definitions: readonly DriverDefinition[]) =>
    Object.fromEntries(
      definitions.map((d) => [
        d.type,
        { label: d.label[language], field: Object.fromEntries(d.fields.map((f) => [f.key, f.label[language]])) },
      ]),
    );
  return { power: of(DRIVERS.power), link: of(DRIVERS.link), switch: of(DRIVERS.switch) };
}
