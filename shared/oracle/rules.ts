/**
 * Where each column's rule comes from: the documents the oracle (oracle.ts) follows, as a reader would look them
 * up. The rule itself, in words, is the message `analysis.rule.<column>`; these citations are not translated
 * (they name documents and options). Pure.
 */
import type { MatrixColumn } from '../run/model.js';

export const RULE_SOURCES: Readonly<Record<MatrixColumn, string>> = {
  eth1Mac:
    'Documentation/networking/bonding.rst, “Bonding Driver Options”: mode (balance-tlb, balance-alb), fail_over_mac',
  eth2Mac:
    'Documentation/networking/bonding.rst, “Bonding Driver Options”: mode (balance-tlb, balance-alb), fail_over_mac',
  arpAtBoot:
    'drivers/net/bonding/bond_main.c (bond_enslave sends no ARP; gratuitous ARP only at failover: num_grat_arp in bonding.rst “Bonding Driver Options”)',
  loadBalancing: 'Documentation/networking/bonding.rst, “Bonding Driver Options”: mode, xmit_hash_policy',
  faultTolerance:
    'Documentation/networking/bonding.rst, “Bonding Driver Options”: mode; “Link Monitoring”: MII monitor operation, miimon 0 and arp_interval 0 (no monitoring)',
  failoverMs:
    'Documentation/networking/bonding.rst, “Link Monitoring”, “Bonding Driver Options”: miimon, downdelay, num_grat_arp, lacp_rate, balance-tlb/balance-alb; include/net/bonding.h bond_slave_can_tx(); drivers/net/bonding/bond_alb.c (ALB_TIMER_TICKS_PER_SEC, RLB_UPDATE_DELAY, learning frames); IEEE 802.1AX §6.4 (LACP timeouts); RFC 6413 §4.1 (convergence from loss); shared/oracle/failover.ts',
};
