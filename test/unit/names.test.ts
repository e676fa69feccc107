import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  assertInterfaceName,
  assertIPv4,
  assertIPv4Cidr,
  assertMac,
  InvalidValueError,
  shellCommand,
} from '../../shared/net/names.js';

describe('interface names', () => {
  it.each(['eth0', 'bond0', 'enp3s0f1', 'br-lan', 'wlan0.100', 'a'])('accepts %s', (name) => {
    expect(assertInterfaceName(name)).toBe(name);
  });

  it.each([
    ['', 'non-empty'],
    ['eth0; reboot', 'only letters'],
    ['$(id)', 'only letters'],
    ['eth 1', 'only letters'],
    ['a/b', 'only letters'],
    ['..', 'not a valid'],
    ['abcdefghijklmnop', '15 characters'],
  ])('refuses %j and says why', (name, why) => {
    expect(() => assertInterfaceName(name, 'bond.slaves[0]')).toThrow(InvalidValueError);
    expect(() => assertInterfaceName(name, 'bond.slaves[0]')).toThrow(why);
    expect(() => assertInterfaceName(name, 'bond.slaves[0]')).toThrow(/^bond\.slaves\[0\]/);
  });
});

describe('addresses', () => {
  it('accepts and refuses IPv4', () => {
    expect(assertIPv4('192.168.1.253')).toBe('192.168.1.253');
    for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4x', '1.2.3.4 ', '1.2.3.4;ls']) {
      expect(() => assertIPv4(bad)).toThrow(/IPv4 address/);
    }
  });

  it('accepts and refuses CIDR', () => {
    expect(assertIPv4Cidr('10.77.1.253/24')).toBe('10.77.1.253/24');
    for (const bad of ['10.77.1.253', '10.77.1.253/33', '10.77.1.253/24/1', 'x/24']) {
      expect(() => assertIPv4Cidr(bad)).toThrow(/with prefix/);
    }
  });

  it('normalises MACs to lower case', () => {
    expect(assertMac('00:E0:4C:83:07:9C')).toBe('00:e0:4c:83:07:9c');
    expect(() => assertMac('00:e0:4c:83:07')).toThrow(/MAC address/);
  });
});

describe('shell quoting', () => {
  it('survives a real shell for hostile words', () => {
    const words = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '"q"', '\\', ';', '', 'ünï'];
    const out = execFileSync('bash', ['-c', `printf '%s\\0' ${shellCommand(words)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });
});
