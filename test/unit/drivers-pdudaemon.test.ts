/**
 * The pdudaemon power driver against the real pdudaemon (Debian's package) on 127.0.0.1: its localcmdline PDU
 * appends each switch to a file, which is the outlet's effect we check.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPowerDriver, DriverError } from '../../main/drivers/index.js';
import { DriverConfigError } from '../../shared/drivers/config.js';
import { logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { freePort, type PduDaemon, startPduDaemon } from '../support/drivers-pdudaemon.js';

let daemon: PduDaemon;
const logged: string[] = [];
const context = { log: (part: ReasonPart) => logged.push(logText('en', part)) };

const events = async () => (await readFile(join(daemon.dir, 'events'), 'utf8').catch(() => '')).trim().split('\n');

beforeAll(async () => {
  // pdudaemon puts the outlet number in for %s and runs the line with a shell: its own config, not ours.
  daemon = await startPduDaemon((dir) => ({
    'bench-pdu': {
      driver: 'localcmdline',
      cmd_on: `echo on %s >> ${dir}/events`,
      cmd_off: `echo off %s >> ${dir}/events`,
    },
  }));
});

afterAll(async () => {
  await daemon?.stop();
});

describe('pdudaemon power driver', () => {
  it('switches an outlet on and off through the HTTP API', async () => {
    const power = createPowerDriver({ type: 'pdudaemon', url: daemon.url, hostname: 'bench-pdu', port: 3 }, context);
    expect(power.name).toBe(`pdudaemon bench-pdu port 3 at ${daemon.url}`);
    await power.set('off');
    expect(await events()).toEqual(['off 3']);
    await power.set('on');
    expect(await events()).toEqual(['off 3', 'on 3']);
  });

  it('cycles with a reboot request that carries the delay: off, then on', async () => {
    const power = createPowerDriver(
      { type: 'pdudaemon', url: `${daemon.url}/`, hostname: 'bench-pdu', port: 5, delay: 1 },
      context,
    );
    await power.cycle();
    expect((await events()).slice(-2)).toEqual(['off 5', 'on 5']);
    expect(daemon.log()).toContain('/power/control/reboot?hostname=bench-pdu&port=5&delay=1');
  });

  it('cannot read an outlet back, and says so instead of claiming it checked', async () => {
    const power = createPowerDriver({ type: 'pdudaemon', url: daemon.url, hostname: 'bench-pdu', port: 1 }, context);
    expect(power.readable).toBe(false);
    expect(await power.get()).toBe('unknown');
    logged.length = 0;
    await power.set('on');
    expect(logged.join('\n')).toMatch(/cannot be read back, so it is not confirmed/);
  });

  it('reports a PDU the daemon does not know with its HTTP status and what to check', async () => {
    const power = createPowerDriver({ type: 'pdudaemon', url: daemon.url, hostname: 'no-such-pdu', port: 1 }, context);
    const error = await power.set('off').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as Error).message).toMatch(
      /refused power off \(HTTP 500: Invalid request\).*"no-such-pdu".*pdudaemon\.conf/,
    );
  });

  it('reports a daemon that is not listening', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const power = createPowerDriver({ type: 'pdudaemon', url, hostname: 'bench-pdu', port: 1 }, context);
    await expect(power.set('on')).rejects.toThrow(
      new RegExp(`cannot reach pdudaemon \\(ECONNREFUSED\\).*listening on ${url.replaceAll('.', '\\.')}`),
    );
  });

  it('refuses a bad configuration before sending anything', () => {
    expect(() =>
      createPowerDriver({ type: 'pdudaemon', url: 'ftp://pdu', hostname: 'bench-pdu', port: 1 }, context),
    ).toThrow(DriverConfigError);
    expect(() => createPowerDriver({ type: 'pdudaemon', url: daemon.url, hostname: 'bench-pdu' }, context)).toThrow(
      /power: missing field "port"/,
    );
  });
});
