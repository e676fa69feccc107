/**
 * What a load step's spread should look like in each mode, from bonding.rst ("Bonding Driver Options": mode,
 * xmit_hash_policy, tlb_dynamic_lb) and the driver's constants, and the verdict on a measured spread. Pure.
 */
import type { BondingMode } from '../bonding/modes.js';
import type { BondOptions } from '../bonding/options.js';
import type { LoadSpread } from '../measure/load.js';
import type { ReasonPart, Verdict } from '../run/model.js';

/** tlb/alb rebalance the peers over the slaves every 10 s (drivers/net/bonding/bond_alb.c BOND_TLB_REBALANCE_INTERVAL). */
export const TLB_REBALANCE_SECONDS = 10;

/** What the driver spreads by, per bonding.rst xmit_hash_policy: one slave per peer, per flow, or one slave. */
export type HashUnit = 'peer' | 'flow' | 'bond';

/**
 * xmit_hash_policy's unit (bonding.rst): layer2 (the default) hashes the MACs, layer2+3 and encap2+3 add the IP
 * addresses — one slave per peer here, where each peer has its own MAC and address; layer3+4 and encap3+4 add the
 * ports (for ICMP the flow dissector's identifier) — one slave per flow; vlan+srcmac hashes the bond's own source
 * MAC and VLAN — one slave for everything.
 */
export function hashUnit(policy: string | undefined): HashUnit {
  if (policy === 'layer3+4' || policy === 'encap3+4') return 'flow';
  if (policy === 'vlan+srcmac') return 'bond';
  return 'peer';
}

export interface LoadVerdict {
  verdict: Verdict;
  parts: ReasonPart[];
}

const pct = (x: number) => Math.round(x * 100);

/**
 * Judges a load step's spread for a mode run with `options` over `seconds`.
 * - balance-rr: packets in sequential order over the slaves — each slave within 35–65 % (two slaves);
 * - broadcast: every reply on every slave;
 * - active-backup: one slave (the active one) carries ≥ 95 %;
 * - balance-xor and 802.3ad: by xmit_hash_policy — no peer (layer2, layer2+3) or flow (layer3+4) split over slaves;
 * - balance-tlb and balance-alb: by load, a peer's replies on one slave at a time, moved at most once per
 *   rebalance interval (10 s); with tlb_dynamic_lb 0, tlb hashes as xor does.
 */
export function judgeLoad(mode: BondingMode, options: BondOptions, spread: LoadSpread, seconds: number): LoadVerdict {
  const shares = Object.values(spread.share);
  const vars = { jain: spread.jain.toFixed(2), peers: spread.peers, flows: spread.flows };
  const say = (verdict: Verdict, key: string, more: Record<string, string | number> = {}): LoadVerdict => ({
    verdict,
    parts: [{ key: `oracle.load.${key}`, vars: { ...vars, ...more } }],
  });
  switch (mode) {
    case 'balance-rr': {
      const even = shares.length > 1 && Math.min(...shares) >= 0.5 - 0.15 * (2 / shares.length);
      return say(even ? 'expected' : 'unexpected', even ? 'rrEven' : 'rrUneven', { min: pct(Math.min(...shares)) });
    }
    case 'broadcast': {
      const everywhere = Object.values(spread.replies).every((n) => n >= 0.95 * spread.distinct);
      return say(everywhere ? 'expected' : 'unexpected', everywhere ? 'broadcastAll' : 'broadcastMissing', {
        distinct: spread.distinct,
      });
    }
    case 'active-backup': {
      const one = Math.max(...shares) >= 0.95;
      return say(one ? 'expected' : 'unexpected', one ? 'activeOne' : 'activeSpread', {
        max: pct(Math.max(...shares)),
      });
    }
    case 'balance-xor':
    case '802.3ad':
      return byHash(hashUnit(options.xmit_hash_policy), options.xmit_hash_policy ?? 'layer2', spread, say);
    case 'balance-tlb':
    case 'balance-alb': {
      if (mode === 'balance-tlb' && options.tlb_dynamic_lb === 0) {
        return byHash(hashUnit(options.xmit_hash_policy), options.xmit_hash_policy ?? 'layer2', spread, say);
      }
      const allowed = Math.ceil(seconds / TLB_REBALANCE_SECONDS);
      const ok = spread.maxPeerMoves <= allowed;
      return say(ok ? 'expected' : 'unexpected', ok ? 'tlbPerPeer' : 'tlbMoved', {
        moves: spread.maxPeerMoves,
        allowed,
      });
    }
  }
}

function byHash(
  unit: HashUnit,
  policy: string,
  spread: LoadSpread,
  say: (verdict: Verdict, key: string, more?: Record<string, string | number>) => LoadVerdict,
): LoadVerdict {
  if (unit === 'bond') {
    const one = Math.max(...Object.values(spread.share)) >= 0.95;
    return say(one ? 'expected' : 'unexpected', one ? 'hashOne' : 'hashSpreadSrcMac', { policy });
  }
  const split = unit === 'flow' ? spread.splitFlows : spread.splitPeers;
  const key = unit === 'flow' ? 'hashPerFlow' : 'hashPerPeer';
  return say(split === 0 ? 'expected' : 'unexpected', split === 0 ? key : `${key}Split`, { policy, split });
}
