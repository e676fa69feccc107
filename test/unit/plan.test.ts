import { describe, expect, it } from 'vitest';
import { defaultLabPlan, MODE_NAMES, modeOptions, modeRequest } from '../../shared/plan/plan.js';
import { checkPlan, loadPlan, PlanInvalidError, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { MINIMAL_PLAN } from '../support/plans.js';

const minimal = MINIMAL_PLAN;

describe('plan files', () => {
  it('round-trips the built-in default plan through YAML', () => {
    const plan = defaultLabPlan('ci');
    expect(checkPlan(plan)).toEqual([]);
    expect(loadPlan(planToYaml(plan))).toEqual(plan);
    expect(plan.modes).toEqual(MODE_NAMES);
  });

  it('fills defaults for a minimal plan', () => {
    const plan = loadPlan(minimal);
    expect(plan.bond.name).toBe('bond0');
    expect(plan.apply).toEqual({ method: 'runtime', perMode: undefined, netifrcStyle: 'writeup' });
    expect(plan.steps.map((s) => s.kind)).toEqual(['read-macs', 'probe', 'pull', 'plug', 'pull', 'plug']);
    expect(plan.repeat).toBe(1);
  });

  it('reads the short step forms', () => {
    const plan = loadPlan(
      `${minimal}steps:\n  - read-macs\n  - probe: 5\n  - pull: eth2\n  - pull: { slave: eth1, hold: 4 }\n  - plug: { slave: eth1, settle: 3 }\n`,
    );
    expect(plan.steps).toEqual([
      { kind: 'read-macs' },
      { kind: 'probe', seconds: 5 },
      { kind: 'pull', slave: 'eth2', holdSeconds: 2 },
      { kind: 'pull', slave: 'eth1', holdSeconds: 4 },
      { kind: 'plug', slave: 'eth1', settleSeconds: 3 },
    ]);
  });

  it('names an unknown mode with its line and the valid ones', () => {
    const { errors } = parsePlan(minimal.replace('active-backup', 'round-robin'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'modes[1]', line: 8 });
    expect(errors[0]!.message).toContain('"balance-alb"');
  });

  it('names a bad address and a peer off the bond subnet', () => {
    expect(parsePlan(minimal.replace('192.168.1.253/24', '192.168.1.253')).errors[0]).toMatchObject({
      path: 'bond.address',
      line: 6,
    });
    const off = parsePlan(minimal.replace('peer: 192.168.1.252', 'peer: 192.168.0.252')).errors[0];
    expect(off).toMatchObject({ path: 'bond.peer', line: 7 });
    expect(off!.message).toContain("not on the bond's subnet");
  });

  it('refuses a shell metacharacter in a slave name before anything runs', () => {
    const { errors } = parsePlan(minimal.replace('[eth1, eth2]', '[eth1, "eth2;reboot"]'));
    expect(errors[0]).toMatchObject({ path: 'bond.slaves[1]', line: 5 });
  });

  it('refuses unknown fields, enslaving the management interface and miimon with the ARP monitor', () => {
    expect(parsePlan(`${minimal}colour: blue\n`).errors[0]).toMatchObject({ path: 'colour', line: 9, column: 1 });
    expect(
      parsePlan(minimal.replace('root@192.168.0.253', 'root@192.168.0.253\n  management: eth1')).errors[0],
    ).toMatchObject({ path: 'bond.slaves' });
    const both = parsePlan(
      minimal.replace(
        'peer: 192.168.1.252',
        'peer: 192.168.1.252\n  options: { miimon: 100, arp_interval: 200, arp_ip_target: [192.168.1.252] }',
      ),
    );
    expect(both.errors[0]?.message).toContain('exclude each other');
  });

  it('refuses a pull of an interface that is not a slave', () => {
    const { errors } = parsePlan(`${minimal}steps:\n  - pull: eth3\n`);
    expect(errors[0]).toMatchObject({ path: 'steps[0]', line: 10 });
  });

  it('reports YAML syntax errors with their line and throws a readable error from loadPlan', () => {
    const { errors } = parsePlan('version: 1\nhost: [unclosed\n');
    expect(errors[0]?.line).toBeGreaterThan(0);
    expect(() => loadPlan(minimal.replace('balance-rr', 'balance-rrr'), 'my.yaml')).toThrow(PlanInvalidError);
    expect(() => loadPlan(minimal.replace('balance-rr', 'balance-rrr'), 'my.yaml')).toThrow(
      /my\.yaml:8:\d+: modes\[0\]/,
    );
  });
});

describe('plan check runs the run’s option rules for every mode it names', () => {
  const withOptions = (options: string, modes = '[balance-rr, active-backup, 802.3ad, balance-tlb, balance-alb]') =>
    minimal.replace('modes: [balance-rr, active-backup]\n', `${options}\nmodes: ${modes}\n`);

  it('refuses the ARP monitor with 802.3ad, balance-tlb and balance-alb at its line, once for the three', () => {
    const { errors } = parsePlan(
      withOptions('  options:\n    miimon: 0\n    arp_interval: 200\n    arp_ip_target: [192.168.1.252]'),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'bond.options.arp_interval',
        line: 10,
        message: expect.stringMatching(/does not run in 802\.3ad, balance-tlb, balance-alb mode/),
      }),
      expect.objectContaining({ path: 'bond.options.arp_ip_target', line: 11 }),
    ]);
    // Only for the modes that may run it: accepted.
    expect(
      parsePlan(
        withOptions(
          '  options:\n    miimon: 100\n  perMode:\n    active-backup: { arp_interval: 200, arp_ip_target: [192.168.1.252] }',
        ),
      ).errors,
    ).toEqual([]);
  });

  it('points at the duplicate arp_ip_target', () => {
    const { errors } = parsePlan(
      withOptions(
        '  options:\n    miimon: 0\n    arp_interval: 200\n    arp_ip_target:\n      - 192.168.1.252\n      - 192.168.1.1\n      - 192.168.1.252',
        '[balance-rr, active-backup]',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'bond.options.arp_ip_target[2]',
        line: 14,
        message: expect.stringMatching(/twice/),
      }),
    ]);
  });

  it('applies mode-only common options to the modes that have them, refuses them per mode elsewhere', () => {
    const common = loadPlan(withOptions('  options: { lacp_rate: fast, primary: eth2, ad_select: count }'));
    expect(modeRequest(common, '802.3ad')).toMatchObject({ lacp_rate: 'fast', ad_select: 'count' });
    expect(modeRequest(common, '802.3ad').primary).toBeUndefined();
    expect(modeRequest(common, 'balance-rr').lacp_rate).toBeUndefined();
    expect(modeRequest(common, 'active-backup').primary).toBe('eth2');
    const { errors } = parsePlan(withOptions('  perMode:\n    balance-rr: { lacp_rate: fast }'));
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'bond.perMode.balance-rr.lacp_rate',
        line: 9,
        message: expect.stringMatching(/applies only to 802\.3ad, not balance-rr/),
      }),
    ]);
    expect(parsePlan(withOptions('  perMode:\n    broadcast: { miimon: 50 }')).errors[0]).toMatchObject({
      path: 'bond.perMode.broadcast',
      message: expect.stringMatching(/not in modes/),
    });
  });

  it('lays per-mode settings over the common ones; a mode’s own monitor replaces the common one', () => {
    const plan = loadPlan(
      withOptions(
        "  options: { miimon: 100, xmit_hash_policy: layer2+3 }\n  perMode:\n    '802.3ad': { lacp_rate: fast, xmit_hash_policy: layer3+4 }\n    active-backup: { primary: eth2, arp_interval: 250, arp_ip_target: [192.168.1.252] }",
      ),
    );
    expect(modeOptions(plan, '802.3ad')).toEqual({ miimon: 100, xmit_hash_policy: 'layer3+4', lacp_rate: 'fast' });
    expect(modeOptions(plan, 'active-backup')).toEqual({
      xmit_hash_policy: 'layer2+3',
      primary: 'eth2',
      arp_interval: 250,
      arp_ip_target: ['192.168.1.252'],
    });
    expect(loadPlan(planToYaml(plan))).toEqual(plan);
  });

  it('refuses options the driver does not have and two counts of peer notifications', () => {
    expect(parsePlan(withOptions('  options: { use_carrier: 0 }')).errors[0]).toMatchObject({
      path: 'bond.options.use_carrier',
      line: 8,
    });
    expect(parsePlan(withOptions('  options: { num_grat_arp: 2, num_unsol_na: 3 }')).errors[0]).toMatchObject({
      path: 'bond.options.num_unsol_na',
      message: expect.stringMatching(/one count/),
    });
  });

  it('refuses a host.target the run would refuse (the issue’s examples)', () => {
    for (const [target, message] of [
      ['root@$(reboot)', /"\$\(reboot\)" must be a host name/],
      ['lab:../../x', /lab instance/],
      ['lab:', /lab instance/],
      ['ro ot@gentoo', /"ro ot" must be a login name/],
      ['root@gentoo:99999', /"99999" must be a TCP port/],
      ['root@-oProxyCommand=reboot', /must be a host name/],
    ] as const) {
      const errors = parsePlan(minimal.replace('root@192.168.0.253', JSON.stringify(target))).errors;
      expect(errors, target).toEqual([
        expect.objectContaining({ path: 'host.target', line: 3, message: expect.stringMatching(message) }),
      ]);
    }
    for (const target of ['lab', 'lab:i15', 'gentoo-1', 'root@[fe80::1]:2222', 'ssh://admin@gentoo.lan:22']) {
      expect(parsePlan(minimal.replace('root@192.168.0.253', JSON.stringify(target))).errors, target).toEqual([]);
    }
  });

  it('does not take an Object property for a mapped port: a slave named constructor is reported unmapped', () => {
    const plan = `version: 1
host: { target: root@192.168.0.253 }
bond: { slaves: [eth1, constructor], address: 192.168.1.253/24, peer: 192.168.1.252 }
modes: [balance-rr]
steps:
  - pull: constructor
drivers:
  power: { type: lab }
  link:
    type: snmp
    host: 192.168.0.2
    version: 2c
    community: private
    ports:
      eth1: { ifName: ge-0/0/1 }
`;
    expect(parsePlan(plan).errors).toEqual([
      expect.objectContaining({ path: 'drivers.link.ports', message: expect.stringMatching(/constructor is cabled/) }),
    ]);
  });

  it('refuses SNMP ports that do not cover the slaves the steps pull', () => {
    const snmp = `${withOptions('', '[balance-rr]')}drivers:
  power: { type: lab }
  link:
    type: snmp
    host: 192.168.0.2
    version: 2c
    community: private
    ports:
      eth1: { ifName: ge-0/0/1 }
`;
    const { errors } = parsePlan(snmp);
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'drivers.link.ports',
        line: 17,
        message: expect.stringMatching(/eth2 is cabled/),
      }),
    ]);
    expect(parsePlan(`${snmp}      eth2: { ifName: ge-0/0/2 }\n`).errors).toEqual([]);
  });
});
