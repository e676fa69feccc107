/**
 * The switch driver (plan drivers.switch): what each mode asks of the switch (bonding.rst §5 "Switch
 * Configuration"), the settings' schema and checks, the command type's argv template run against a real script
 * (one call per slave, told the mode and the channel, no shell in between), and what plan check refuses.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSwitchDriver, DriverError, switchDriverTypes } from '../../main/drivers/index.js';
import { BONDING_MODES, switchChannelOf } from '../../shared/bonding/modes.js';
import { DriverConfigError, parseSwitchDriverConfig } from '../../shared/drivers/config.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { checkPlan, loadPlan, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';

let dir: string;
let script: string;
const logged: string[] = [];
const context = { log: (part: ReasonPart) => logged.push(logText('en', part)) };

// Appends its argv (words joined by "|") a line per call; a port named "locked" fails as a real switch might.
const SWITCH_SCRIPT = `#!/bin/bash
dir=$(dirname "$0")
(IFS='|'; echo "$*") >> "$dir/calls"
for word in "$@"; do
  [ "$word" = locked ] && { echo "port is locked by the network team" >&2; exit 4; }
done
exit 0
`;

const calls = async () => (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).trim().split('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-switch-'));
  script = join(dir, 'switch');
  await writeFile(script, SWITCH_SCRIPT);
  await chmod(script, 0o755);
});

beforeEach(async () => {
  logged.length = 0;
  await rm(join(dir, 'calls'), { force: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('what each mode asks of the switch (bonding.rst §5)', () => {
  it('802.3ad an LACP aggregation; rr, xor and broadcast a static group; the others nothing', () => {
    expect(Object.fromEntries(BONDING_MODES.map((m) => [m, switchChannelOf(m)]))).toEqual({
      'balance-rr': 'static',
      'active-backup': 'none',
      'balance-xor': 'static',
      broadcast: 'static',
      '802.3ad': 'lacp',
      'balance-tlb': 'none',
      'balance-alb': 'none',
    });
    expect(switchChannelOf('standalone')).toBe('none');
  });
});

describe('switch driver settings', () => {
  it('knows the lab and command types', () => {
    expect(switchDriverTypes()).toEqual(['lab', 'command']);
    expect(parseSwitchDriverConfig({ type: 'lab', instance: 'ci' })).toEqual({ type: 'lab', instance: 'ci' });
  });

  it.each([
    [{ type: 'cisco' }, /switch\.type: must be one of "lab", "command"/],
    [{ type: 'lab', instance: '../x' }, /switch\.instance: must be a lab instance name/],
    [{ type: 'command' }, /switch: missing field "configure"/],
    [{ type: 'command', configure: ['{mode}'] }, /switch\.configure\[0\]: the program must be written out/],
    [{ type: 'command', configure: ['/bin/sw', '{vlan}'] }, /switch\.configure\[1\]: has a brace/],
    [{ type: 'command', configure: ['/bin/sw', '{port}', '{mode}'] }, /switch\.ports: the command uses \{port\}/],
    [{ type: 'command', configure: ['/bin/sw', '{slave}'] }, /switch\.configure: the command is never told the mode/],
    [
      { type: 'command', configure: ['/bin/sw', '{port}', '{channel}'], ports: { eth1: '$(reboot)' } },
      /switch\.ports\.eth1: "\$\(reboot\)" must be 1–64 characters/,
    ],
    [{ type: 'command', configure: ['/bin/sw', '{mode}'], settleSeconds: -1 }, /switch\.settleSeconds: must be >= 0/],
  ])('refuses %j', (config, message) => {
    expect(() => parseSwitchDriverConfig(config)).toThrow(DriverConfigError);
    expect(() => parseSwitchDriverConfig(config)).toThrow(message);
  });
});

describe('command switch driver', () => {
  // The script's path exists only once beforeAll ran.
  let config: { type: 'command'; configure: string[]; ports: Record<string, string> };
  beforeAll(() => {
    config = {
      type: 'command',
      configure: [script, 'set', '{port}', 'mode={mode}', '{channel}', '{slave}'],
      ports: { eth1: 'Gi1/0/1', eth2: 'Gi1/0/2' },
    };
  });

  it('configures each slave’s port for the mode, in the bond’s order, each word one argv word', async () => {
    const driver = createSwitchDriver(config, context);
    expect(await driver.setMode('802.3ad', ['eth1', 'eth2'])).toMatchObject({ channel: 'lacp' });
    expect(await calls()).toEqual(['set|Gi1/0/1|mode=802.3ad|lacp|eth1', 'set|Gi1/0/2|mode=802.3ad|lacp|eth2']);
    await rm(join(dir, 'calls'));
    expect(await driver.setMode('active-backup', ['eth1', 'eth2'])).toMatchObject({ channel: 'none' });
    expect(await calls()).toEqual([
      'set|Gi1/0/1|mode=active-backup|none|eth1',
      'set|Gi1/0/2|mode=active-backup|none|eth2',
    ]);
    await rm(join(dir, 'calls'));
    expect((await driver.setMode('balance-xor', ['eth1'])).channel).toBe('static');
    expect(await calls()).toEqual(['set|Gi1/0/1|mode=balance-xor|static|eth1']);
    expect(logged.join('\n')).toContain('balance-xor (static) on eth1');
  });

  it('stops at a port the switch refuses, with its stderr; the mode’s bring-up then fails', async () => {
    const driver = createSwitchDriver({ ...config, ports: { eth1: 'locked', eth2: 'Gi1/0/2' } }, context);
    await expect(driver.setMode('802.3ad', ['eth1', 'eth2'])).rejects.toThrow(DriverError);
    await expect(driver.setMode('802.3ad', ['eth1', 'eth2'])).rejects.toThrow(
      /802\.3ad \(lacp\) on eth1: .*switch exited with 4: port is locked by the network team/,
    );
    // eth2 was never touched after eth1 failed.
    expect((await calls()).every((c) => c.includes('eth1'))).toBe(true);
  });

  it('refuses a slave it has no port for, naming the field to add', async () => {
    const driver = createSwitchDriver(config, context);
    await expect(driver.setMode('802.3ad', ['eth1', 'eth3'])).rejects.toThrow(/no switch port for eth3 in ports/);
  });
});

describe('plan check and the switch driver', () => {
  it('round-trips the default experiment with the lab switch', () => {
    const plan = defaultLabPlan('ci', { lacp: true });
    expect(plan.drivers.switch).toEqual({ type: 'lab', instance: 'ci' });
    expect(checkPlan(plan)).toEqual([]);
    expect(loadPlan(planToYaml(plan))).toEqual(plan);
    expect(defaultLabPlan('ci').drivers.switch).toBeUndefined();
  });

  const base = `version: 1
host:
  target: TARGET
bond:
  slaves: [eth1, eth2]
  address: 10.77.1.253/24
  peer: 10.77.1.252
modes: [802.3ad, balance-rr]
drivers:
  power: { type: lab }
  link: { type: lab }
  switch:
`;

  it('refuses the lab switch for a host that is not a lab, at its line', () => {
    const { errors } = parsePlan(`${base.replace('TARGET', 'root@192.168.0.253')}    type: lab\n`);
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'drivers.switch.type',
        line: 13,
        message: expect.stringMatching(/re-cables the virtual lab, but host.target "root@192.168.0.253" is not a lab/),
      }),
    ]);
  });

  it('refuses a lab switch of another lab instance than the host’s', () => {
    const { errors } = parsePlan(`${base.replace('TARGET', 'lab:ci')}    type: lab\n    instance: other\n`);
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'drivers.switch.instance',
        message: expect.stringMatching(/host is lab instance ci/),
      }),
    ]);
    expect(parsePlan(`${base.replace('TARGET', 'lab:ci')}    type: lab\n    instance: ci\n`).errors).toEqual([]);
  });

  it('refuses a command switch whose {port} does not cover every slave', () => {
    const yaml = `${base.replace('TARGET', 'root@192.168.0.253')}    type: command
    configure: [/usr/local/bin/switch, "{port}", "{channel}"]
    ports: { eth1: Gi1/0/1 }
`;
    expect(parsePlan(yaml).errors).toEqual([
      expect.objectContaining({ path: 'drivers.switch.ports', message: expect.stringMatching(/eth2 is cabled/) }),
    ]);
    expect(parsePlan(`${yaml.replace('eth1: Gi1/0/1', 'eth1: Gi1/0/1, eth2: Gi1/0/2')}`).errors).toEqual([]);
  });

  it('reports a caller’s own check (the CLI’s look at the lab) at the field’s line', () => {
    const yaml = `${base.replace('TARGET', 'lab')}    type: lab\n`;
    const { errors } = parsePlan(yaml, {
      more: () => [{ segments: ['drivers', 'switch'], message: 'lab "default" is up without its LACP partner' }],
    });
    expect(errors).toEqual([
      expect.objectContaining({ path: 'drivers.switch', line: 12, message: expect.stringMatching(/LACP partner/) }),
    ]);
  });
});
