import { describe, expect, it } from 'vitest';
import { defaultLabPlan, MODE_NAMES } from '../../shared/plan/plan.js';
import { checkPlan, loadPlan, PlanInvalidError, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';

const minimal = `version: 1
host:
  target: root@192.168.0.253
bond:
  slaves: [eth1, eth2]
  address: 192.168.1.253/24
  peer: 192.168.1.252
modes: [balance-rr, active-backup]
`;

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
