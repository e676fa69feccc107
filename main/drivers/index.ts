/** Power and link drivers: the interfaces, the registry with the built-in types, and the effect checks. */
export {
  createLinkDriver,
  createPowerDriver,
  type LinkDriverFactory,
  linkDriverTypes,
  type PowerDriverFactory,
  powerDriverTypes,
  registerLinkDriver,
  registerPowerDriver,
} from './registry.js';
export { PDU_PROFILE_OIDS, SnmpClient } from './snmp.js';
export {
  type DriverContext,
  DriverError,
  type HostExec,
  type LinkDriver,
  type LinkState,
  type MiiStatus,
  type PowerDriver,
  type PowerState,
} from './types.js';
export {
  DEFAULT_LINK_DEADLINE_MS,
  DEFAULT_POWER_DEADLINE_MS,
  hostMiiStatus,
  verifiedLink,
  verifiedPower,
} from './verify.js';
