import { describe, expect, it } from 'vitest';
import { renderNetConf } from '../../shared/netifrc/confd.js';
import { sourceConfD } from '../support/bash.js';

const bond = {
  name: 'bond0',
  slaves: ['eth1', 'eth2'],
  mode: 'active-backup' as const,
  miimon: 100,
  address: '192.168.1.253/24',
  routes: ['default via 192.168.0.254'],
};
const management = { iface: 'eth0', address: '192.168.0.253/24', routes: ['default via 192.168.0.254'] };

const NAMES = ['config_eth0', 'routes_eth0', 'slaves_bond0', 'config_bond0', 'mode_bond0', 'miimon_bond0', 'preup()'];
const sourceWithBash = (conf: string) => sourceConfD(conf, NAMES);

describe('/etc/conf.d/net rendering', () => {
  it('writes the write-up style: preup() writing sysfs, config_/routes_, slaves_bond0', () => {
    const conf = renderNetConf({ management, bond, style: 'writeup' });
    expect(conf).toContain('echo ${BOND_MODE} >/sys/class/net/bond0/bonding/mode');
    expect(conf).toContain('BOND_MODE="active-backup"');
    expect(sourceWithBash(conf)).toEqual({
      config_eth0: '192.168.0.253/24',
      routes_eth0: 'default via 192.168.0.254',
      slaves_bond0: 'eth1 eth2',
      config_bond0: '192.168.1.253/24',
      mode_bond0: '',
      miimon_bond0: '',
      'preup()': 'yes',
    });
  });

  it('writes the modern style with mode_bond0 and miimon_bond0 and no preup', () => {
    const vars = sourceWithBash(renderNetConf({ management, bond: { ...bond, mode: 'balance-alb' }, style: 'modern' }));
    expect(vars.mode_bond0).toBe('balance-alb');
    expect(vars.miimon_bond0).toBe('100');
    expect(vars['preup()']).toBe('no');
  });

  it('writes a standalone host with no bond', () => {
    const vars = sourceWithBash(renderNetConf({ management, style: 'writeup' }));
    expect(vars.slaves_bond0).toBe('');
    expect(vars.config_eth0).toBe('192.168.0.253/24');
  });

  it('refuses values that would break the file, naming the field', () => {
    expect(() =>
      renderNetConf({ management, bond: { ...bond, slaves: ['eth1', 'eth2"; reboot; "'] }, style: 'modern' }),
    ).toThrow(/bond\.slaves\[1\]/);
    expect(() => renderNetConf({ management, bond: { ...bond, address: '192.168.1.253' }, style: 'modern' })).toThrow(
      /bond\.address/,
    );
    expect(() =>
      renderNetConf({ management: { ...management, routes: ['default via $(reboot)'] }, style: 'writeup' }),
    ).toThrow(/routes_eth0/);
  });
});
