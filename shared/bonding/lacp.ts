/**
 * The LACP port state octet (IEEE 802.1AX-2014 §6.4.2.3 Actor_State / Partner_State), one type for every reader:
 * the LACPDU decoder (shared/wire) and /proc/net/bonding's "port state" lines. Field names are the kernel's
 * (include/net/bond_3ad.h AD_STATE_*) and the standard's. Pure.
 */

export interface LacpPortState {
  /** The octet as sent or printed. */
  raw: number;
  /** Bit 0 LACP_Activity (AD_STATE_LACP_ACTIVITY): true = active LACP, false = passive. */
  lacpActivity: boolean;
  /** Bit 1 LACP_Timeout (AD_STATE_LACP_TIMEOUT): short (LACPDUs every 1 s, lacp_rate fast) or long (30 s). */
  lacpTimeout: 'short' | 'long';
  /** Bit 2 Aggregation: the link may be aggregated (false = individual). */
  aggregation: boolean;
  /** Bit 3 Synchronization: the port is in sync with its aggregator. */
  synchronization: boolean;
  /** Bit 4 Collecting. */
  collecting: boolean;
  /** Bit 5 Distributing. */
  distributing: boolean;
  /** Bit 6 Defaulted: no LACPDU from a partner, default partner values in use. */
  defaulted: boolean;
  /** Bit 7 Expired: the receive machine is in the expired state. */
  expired: boolean;
}

/** The eight bits of a port state octet. Throws RangeError for a value that is not an octet. */
export function decodeLacpPortState(octet: number): LacpPortState {
  if (!Number.isInteger(octet) || octet < 0 || octet > 255) {
    throw new RangeError(`LACP port state ${octet} is not an octet (0–255)`);
  }
  return {
    raw: octet,
    lacpActivity: (octet & 0x01) !== 0,
    lacpTimeout: (octet & 0x02) !== 0 ? 'short' : 'long',
    aggregation: (octet & 0x04) !== 0,
    synchronization: (octet & 0x08) !== 0,
    collecting: (octet & 0x10) !== 0,
    distributing: (octet & 0x20) !== 0,
    defaulted: (octet & 0x40) !== 0,
    expired: (octet & 0x80) !== 0,
  };
}

/** Wireshark's one-letter flags: A(ctivity) T(imeout short) G(aggregation) S(ync) C(ollecting) D(istributing) F(defaulted) E(xpired). */
export function lacpStateFlags(state: LacpPortState): string {
  const flags: [boolean, string][] = [
    [state.lacpActivity, 'A'],
    [state.lacpTimeout === 'short', 'T'],
    [state.aggregation, 'G'],
    [state.synchronization, 'S'],
    [state.collecting, 'C'],
    [state.distributing, 'D'],
    [state.defaulted, 'F'],
    [state.expired, 'E'],
  ];
  return flags.map(([on, letter]) => (on ? letter : '*')).join('');
}
