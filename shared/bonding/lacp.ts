/** LACP port state (IEEE 802.1AX "Actor_State"/"Partner_State" octet), as the bonding driver prints it. Pure. */
import { decodeLacpState } from '../wire/decode.js';

/** The eight state bits as flags; the capture side's decoder (shared/wire) reads the octet. */
export interface LacpPortState {
  /** Bit 0 LACP_Activity: true = active LACP, false = passive. */
  activity: boolean;
  /** Bit 1 LACP_Timeout: true = short timeout (fast rate, 1 s LACPDUs), false = long (30 s). */
  timeout: boolean;
  /** Bit 2 Aggregation: the link may be aggregated (false = individual). */
  aggregation: boolean;
  /** Bit 3 Synchronization: the port is in sync with its aggregator. */
  synchronisation: boolean;
  /** Bit 4 Collecting. */
  collecting: boolean;
  /** Bit 5 Distributing. */
  distributing: boolean;
  /** Bit 6 Defaulted: no LACPDU from a partner, default partner values in use. */
  defaulted: boolean;
  /** Bit 7 Expired: the receive machine is in the expired state. */
  expired: boolean;
}

export function decodeLacpPortState(octet: number): LacpPortState {
  if (!Number.isInteger(octet) || octet < 0 || octet > 255) {
    throw new RangeError(`LACP port state ${octet} is not an octet (0–255)`);
  }
  const { raw: _raw, timeout, ...bits } = decodeLacpState(octet);
  return { ...bits, timeout: timeout === 'short' };
}
