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
    'Documentation/networking/bonding.rst, “Bonding Driver Options”: mode; “Link Monitoring”: MII monitor operation',
  failoverMs:
    'Documentation/networking/bonding.rst, “Bonding Driver Options”: miimon, downdelay; RFC 6413 (convergence from loss)',
};
