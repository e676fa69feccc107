/** Writes /etc/conf.d/net for a bond in the write-up's style or in current netifrc style. Pure. */
import type { BondingMode } from '../bonding/modes.js';
import { type BondConfig, resolveBondRequest } from '../bonding/options.js';
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

/**
 * The options beyond mode and miimon that differ from the driver's defaults, in the order the driver accepts
 * them on a fresh bond without slaves (fail_over_mac before any slave, ARP targets before arp_interval, primary
 * last): [sysfs option, value].
 */
export function extraBondOptions(config: BondConfig): [string, string][] {
  const options: [string, string][] = [];
  if (config.fail_over_mac !== 'none') options.push(['fail_over_mac', config.fail_over_mac]);
  if (config.arp_interval > 0) {
    options.push(['arp_ip_target', config.arp_ip_target.join(' ')], ['arp_interval', String(config.arp_interval)]);
  }
  if (config.updelay > 0) options.push(['updelay', String(config.updelay)]);
  if (config.downdelay > 0) options.push(['downdelay', String(config.downdelay)]);
  if (config.xmit_hash_policy !== 'layer2') options.push(['xmit_hash_policy', config.xmit_hash_policy]);
  if (config.lacp_rate && config.lacp_rate !== 'slow') options.push(['lacp_rate', config.lacp_rate]);
  if (config.ad_select !== 'stable') options.push(['ad_select', config.ad_select]);
  if (config.min_links !== 0) options.push(['min_links', String(config.min_links)]);
  // num_unsol_na is the same setting in the driver: writing num_grat_arp sets both.
  if (config.num_grat_arp !== 1) options.push(['num_grat_arp', String(config.num_grat_arp)]);
  if (config.lp_interval !== 1) options.push(['lp_interval', String(config.lp_interval)]);
  if (config.tlb_dynamic_lb === 0) options.push(['tlb_dynamic_lb', '0']);
  if (config.primary) options.push(['primary', config.primary]);
  return options;
}

/** The write-up's preup(): for the bond, write mode, miimon (and any other option) to sysfs before netifrc enslaves. */
export function renderPreup(config: BondConfig): string {
  const name = assertInterfaceName(config.bond, 'bond');
  const sysfs = `/sys/class/net/${name}/bonding`;
  const variable = (option: string) => `BOND_${option.toUpperCase()}`;
  const extra = extraBondOptions(config);
  const before = extra.filter(([option]) => option === 'fail_over_mac');
  const after = extra.filter(([option]) => option !== 'fail_over_mac');
  const echo = ([option]: [string, string]) =>
    option === 'arp_ip_target'
      ? `        for target in \${${variable(option)}}; do echo +\${target} >${sysfs}/arp_ip_target; done`
      : `        echo \${${variable(option)}} >${sysfs}/${option}`;
  return [
    'preup() {',
    '    # Adjusting the bonding mode / MII monitor',
    `    if [[ \${IFACE} == "${name}" ]] ; then`,
    `        BOND_MODE="${config.mode}"`,
    `        BOND_MIIMON="${config.miimon}"`,
    ...extra.map(([option, value]) => `        ${variable(option)}="${value}"`),
    `        echo \${BOND_MODE} >${sysfs}/mode`,
    ...before.map(echo),
    `        echo \${BOND_MIIMON}  >${sysfs}/miimon`,
    ...after.map(echo),
    '        einfo "Bonding mode is set to ${BOND_MODE} on ${IFACE}"',
    '        einfo "MII monitor interval is set to ${BOND_MIIMON} ms on ${IFACE}"',
    '    else',
    '        einfo "Doing nothing on ${IFACE}"',
    '    fi',
    '    return 0',
    '}',
    '',
  ].join('\n');
}

/** Current netifrc style: mode_bond0="…", miimon_bond0="…" and one variable per other option. */
export function bondOptionVars(config: BondConfig, ifvar: string): [string, string][] {
  return [['mode', config.mode], ['miimon', String(config.miimon)], ...extraBondOptions(config)].map(
    ([option, value]) => [`${option}_${ifvar}`, `${option}_${ifvar}="${value}"`],
  );
}

export function renderNetConf(input: NetConfInput): string {
  const mgmt = assertInterfaceName(input.management.iface, 'management.iface');
  const lines: string[] = ['# Written by BondBench.', ''];
  const bond = input.bond;
  if (bond) {
    assertInterfaceName(bond.name, 'bond.name');
    for (const [i, s] of bond.slaves.entries()) assertInterfaceName(s, `bond.slaves[${i}]`);
    if (!Number.isInteger(bond.miimon) || bond.miimon < 0) throw new Error('bond.miimon must be a whole number of ms');
    const { config } = resolveBondRequest({
      bond: bond.name,
      slaves: bond.slaves,
      mode: bond.mode,
      miimon: bond.miimon,
    });
    if (input.style === 'writeup') lines.push(renderPreup(config));
    lines.push(`config_${mgmt}=( "${assertIPv4Cidr(input.management.address, 'management.address')}" )`);
    lines.push(...routeLines(mgmt, input.management.routes));
    lines.push(`slaves_${config.bond}="${config.slaves.join(' ')}"`);
    if (input.style === 'modern') lines.push(...bondOptionVars(config, config.bond).map(([, line]) => line));
    lines.push(`config_${config.bond}=( "${assertIPv4Cidr(bond.address, 'bond.address')}" )`);
    lines.push(...routeLines(config.bond, bond.routes));
  } else {
    lines.push(`config_${mgmt}=( "${assertIPv4Cidr(input.management.address, 'management.address')}" )`);
    lines.push(...routeLines(mgmt, input.management.routes));
  }
  return `${lines.join('\n')}\n`;
}
