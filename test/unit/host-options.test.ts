/** The bond request checks (driver rules) and the runtime script built from them. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configFromState, removeBondScript, runtimeScript } from '../../main/host/runtime.js';
import type { LiveBondState } from '../../main/host/system.js';
import { type BondRequest, compareSysfs, expectedSysfs, resolveBondRequest } from '../../shared/bonding/options.js';
import { InvalidValueError } from '../../shared/net/names.js';

const request: BondRequest = { mode: 'active-backup', slaves: ['eth1', 'eth2'] };

describe('bond requests against the driver’s rules', () => {
  it('fills in the driver defaults and the write-up’s miimon', () => {
    expect(resolveBondRequest({ mode: 4, slaves: ['eth1', 'eth2'] })).toEqual({
      config: {
        bond: 'bond0',
        mode: '802.3ad',
        slaves: ['eth1', 'eth2'],
        miimon: 100,
        updelay: 0,
        downdelay: 0,
        xmitHashPolicy: 'layer2',
        failOverMac: 'none',
        lacpRate: 'slow',
        arpInterval: 0,
        arpIpTargets: [],
        numGratArp: 1,
      },
      notes: [],
    });
  });

  it('rounds delays down to a multiple of miimon, as the driver does, and says so', () => {
    const { config, notes } = resolveBondRequest({ ...request, miimon: 100, updelay: 250, downdelay: 99 });
    expect([config.updelay, config.downdelay]).toEqual([200, 0]);
    expect(notes).toEqual([
      'updelay 250 ms rounded down to 200 ms, a multiple of miimon 100',
      'downdelay 99 ms rounded down to 0 ms, a multiple of miimon 100',
    ]);
  });

  it('keeps miimon and the ARP monitor apart, and the ARP monitor out of 802.3ad, tlb and alb', () => {
    expect(resolveBondRequest({ ...request, arpInterval: 200, arpIpTargets: ['10.77.1.252'] }).config).toMatchObject({
      miimon: 0,
      arpInterval: 200,
    });
    expect(() =>
      resolveBondRequest({ ...request, miimon: 100, arpInterval: 200, arpIpTargets: ['10.77.1.252'] }),
    ).toThrow(/exclude each other/);
    expect(() =>
      resolveBondRequest({ mode: 'balance-alb', slaves: ['eth1'], arpInterval: 200, arpIpTargets: ['10.0.0.1'] }),
    ).toThrow(/not allowed in balance-alb/);
    expect(() => resolveBondRequest({ ...request, arpInterval: 200 })).toThrow(/at least one address/);
    expect(() => resolveBondRequest({ ...request, arpIpTargets: ['10.0.0.1'] })).toThrow(/needs arp_interval/);
    expect(() => resolveBondRequest({ ...request, miimon: 0, updelay: 200 })).toThrow(/updelay.*only with miimon/);
  });

  it('refuses options that do not belong to the mode', () => {
    expect(() => resolveBondRequest({ ...request, lacpRate: 'fast' })).toThrow(/lacp_rate.*only to 802.3ad/);
    expect(() => resolveBondRequest({ mode: 'balance-rr', slaves: ['eth1', 'eth2'], primary: 'eth1' })).toThrow(
      /primary.*not balance-rr/,
    );
    expect(() => resolveBondRequest({ ...request, primary: 'eth3' })).toThrow(/must be one of the slaves/);
    expect(() => resolveBondRequest({ ...request, tlbDynamicLb: false })).toThrow(/only to balance-tlb/);
    expect(resolveBondRequest({ ...request, xmitHashPolicy: 'layer3+4' }).notes).toContain(
      'xmit_hash_policy has no effect in active-backup mode',
    );
  });

  it('refuses shell metacharacters and other bad values, naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ slaves: ['eth1', 'eth2; reboot'] }, /slaves\[1\]/],
      [{ slaves: ['$(id)'] }, /slaves\[0\]/],
      [{ bond: 'bond0`id`' }, /^bond:/],
      [{ primary: 'eth1|x' }, /primary/],
      [{ xmitHashPolicy: 'layer2;id' }, /xmit_hash_policy/],
      [{ failOverMac: 'active && reboot' }, /fail_over_mac/],
      [{ arpInterval: 100, miimon: 0, arpIpTargets: ['10.0.0.1; reboot'] }, /arp_ip_target\[0\]/],
      [{ miimon: -1 }, /miimon/],
      [{ miimon: 1.5 }, /miimon/],
      [{ numGratArp: 256 }, /num_grat_arp/],
      [{ address: '10.0.0.1/24 dev eth0' }, /address/],
      [{ slaves: [] }, /slaves/],
      [{ slaves: ['eth1', 'eth1'] }, /twice/],
      [{ slaves: ['bond0'] }, /bond0 itself/],
      [{ mode: 'turbo' }, /unknown bonding mode/],
    ];
    for (const [change, message] of bad) {
      expect(() => resolveBondRequest({ ...request, ...change } as never), JSON.stringify(change)).toThrow(message);
    }
    expect(() => resolveBondRequest({ ...request, slaves: ['eth1;id'] })).toThrow(InvalidValueError);
  });

  it('compares sysfs read-back by option name, slaves as a set', () => {
    const { config } = resolveBondRequest({ ...request, primary: 'eth2' });
    const expected = expectedSysfs(config);
    expect(expected).toMatchObject({ mode: 'active-backup', primary: 'eth2', slaves: 'eth1 eth2' });
    const actual = { ...expected, mode: 'active-backup 1', slaves: 'eth2 eth1', fail_over_mac: 'none 0' };
    expect(compareSysfs(expected, actual)).toEqual([]);
    expect(compareSysfs(expected, { ...actual, miimon: '200', primary: '' })).toEqual([
      { option: 'miimon', expected: '100', actual: '200' },
      { option: 'primary', expected: 'eth2', actual: '' },
    ]);
  });
});

describe('the runtime script', () => {
  const lines = (script: string) => script.split('\n');
  const index = (script: string, start: string) => lines(script).findIndex((l) => l.startsWith(start));

  it('follows the driver’s order and is valid shell', () => {
    const { config } = resolveBondRequest({ ...request, failOverMac: 'active', primary: 'eth2', updelay: 200 });
    const script = runtimeScript({ config, routes: [{ dst: 'default', gateway: '10.77.1.1' }] });
    execFileSync('bash', ['-n'], { input: script });
    execFileSync('sh', ['-n'], { input: script });
    const release = index(script, 'for s in $(cat "$B/slaves"); do w slaves "-$s"; done');
    expect(index(script, 'run "take bond0 down"')).toBeLessThan(release);
    expect(release).toBeLessThan(index(script, 'w mode active-backup'));
    expect(index(script, 'w mode')).toBeLessThan(index(script, 'w fail_over_mac active'));
    expect(index(script, 'w miimon 100')).toBeLessThan(index(script, 'w updelay 200'));
    expect(index(script, 'w fail_over_mac')).toBeLessThan(index(script, 'w slaves +eth1'));
    expect(index(script, 'w slaves +eth2')).toBeLessThan(index(script, 'run "bring bond0 up"'));
    expect(index(script, 'run "bring bond0 up"')).toBeLessThan(index(script, 'run "route default"'));
    expect(script).toContain('ip route replace default via 10.77.1.1 dev bond0');
    expect(script).toContain('w primary eth2');
    // Written only to reset it while leaving 802.3ad, never set for this mode.
    expect(script).not.toMatch(/^w lacp_rate/m);
    expect(script).toContain('802.3ad) [ "$(cut -d" " -f1 "$B/lacp_rate")" = slow ] || w lacp_rate slow');
    expect(script).not.toContain('ip -4 addr flush dev bond0');
  });

  it('stops the ARP monitor before changing mode, and sets targets before the interval', () => {
    const { config } = resolveBondRequest({ ...request, arpInterval: 200, arpIpTargets: ['10.77.1.252'] });
    const script = runtimeScript({ config, addresses: ['10.77.1.253/24'], routes: [] });
    expect(index(script, 'if [ "$(cat "$B/arp_interval")" != 0 ]')).toBeLessThan(index(script, 'w mode'));
    expect(index(script, 'w arp_ip_target +10.77.1.252')).toBeLessThan(index(script, 'w arp_interval 200'));
    expect(script).not.toContain('w updelay');
    expect(script).toContain('ip addr add 10.77.1.253/24 broadcast + dev bond0');
  });

  it('rebuilds a saved bond from its sysfs options', () => {
    const saved: LiveBondState = {
      bond: 'bond0',
      exists: true,
      up: true,
      options: {
        mode: 'balance-tlb 5',
        miimon: '100',
        updelay: '0',
        downdelay: '0',
        xmit_hash_policy: 'layer2 0',
        fail_over_mac: 'none 0',
        arp_interval: '0',
        arp_ip_target: '',
        num_grat_arp: '1',
        lacp_rate: 'fast 1',
        primary: '',
        tlb_dynamic_lb: '0',
        slaves: 'eth1 eth2',
      },
      slaves: ['eth1', 'eth2'],
      addresses: ['10.77.1.253/24'],
      routes: [],
      interfaces: {},
    };
    const config = configFromState(saved);
    // lacp_rate is 802.3ad-only: a stale value from an earlier mode is not carried along.
    expect(config).toMatchObject({ mode: 'balance-tlb', tlbDynamicLb: false, primary: '' });
    expect(config.lacpRate).toBeUndefined();
    expect(compareSysfs(expectedSysfs(config), saved.options!)).toEqual([]);
    expect(() => configFromState({ ...saved, options: { ...saved.options, miimon: '100; reboot' } })).toThrow(/miimon/);
    expect(removeBondScript('bond0', [{ name: 'eth1', up: true, addresses: ['10.0.0.1/24'] }])).toContain(
      'ip addr add 10.0.0.1/24 broadcast + dev eth1',
    );
  });
});
