/** The smallest valid plan file (a real host, two slaves, two modes), for tests that break or extend it. */
export const MINIMAL_PLAN = `version: 1
host:
  target: root@192.168.0.253
bond:
  slaves: [eth1, eth2]
  address: 192.168.1.253/24
  peer: 192.168.1.252
modes: [balance-rr, active-backup]
`;
