/**
 * The registry: built-in types by name, unknown names refused with the list, and a type registered from outside
 * (here a relay board whose channels are files) gets the same read-back check as the built-in ones.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkDriver,
  createPowerDriver,
  linkDriverTypes,
  type PowerDriver,
  powerDriverTypes,
  registerPowerDriver,
} from '../../main/drivers/index.js';

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
  registerPowerDriver<RelayConfig>('relay-board', relayBoard);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('driver registry', () => {
  it('knows the built-in types', () => {
    expect(powerDriverTypes()).toEqual(expect.arrayContaining(['lab', 'pdudaemon', 'snmp', 'command']));
    expect(linkDriverTypes()).toEqual(['lab', 'snmp', 'command', 'host-ifdown']);
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
