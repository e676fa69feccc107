import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/** The /etc/conf.d/net editor: changes only the bond's part, keeps every other byte, and real bash agrees. */

import { describe, expect, it } from 'vitest';
import { type BondRequest, resolveBondRequest } from '../../shared/bonding/options.js';
import { renderNetConf } from '../../shared/netifrc/confd.js';
import {
  ConfEditError,
  editBondConf,
  isBondPreup,
  parseConfD,
  readConfValue,
  removeBondConf,
  shellValueWords,
} from '../../shared/netifrc/editor.js';
import { sourceConfD } from '../support/bash.js';

const config = (request: Partial<BondRequest> = {}) =>
  resolveBondRequest({ mode: 'balance-rr', slaves: ['eth1', 'eth2'], ...request }).config;

/** The lab's own starting file: the write-up's /etc/conf.d/net. */
const labOriginal = renderNetConf({
  management: { iface: 'eth0', address: '10.77.0.2/24' },
  bond: { name: 'bond0', slaves: ['eth1', 'eth2'], mode: 'balance-rr', miimon: 100, address: '10.77.1.253/24' },
  style: 'writeup',
});

/** A hand-written Gentoo file with things the editor must leave alone. */
const gentoo = `# /etc/conf.d/net — hand written
# The management interface
config_eth0="192.168.0.253/24"
routes_eth0="default via 192.168.0.254"

dns_servers_eth0="192.168.0.1 192.168.0.2"   # two resolvers

config_eth3=(
    "10.0.0.5/24"
    "10.0.0.6/24 brd 10.0.0.255"
)

if [[ -e /etc/conf.d/net.local ]]; then
    config_eth4="dhcp"
fi

postup() {
    if [[ \${IFACE} == "eth3" ]]; then
        einfo "eth3 up: \${IFACE}"   # } a brace in a comment
    fi
    return 0
}

slaves_bond0="eth1 eth2"
mode_bond0="active-backup"
miimon_bond0="200"
config_bond0=( "192.168.1.253/24" )
routes_bond0=( "default via 192.168.0.254" )
fail_over_mac_bond0="active"
`;

describe('parsing /etc/conf.d/net into statements', () => {
  it('gives back every byte', () => {
    for (const text of [labOriginal, gentoo, 'config_eth0="x"', '', '\n\n# only a comment', 'a=( "1"\n "2" )\nb=1']) {
      expect(
        parseConfD(text)
          .map((s) => s.text)
          .join(''),
      ).toBe(text);
    }
  });

  it('sees multi-line arrays, functions and blocks as one statement each', () => {
    const statements = parseConfD(gentoo);
    const names = statements.filter((s) => s.kind === 'assignment').map((s) => s.name);
    expect(names).toEqual([
      'config_eth0',
      'routes_eth0',
      'dns_servers_eth0',
      'config_eth3',
      'slaves_bond0',
      'mode_bond0',
      'miimon_bond0',
      'config_bond0',
      'routes_bond0',
      'fail_over_mac_bond0',
    ]);
    expect(statements.find((s) => s.name === 'postup')?.text).toContain('return 0\n}\n');
    expect(statements.find((s) => s.kind === 'other')?.text).toContain('config_eth4="dhcp"\nfi\n');
    expect(readConfValue(gentoo, 'config_eth3')).toEqual(['10.0.0.5/24', '10.0.0.6/24 brd 10.0.0.255']);
    expect(readConfValue(gentoo, 'dns_servers_eth0')).toEqual(['192.168.0.1 192.168.0.2']);
    expect(readConfValue(gentoo, 'config_eth4')).toBeUndefined();
    expect(shellValueWords(`( "a b" 'c' d )`)).toEqual(['a b', 'c', 'd']);
  });
});

describe('editing the bond', () => {
  it('leaves the write-up file alone when it already says the same', () => {
    const edit = editBondConf(labOriginal, config(), 'writeup');
    expect(edit.text).toBe(labOriginal);
    expect(edit.changes).toEqual([]);
  });

  it('switches the write-up file to the modern style and back to the same bytes', () => {
    const modern = editBondConf(labOriginal, config({ mode: 'active-backup' }), 'modern');
    expect(modern.text).toBe(
      renderNetConf({
        management: { iface: 'eth0', address: '10.77.0.2/24' },
        bond: {
          name: 'bond0',
          slaves: ['eth1', 'eth2'],
          mode: 'active-backup',
          miimon: 100,
          address: '10.77.1.253/24',
        },
        style: 'modern',
      }),
    );
    expect(sourceConfD(modern.text, ['mode_bond0', 'miimon_bond0', 'preup()'])).toEqual({
      mode_bond0: 'active-backup',
      miimon_bond0: '100',
      'preup()': 'no',
    });
    expect(editBondConf(modern.text, config(), 'writeup').text).toBe(labOriginal);
  });

  it('write-up style with options: preup() writes them in the driver’s order and is recognised as its own', () => {
    const c = config({
      mode: 'active-backup',
      primary: 'eth2',
      fail_over_mac: 'active',
      arp_interval: 200,
      arp_ip_target: ['10.77.1.252', '10.77.1.254'],
    });
    const edit = editBondConf(labOriginal, c, 'writeup');
    const preup = parseConfD(edit.text).find((s) => s.name === 'preup')!;
    expect(isBondPreup(preup, 'bond0')).toBe(true);
    const lines = preup.text.split('\n').map((l) => l.trim());
    const at = (start: string) => lines.findIndex((l) => l.startsWith(start));
    expect(at('echo ${BOND_MODE}')).toBeLessThan(at('echo ${BOND_FAIL_OVER_MAC}'));
    expect(at('echo ${BOND_FAIL_OVER_MAC}')).toBeLessThan(at('echo ${BOND_MIIMON}'));
    expect(at('for target in ${BOND_ARP_IP_TARGET}')).toBeLessThan(at('echo ${BOND_ARP_INTERVAL}'));
    expect(lines).toContain('BOND_MIIMON="0"');
    expect(lines).toContain('echo ${BOND_PRIMARY} >/sys/class/net/bond0/bonding/primary');
    execFileSync('bash', ['-n'], { input: edit.text });
    // Editing again replaces that preup() instead of refusing it as someone else's.
    expect(editBondConf(edit.text, config(), 'writeup').text).toBe(labOriginal);
  });

  it('keeps everything it does not own in a hand-written file', () => {
    const edit = editBondConf(
      gentoo,
      config({ mode: '802.3ad', lacp_rate: 'fast', xmit_hash_policy: 'layer3+4' }),
      'modern',
    );
    const kept = parseConfD(gentoo).filter((s) => !/_bond0$/.test(s.name ?? ''));
    let from = 0;
    for (const statement of kept) {
      const at = edit.text.indexOf(statement.text, from);
      expect(at, `kept in order: ${statement.text}`).toBeGreaterThanOrEqual(from);
      from = at + statement.text.length;
    }
    expect(
      sourceConfD(edit.text, [
        'mode_bond0',
        'miimon_bond0',
        'lacp_rate_bond0',
        'xmit_hash_policy_bond0',
        'fail_over_mac_bond0',
        'config_bond0',
        'routes_bond0',
        'config_eth3',
      ]),
    ).toEqual({
      mode_bond0: '802.3ad',
      miimon_bond0: '100',
      lacp_rate_bond0: 'fast',
      xmit_hash_policy_bond0: 'layer3+4',
      // Not set by this configuration: the old value must not linger.
      fail_over_mac_bond0: '',
      config_bond0: '192.168.1.253/24',
      routes_bond0: 'default via 192.168.0.254',
      config_eth3: '10.0.0.5/24 10.0.0.6/24 brd 10.0.0.255',
    });
    expect(edit.changes).toContain('fail_over_mac_bond0: removed');
    expect(edit.changes).toContain('mode_bond0: "active-backup" → "802.3ad"');
  });

  it('replaces config_bond0 only when a new address is given', () => {
    const edit = editBondConf(gentoo, config({ address: '192.168.1.10/24' }), 'modern');
    expect(readConfValue(edit.text, 'config_bond0')).toEqual(['192.168.1.10/24']);
    expect(readConfValue(edit.text, 'routes_bond0')).toEqual(['default via 192.168.0.254']);
  });

  it('adds the bond to a file without one, after the rest', () => {
    const edit = editBondConf('# mine\nconfig_eth0="dhcp"', config({ address: '10.0.0.1/24' }), 'modern');
    expect(edit.text).toBe(
      '# mine\nconfig_eth0="dhcp"\nslaves_bond0="eth1 eth2"\nmode_bond0="balance-rr"\nmiimon_bond0="100"\nconfig_bond0=( "10.0.0.1/24" )\n',
    );
  });

  it('an indented line that already says what the plan wants is no change (issue 16 fixture)', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'netifrc', 'issue-16-indented.conf'), 'utf8');
    const wanted = resolveBondRequest({ mode: 'balance-rr', slaves: ['eth0', 'eth1'], miimon: 100 }).config;
    expect(editBondConf(text, wanted, 'modern')).toEqual({ text, changes: [] });
    // The same words in another form is a change: an array is not a scalar to netifrc.
    const array = text.replace('slaves_bond0="eth0 eth1"', 'slaves_bond0=( "eth0 eth1" )');
    expect(editBondConf(array, wanted, 'modern').changes).toEqual(['slaves_bond0: ( "eth0 eth1" ) → "eth0 eth1"']);
    // A different value on an indented line: rewritten, and said.
    const other = editBondConf(text, { ...wanted, miimon: 200 }, 'modern');
    expect(other.changes).toEqual(['miimon_bond0: "100" → "200"']);
    expect(readConfValue(other.text, 'slaves_bond0')).toEqual(['eth0 eth1']);
  });

  it('drops duplicate assignments of an owned variable', () => {
    const edit = editBondConf(`${labOriginal}slaves_bond0="eth3"\n`, config(), 'writeup');
    expect(edit.text).toBe(labOriginal);
  });

  it('refuses a preup() it does not own instead of mangling it', () => {
    const foreign = `preup() {\n    ip link set "\${IFACE}" mtu 9000\n    return 0\n}\n${gentoo}`;
    expect(() => editBondConf(foreign, config(), 'writeup')).toThrow(ConfEditError);
    expect(() => editBondConf(foreign, config(), 'writeup')).toThrow(
      /already has a preup\(\) \(line 1\).*--style modern/,
    );
    // The modern style does not need preup(): keep it.
    expect(editBondConf(foreign, config(), 'modern').text).toContain('ip link set "${IFACE}" mtu 9000');
    const overriding = `preup() {\n    echo 1 >/sys/class/net/bond0/bonding/mode\n    ip link set "\${IFACE}" mtu 9000\n}\n`;
    expect(() => editBondConf(overriding, config(), 'modern')).toThrow(/writes bond0's sysfs options/);
  });

  it('removes the bond, leaving the management interface', () => {
    const edit = removeBondConf(labOriginal, 'bond0');
    expect(edit.text).toBe('# Written by BondBench.\n\nconfig_eth0=( "10.77.0.2/24" )\n');
    expect(edit.changes).toEqual(['preup(): removed', 'slaves_bond0: removed', 'config_bond0: removed']);
  });

  it('refuses shell metacharacters before writing anything', () => {
    expect(() => editBondConf(labOriginal, { ...config(), bond: 'bond0;reboot' }, 'modern')).toThrow(/bond/);
    expect(() => resolveBondRequest({ mode: 'balance-rr', slaves: ['eth1', '$(reboot)'] })).toThrow(/slaves\[1\]/);
  });
});
