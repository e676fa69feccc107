/**
 * The registry: built-in units by name, in the order the plan schema and the UI list them; unknown names refused
 * with the list; a unit registered from outside (here a relay board whose channels are files) gets its settings
 * checked by its own schema and checks and the same read-back check as the built-in ones.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_LINK_DRIVERS,
  BUILT_IN_POWER_DRIVERS,
  BUILT_IN_SWITCH_DRIVERS,
  createLinkDriver,
  createPowerDriver,
  linkDriverTypes,
  type PowerDriver,
  powerDriverModule,
  powerDriverTypes,
  registerPowerDriver,
} from '../../main/drivers/index.js';
import {
  DriverConfigError,
  LINK_DRIVERS,
  POWER_DRIVERS,
  parseDriverSettings,
  SWITCH_DRIVERS,
} from '../../shared/drivers/config.js';
import { defineDriver, ms, variant } from '../../shared/drivers/define.js';

let dir: string;
const context = { log: () => undefined, powerDeadlineMs: 300 };

interface RelayConfig {
  type: 'relay-board';
  channel: number;
  /** A board whose relay sticks: it acknowledges but does not switch. */
  stuck?: boolean;
}

function relayBoard(config: RelayConfig): PowerDriver {
  const file = join(dir, `channel-${config.channel}`);
  return {
    name: `relay board channel ${config.channel}`,
    readable: true,
    async set(state) {
      if (!config.stuck) await writeFile(file, state);
    },
    async cycle() {
      await this.set('off');
      await this.set('on');
    },
    async get() {
      const state = await readFile(file, 'utf8').catch(() => '');
      return state === 'on' || state === 'off' ? state : 'unknown';
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-relay-'));
  const definition = defineDriver<RelayConfig>({
    kind: 'power',
    type: 'relay-board',
    schema: variant('relay-board', ['channel'], { channel: ms(1, 8), stuck: { type: 'boolean' } }),
    issues: (config) => (config.channel === 7 ? [{ path: 'channel', message: 'channel 7 is wired to the fan' }] : []),
    label: { en: 'relay board', 'zh-CN': '继电器板' },
    fields: [{ key: 'channel', input: 'integer', label: { en: 'channel', 'zh-CN': '通道' } }],
    example: { type: 'relay-board', channel: 1 },
  });
  registerPowerDriver(powerDriverModule(definition, relayBoard));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('driver registry', () => {
  it('knows the built-in types', () => {
    expect(powerDriverTypes()).toEqual(expect.arrayContaining(['lab', 'pdudaemon', 'snmp', 'command']));
    expect(linkDriverTypes()).toEqual(['lab', 'snmp', 'command', 'host-ifdown']);
  });

  it('has one unit per definition the plan and the UI list, in the same order, each example valid', () => {
    expect(BUILT_IN_POWER_DRIVERS.map((u) => u.type)).toEqual(POWER_DRIVERS.map((d) => d.type));
    expect(BUILT_IN_LINK_DRIVERS.map((u) => u.type)).toEqual(LINK_DRIVERS.map((d) => d.type));
    expect(BUILT_IN_SWITCH_DRIVERS.map((u) => u.type)).toEqual(SWITCH_DRIVERS.map((d) => d.type));
    for (const unit of [...BUILT_IN_POWER_DRIVERS, ...BUILT_IN_LINK_DRIVERS, ...BUILT_IN_SWITCH_DRIVERS]) {
      const definition = [...POWER_DRIVERS, ...LINK_DRIVERS, ...SWITCH_DRIVERS].find(
        (d) => d.kind === unit.kind && d.type === unit.type,
      );
      expect(unit.schema).toBe(definition?.schema);
      expect(parseDriverSettings(unit, unit.example)).toEqual(unit.example);
    }
  });

  it('checks a registered type against its own schema and checks before building it', () => {
    expect(() => createPowerDriver({ type: 'relay-board', channel: 9 } as RelayConfig, context)).toThrow(
      DriverConfigError,
    );
    expect(() => createPowerDriver({ type: 'relay-board', channel: 2, colour: 'red' } as RelayConfig, context)).toThrow(
      'power: unknown field "colour"',
    );
    expect(() => createPowerDriver({ type: 'relay-board', channel: 7 } as RelayConfig, context)).toThrow(
      'power.channel: channel 7 is wired to the fan',
    );
  });

  it('refuses an unknown type, naming the known ones', () => {
    expect(() => createLinkDriver({ type: 'ifdown' }, context)).toThrow(
      'link driver type "ifdown" is unknown: use one of lab, snmp, command, host-ifdown',
    );
    expect(() => createPowerDriver({ type: 'apc' }, context)).toThrow(
      /power driver type "apc" is unknown: use one of lab, pdudaemon, snmp, command/,
    );
  });

  it('builds a registered type and reads its effect back', async () => {
    const relay = createPowerDriver({ type: 'relay-board', channel: 2 } as RelayConfig, context);
    await relay.set('off');
    expect(await readFile(join(dir, 'channel-2'), 'utf8')).toBe('off');
    await relay.cycle();
    expect(await relay.get()).toBe('on');
  });

  it('fails a registered type whose device does not switch', async () => {
    const relay = createPowerDriver({ type: 'relay-board', channel: 3, stuck: true } as RelayConfig, context);
    await expect(relay.set('on')).rejects.toThrow(
      /relay board channel 3: power on: the outlet still reads "unknown" \d+ ms later \(expected "on" within 300 ms\)/,
    );
  });
});
