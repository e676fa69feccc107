/** Power and link drivers: the interfaces, the registry of driver units (definition + factory), the effect checks. */
export {
  BUILT_IN_LINK_DRIVERS,
  BUILT_IN_POWER_DRIVERS,
  BUILT_IN_SWITCH_DRIVERS,
  createLinkDriver,
  createPowerDriver,
  createSwitchDriver,
  linkDriverTypes,
  powerDriverTypes,
  registerLinkDriver,
  registerPowerDriver,
  registerSwitchDriver,
  switchDriverTypes,
} from './registry.js';
export { PDU_PROFILE_OIDS, SnmpClient } from './snmp.js';
export {
  type DriverContext,
  DriverError,
  type HostExec,
  type LinkDriver,
  type LinkDriverModule,
  type LinkState,
  linkDriverModule,
  type MiiStatus,
  type PowerDriver,
  type PowerDriverModule,
  type PowerState,
  powerDriverModule,
  type SwitchDriver,
  type SwitchDriverModule,
  type SwitchReceipt,
  switchDriverModule,
} from './types.js';
export {
  DEFAULT_LINK_DEADLINE_MS,
  DEFAULT_POWER_DEADLINE_MS,
  hostMiiStatus,
  verifiedLink,
  verifiedPower,
} from './verify.js';
