/** The bond request checks (driver rules) and the runtime script built from them. */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromState, removeBondScript, runtimeScript } from '../../main/host/runtime.js';
import type { LiveBondState } from '../../main/host/system.js';
import {
  type BondRequest,
  checkBondRequest,
  compareSysfs,
  expectedSysfs,
  optionalSysfs,
  resolveBondRequest,
} from '../../shared/bonding/options.js';
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
        xmit_hash_policy: 'layer2',
        fail_over_mac: 'none',
        lacp_rate: 'slow',
        arp_interval: 0,
        arp_ip_target: [],
        num_grat_arp: 1,
        ad_select: 'stable',
        min_links: 0,
        lp_interval: 1,
        asked: [],
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
    expect(resolveBondRequest({ ...request, arp_interval: 200, arp_ip_target: ['10.77.1.252'] }).config).toMatchObject({
      miimon: 0,
      arp_interval: 200,
    });
    expect(() =>
      resolveBondRequest({ ...request, miimon: 100, arp_interval: 200, arp_ip_target: ['10.77.1.252'] }),
    ).toThrow(/exclude each other/);
    expect(() =>
      resolveBondRequest({ mode: 'balance-alb', slaves: ['eth1'], arp_interval: 200, arp_ip_target: ['10.0.0.1'] }),
    ).toThrow(/ARP monitor does not run in balance-alb mode/);
    expect(() => resolveBondRequest({ ...request, arp_interval: 200 })).toThrow(/at least one address/);
    expect(() => resolveBondRequest({ ...request, arp_ip_target: ['10.0.0.1'] })).toThrow(/needs arp_interval/);
    expect(() => resolveBondRequest({ ...request, miimon: 0, updelay: 200 })).toThrow(/updelay.*only with miimon/);
  });

  it('refuses options that do not belong to the mode', () => {
    expect(() => resolveBondRequest({ ...request, lacp_rate: 'fast' })).toThrow(/lacp_rate.*only to 802.3ad/);
    expect(() => resolveBondRequest({ mode: 'balance-rr', slaves: ['eth1', 'eth2'], primary: 'eth1' })).toThrow(
      /primary.*not balance-rr/,
    );
    expect(() => resolveBondRequest({ ...request, primary: 'eth3' })).toThrow(/must be one of the slaves/);
    expect(() => resolveBondRequest({ ...request, tlb_dynamic_lb: 0 })).toThrow(/only to balance-tlb/);
    expect(resolveBondRequest({ ...request, xmit_hash_policy: 'layer3+4' }).notes).toContain(
      'xmit_hash_policy has no effect in active-backup mode',
    );
  });

  it('refuses shell metacharacters and other bad values, naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ slaves: ['eth1', 'eth2; reboot'] }, /slaves\[1\]/],
      [{ slaves: ['$(id)'] }, /slaves\[0\]/],
      [{ bond: 'bond0`id`' }, /^bond:/],
      [{ primary: 'eth1|x' }, /primary/],
      [{ xmit_hash_policy: 'layer2;id' }, /xmit_hash_policy/],
      [{ fail_over_mac: 'active && reboot' }, /fail_over_mac/],
      [{ arp_interval: 100, miimon: 0, arp_ip_target: ['10.0.0.1; reboot'] }, /arp_ip_target\[0\]/],
      [{ miimon: -1 }, /miimon/],
      [{ miimon: 1.5 }, /miimon/],
      [{ num_grat_arp: 256 }, /num_grat_arp/],
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
    const { config } = resolveBondRequest({ ...request, fail_over_mac: 'active', primary: 'eth2', updelay: 200 });
    const script = runtimeScript({ config, routes: [{ dst: 'default', gateway: '10.77.1.1' }] });
    execFileSync('bash', ['-n'], { input: script });
    execFileSync('sh', ['-n'], { input: script });
    const release = index(script, 'line "$B/slaves"; for s in $v; do w slaves "-$s"; done');
    expect(index(script, "ipb 'take bond0 down")).toBeLessThan(release);
    expect(release).toBeLessThan(index(script, 'w mode active-backup'));
    expect(index(script, 'w mode')).toBeLessThan(index(script, 'w fail_over_mac active'));
    expect(index(script, 'w miimon 100')).toBeLessThan(index(script, 'w updelay 200'));
    expect(index(script, 'w fail_over_mac')).toBeLessThan(index(script, 'w slaves +eth1'));
    expect(script).toContain(
      "ipb 'take bond0 down\nclear the addresses of eth1\ntake eth1 down\nclear the addresses of eth2",
    );
    expect(release).toBeLessThan(index(script, 'w slaves +eth1'));
    expect(index(script, 'w slaves +eth2')).toBeLessThan(index(script, "ipb 'bring bond0 up"));
    // Bond up, slaves up, then the route: one batch, in that order.
    expect(script).toMatch(
      /link set dev bond0 up\nlink set dev eth1 up\nlink set dev eth2 up\nroute replace default via 10\.77\.1\.1 dev bond0'$/m,
    );
    expect(script).toContain('w primary eth2');
    // Written only to reset it while leaving 802.3ad, never set for this mode.
    expect(script).not.toMatch(/^w lacp_rate/m);
    expect(script).toContain('802.3ad) first "$B/lacp_rate"; [ "$v" = slow ] || w lacp_rate slow');
    expect(script).not.toContain('addr flush dev bond0');
  });

  it('forks nothing of its own, and a failed write still names the option and says why', () => {
    const { config } = resolveBondRequest({ ...request, arp_interval: 200, arp_ip_target: ['10.77.1.252'] });
    const script = runtimeScript({ config, addresses: ['10.77.1.253/24'], routes: [] });
    // Command substitutions fork a subshell each, ip costs a process a call: what an emulated host spends a
    // bring-up on. One substitution, in the batch runner; two ip processes (bond and slaves down, the rest).
    const body = script.split('\n').filter((l) => !l.startsWith('ipb() {'));
    expect(body.filter((l) => l.includes('$('))).toEqual([]);
    expect(body.filter((l) => /(^|[ ;])ip /.test(l) || l.startsWith('ipb '))).toHaveLength(2);
    expect(
      removeBondScript('bond0', [])
        .split('\n')
        .filter((l) => l.includes('$(') && !l.startsWith('ipb() {')),
    ).toEqual([]);
    const prelude = script
      .split('\n')
      .slice(0, script.split('\n').findIndex((l) => l.startsWith('d() {')) + 1)
      .join('\n');
    for (const shell of ['sh', 'bash']) {
      // A bond directory that is not there: the write fails as a refused sysfs write would.
      const run = spawnSync(shell, ['-c', `${prelude}\nB=/nonexistent/bonding\nw miimon 100\necho not reached`], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^BONDBENCH-FAILED option miimon=100$/m);
      expect(run.stderr).toMatch(/nonexistent\/bonding\/miimon/);
      const step = spawnSync(shell, ['-c', `${prelude}\nrun "list a missing file" ls /nonexistent-file`], {
        encoding: 'utf8',
      });
      expect(step.status).toBe(1);
      expect(step.stderr).toMatch(/^BONDBENCH-FAILED step list a missing file$/m);
      expect(step.stderr).toMatch(/nonexistent-file/);
      // A batch that ip stops in: the step it stopped at is named, ip's message kept (a stand-in ip on PATH).
      const bin = execFileSync('mktemp', ['-d']).toString().trim();
      writeFileSync(
        join(bin, 'ip'),
        '#!/bin/sh\n[ "$1 $2 $3" = "-4 -batch -" ] || exit 9\ncat > /dev/null\necho \'Cannot find device "eth1"\' >&2\necho \'Command failed -:3\' >&2\nexit 1\n',
        { mode: 0o755 },
      );
      // The batch's quoted arguments span lines: up to the release of the slaves.
      const batch = script.slice(script.indexOf("ipb 'take bond0 down"), script.indexOf('\nline "$B/slaves"'));
      const failed = spawnSync(shell, ['-c', `${prelude}\n${batch}\necho not reached`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      execFileSync('rm', ['-rf', bin]);
      expect(failed.status).toBe(1);
      expect(failed.stdout).toBe('');
      expect(failed.stderr).toMatch(/^BONDBENCH-FAILED step take eth1 down$/m);
      expect(failed.stderr).toMatch(/Cannot find device "eth1"/);
    }
  });

  it('stops the ARP monitor before changing mode, and sets targets before the interval', () => {
    const { config } = resolveBondRequest({ ...request, arp_interval: 200, arp_ip_target: ['10.77.1.252'] });
    const script = runtimeScript({ config, addresses: ['10.77.1.253/24'], routes: [] });
    expect(index(script, 'line "$B/arp_interval"; if [ "$v" != 0 ]')).toBeLessThan(index(script, 'w mode'));
    expect(index(script, 'w arp_ip_target +10.77.1.252')).toBeLessThan(index(script, 'w arp_interval 200'));
    expect(script).not.toContain('w updelay');
    expect(script).toContain('addr flush dev bond0\naddr add 10.77.1.253/24 broadcast + dev bond0');
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
    expect(config).toMatchObject({ mode: 'balance-tlb', tlb_dynamic_lb: 0, primary: '' });
    expect(config.lacp_rate).toBeUndefined();
    // A kernel without ad_select, min_links, lp_interval files: nothing asked of them, so no mismatch.
    expect(compareSysfs(expectedSysfs(config), saved.options!, optionalSysfs(config))).toEqual([]);
    expect(compareSysfs(expectedSysfs(config), saved.options!).map((m) => m.option)).toEqual([
      'num_unsol_na',
      'ad_select',
      'min_links',
      'lp_interval',
    ]);
    expect(() => configFromState({ ...saved, options: { ...saved.options, miimon: '100; reboot' } })).toThrow(/miimon/);
    expect(removeBondScript('bond0', [{ name: 'eth1', up: true, addresses: ['10.0.0.1/24'] }])).toContain(
      'addr flush dev eth1\naddr add 10.0.0.1/24 broadcast + dev eth1\nlink set dev eth1 up',
    );
  });
});

describe('options the plan once accepted and never applied', () => {
  it('resolves ad_select, min_links, num_unsol_na, lp_interval and expects them in sysfs', () => {
    const { config } = resolveBondRequest({
      mode: '802.3ad',
      slaves: ['eth1', 'eth2'],
      ad_select: 'count',
      min_links: 2,
      num_unsol_na: 4,
      lp_interval: 5,
    });
    expect(config.asked).toEqual(['ad_select', 'min_links', 'num_unsol_na', 'lp_interval']);
    expect(expectedSysfs(config)).toMatchObject({
      ad_select: 'count',
      min_links: '2',
      num_grat_arp: '4',
      num_unsol_na: '4',
      lp_interval: '5',
    });
    const script = runtimeScript({ config, routes: [] });
    // Asked: written and failing loudly; not asked: put back to the default only where it differs.
    expect(script).toContain('w ad_select count');
    expect(script).toContain('w min_links 2');
    expect(script).toContain('w num_grat_arp 4');
    expect(script).toContain('w lp_interval 5');
    expect(script).toContain('d xmit_hash_policy layer2');
    expect(script).toContain('d lacp_rate slow');
    // sysfs hides a remembered primary while the slaves are released: it is always written, to none here.
    const ab = runtimeScript({ config: resolveBondRequest(request).config, routes: [] });
    expect(ab).toContain("w primary ''");
  });

  it('num_grat_arp and num_unsol_na are one setting: two different values are refused', () => {
    const { issues } = checkBondRequest({ ...request, num_grat_arp: 2, num_unsol_na: 3 });
    expect(issues).toEqual([
      expect.objectContaining({ option: 'num_unsol_na', message: expect.stringMatching(/one count/) }),
    ]);
    expect(checkBondRequest({ ...request, num_grat_arp: 2, num_unsol_na: 2 }).issues).toEqual([]);
  });

  it('names a duplicate arp_ip_target by its index', () => {
    const { issues } = checkBondRequest({
      ...request,
      miimon: 0,
      arp_interval: 100,
      arp_ip_target: ['10.0.0.1', '10.0.0.2', '10.0.0.1'],
    });
    expect(issues).toMatchObject([
      { option: 'arp_ip_target', index: 2, message: 'names 10.0.0.1 twice (first at [0])' },
    ]);
    expect(issues).toHaveLength(1);
  });

  it('miimon 0 without the ARP monitor: the script never writes a delay the driver would refuse', () => {
    const { config } = resolveBondRequest({ mode: 'balance-xor', slaves: ['eth1', 'eth2'], miimon: 0 });
    const script = runtimeScript({ config, routes: [] });
    expect(script).toContain('w miimon 0');
    expect(script).not.toMatch(/^[wd] (updelay|downdelay)/m);
    expect(checkBondRequest({ mode: 'balance-xor', slaves: ['eth1'], miimon: 0, updelay: 100 }).issues).toEqual([
      expect.objectContaining({ option: 'updelay', message: expect.stringMatching(/only with miimon/) }),
    ]);
  });

  it('the reset helper skips a file the kernel lacks and writes only what differs', () => {
    const { config } = resolveBondRequest({ mode: 'balance-rr', slaves: ['eth1'] });
    const script = runtimeScript({ config, routes: [] });
    const helper = script
      .split('\n')
      .filter((l) => l.startsWith('d() {') || l.startsWith('first() {'))
      .join('\n');
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('sh', [
      '-c',
      `B=${dir}; printf 'layer2 0\\n' > $B/xmit_hash_policy; printf '3\\n' > $B/min_links
       w() { echo "$1=$2" >> ${dir}/written; }
       ${helper}
       d xmit_hash_policy layer2; d min_links 0; d lp_interval 1`,
    ]);
    expect(execFileSync('cat', [`${dir}/written`]).toString()).toBe('min_links=0\n');
    execFileSync('rm', ['-rf', dir]);
  });
});
