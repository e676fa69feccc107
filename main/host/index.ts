/** Host control over SSH, as a library for the engine and the CLI. */
export type {
  ApplyResult,
  BackendKind,
  BondBackend,
  BondPlan,
  PlannedFile,
  PlannedLink,
  RestoreResult,
  VerifyResult,
} from './backend.js';
export { ApplyError, ManagementPathError, PlanRefusedError, VerifyError } from './backend.js';
export { BackupError, type BackupManifest } from './backup.js';
export { HostControl, type HostControlOptions, type RebootOptions, type RebootResult } from './control.js';
export { PrivilegeError, RemoteCommandError } from './remote.js';
export { type ArmedRollback, type RollbackStatus, RollbackUnavailableError } from './rollback.js';
export type {
  HostProbe,
  InterfaceCounters,
  LiveBondState,
  ManagementPath,
  ProbedBond,
  ProbedInterface,
} from './system.js';
export { type HostTarget, parseHostTarget } from './target.js';
export { type HostBack, HostDidNotReturnError, waitForHost } from './wait.js';
