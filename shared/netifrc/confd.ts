/** Writes /etc/conf.d/net for a bond in the write-up's style or in current netifrc style. Pure. */
import { type BondingMode, parseBondingMode } from '../bonding/modes.js';
import { assertInterfaceName, assertIPv4Cidr } from '../net/names.js';

export interface NetConfInput {
  management: { iface: string; address: string; routes?: string[] };
  /** Omit for a host without a bond (the write-up's standalone baseline). */
  bond?: {
    name: string;
    slaves: string[];
    mode: BondingMode;
    miimon: number;
    address: string;
    routes?: string[];
  };
  /** writeup: a preup() that writes mode and miimon through sysfs; modern: mode_bond0= / miimon_bond0=. */
  style: 'writeup' | 'modern';
}

const ROUTE = /^(default|\d{1,3}(\.\d{1,3}){3}\/\d{1,2}) via \d{1,3}(\.\d{1,3}){3}$/;

function routeLines(iface: string, routes: string[] | undefined): string[] {
  if (!routes?.length) return [];
  for (const route of routes) {
    if (!ROUTE.test(route))
      throw new Error(`routes_${iface}: ${JSON.stringify(route)} must look like "default via 10.77.0.254"`);
  }
  return [`routes_${iface}=( ${routes.map((r) => `"${r}"`).join(' ')} )`];
}

export function renderNetConf(input: NetConfInput): string {
  const mgmt = assertInterfaceName(input.management.iface, 'management.iface');
  const lines: string[] = ['# Written by BondBench.', ''];
  const bond = input.bond;
  if (bond) {
    const name = assertInterfaceName(bond.name, 'bond.name');
    const slaves = bond.slaves.map((s, i) => assertInterfaceName(s, `bond.slaves[${i}]`));
    const mode = parseBondingMode(bond.mode);
    if (!Number.isInteger(bond.miimon) || bond.miimon < 0) throw new Error('bond.miimon must be a whole number of ms');
    if (input.style === 'writeup') {
      lines.push(
        'preup() {',
        '    # Adjusting the bonding mode / MII monitor',
        `    if [[ \${IFACE} == "${name}" ]] ; then`,
        `        BOND_MODE="${mode}"`,
        `        BOND_MIIMON="${bond.miimon}"`,
        `        echo \${BOND_MODE} >/sys/class/net/${name}/bonding/mode`,
        `        echo \${BOND_MIIMON}  >/sys/class/net/${name}/bonding/miimon`,
        '        einfo "Bonding mode is set to ${BOND_MODE} on ${IFACE}"',
        '        einfo "MII monitor interval is set to ${BOND_MIIMON} ms on ${IFACE}"',
        '    else',
        '        einfo "Doing nothing on ${IFACE}"',
        '    fi',
        '    return 0',
        '}',
        '',
      );
    }
    lines.push(`config_${mgmt}=( "${assertIPv4Cidr(input.management.address, 'management.address')}" )`);
    lines.push(...routeLines(mgmt, input.management.routes));
    lines.push(`slaves_${name}="${slaves.join(' ')}"`);
    if (input.style === 'modern') lines.push(`mode_${name}="${mode}"`, `miimon_${name}="${bond.miimon}"`);
    lines.push(`config_${name}=( "${assertIPv4Cidr(bond.address, 'bond.address')}" )`);
    lines.push(...routeLines(name, bond.routes));
  } else {
    lines.push(`config_${mgmt}=( "${assertIPv4Cidr(input.management.address, 'management.address')}" )`);
    lines.push(...routeLines(mgmt, input.management.routes));
  }
  return `${lines.join('\n')}\n`;
}
