/**
 * The command drivers run real scripts: a "PDU" and a "switch" whose outlets and ports are files. The scripts
 * record the argv they got, so the tests see exactly what reached them — and that no shell was in between.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLinkDriver, createPowerDriver, DriverError } from '../../main/drivers/index.js';
import { DriverConfigError } from '../../shared/drivers/config.js';
import { InvalidValueError } from '../../shared/net/names.js';
import { logText } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';

let dir: string;
let pdu: string;
let sw: string;
const logged: string[] = [];
const context = { log: (part: ReasonPart) => logged.push(logText('en', part)), powerDeadlineMs: 500 };

// Records its argv (one word a line) unless asked for the state, then acts on a file per outlet.
const PDU_SCRIPT = `#!/bin/bash
dir=$(dirname "$0")
[ "$1" = state ] || printf '%s\\n' "$@" > "$dir/argv"
action=$1 outlet=$2
case $action in
  on|off) echo "$action $outlet" >> "$dir/events"; echo "$action" > "$dir/outlet-$outlet" ;;
  state) cat "$dir/outlet-$outlet" 2>/dev/null || echo "no such outlet" ;;
  locked) echo "outlet $outlet is locked by the PDU's admin" >&2; exit 3 ;;
  hang) sleep 10 ;;
esac
`;

const SWITCH_SCRIPT = `#!/bin/bash
dir=$(dirname "$0")
[ "$2" = state ] || printf '%s\\n' "$@" > "$dir/argv"
port=\${1//\\//_} action=$2
case $action in
  pull) echo down > "$dir/port-$port" ;;
  plug) echo up > "$dir/port-$port" ;;
  state) cat "$dir/port-$port" 2>/dev/null || echo "?" ;;
esac
`;

const argv = async () => (await readFile(join(dir, 'argv'), 'utf8')).replace(/\n$/, '').split('\n');
const events = async () => (await readFile(join(dir, 'events'), 'utf8').catch(() => '')).trim().split('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bondbench-command-'));
  pdu = join(dir, 'pdu');
  sw = join(dir, 'switch');
  await writeFile(pdu, PDU_SCRIPT);
  await writeFile(sw, SWITCH_SCRIPT);
  await chmod(pdu, 0o755);
  await chmod(sw, 0o755);
});

beforeEach(async () => {
  logged.length = 0;
  await rm(join(dir, 'argv'), { force: true });
  await rm(join(dir, 'events'), { force: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('command power driver', () => {
  const config = () => ({
    type: 'command' as const,
    outlet: 4,
    on: [pdu, '{action}', '{outlet}'],
    off: [pdu, '{action}', '{outlet}'],
    state: [pdu, 'state', '{outlet}'],
  });

  it('switches the outlet with the placeholders filled in, and reads it back', async () => {
    const power = createPowerDriver(config(), context);
    expect(power.readable).toBe(true);
    await power.set('off');
    expect(await argv()).toEqual(['off', '4']);
    expect(await power.get()).toBe('off');
    await power.set('on');
    expect(await power.get()).toBe('on');
    expect(await events()).toEqual(['off 4', 'on 4']);
    expect(logged.join('\n')).toMatch(/power on: reads on after \d+ ms/);
  });

  it('cycles as off, delay, on when there is no cycle command', async () => {
    const power = createPowerDriver({ ...config(), delay: 0 }, context);
    await power.cycle();
    expect(await events()).toEqual(['off 4', 'on 4']);
  });

  it('passes every word as one argument, untouched: no shell sees it', async () => {
    const words = ['a b', '$(touch pwned)', ';', '*', '`id`', '"q"', '{{outlet}}'];
    const power = createPowerDriver({ ...config(), on: [pdu, 'on', '{outlet}', ...words] }, context);
    await power.set('on');
    expect(await argv()).toEqual(['on', '4', 'a b', '$(touch pwned)', ';', '*', '`id`', '"q"', '{outlet}']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  it.each([
    ['1; touch pwned'],
    ['$(touch pwned)'],
    ['`touch pwned`'],
    ['4 5'],
    ['-rf'],
    ['--help'],
    ['4\ntouch pwned'],
    [''],
  ])('refuses the outlet %j before running anything', (outlet) => {
    expect(() => createPowerDriver({ ...config(), outlet }, context)).toThrow(
      /power\.outlet: .* must be 1–64 characters .* not starting with "-"/,
    );
  });

  it.each([
    [{ on: [pdu, '{outlet'] }, /power\.on\[1\]: has a brace that is not a known placeholder/],
    [{ on: [pdu, '{command}'] }, /power\.on\[1\]: has a brace/],
    [{ on: [pdu, 'x}'] }, /power\.on\[1\]: has a brace/],
    [{ on: ['{outlet}', 'on'] }, /power\.on\[0\]: the program must be written out/],
    [{ on: [] }, /power\.on: must NOT have fewer than 1 items/],
    [{ on: `${pdu} on 4` }, /power\.on: must be array/],
    [{ on: [pdu, '{slave}'] }, /power\.on\[1\]: has a brace/],
  ])('refuses the template %j', (change, message) => {
    expect(() => createPowerDriver({ ...config(), ...change }, context)).toThrow(message);
  });

  it('asks for the outlet when the commands use it', () => {
    const { outlet: _, ...noOutlet } = config();
    expect(() => createPowerDriver(noOutlet, context)).toThrow(/power\.outlet: the commands use \{outlet\}/);
  });

  it('reports a failing command with its exit code and stderr', async () => {
    const power = createPowerDriver({ ...config(), off: [pdu, 'locked', '{outlet}'] }, context);
    const error = await power.set('off').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as Error).message).toBe(
      `command power outlet 4 (${pdu}): off: ${pdu} exited with 3: outlet 4 is locked by the PDU's admin`,
    );
  });

  it('stops a command that hangs', async () => {
    const power = createPowerDriver({ ...config(), on: [pdu, 'hang'], timeoutMs: 300 }, context);
    await expect(power.set('on')).rejects.toThrow(/on: .* was stopped after 300 ms/);
  });

  it('reports a program that does not exist', async () => {
    const power = createPowerDriver({ ...config(), on: [join(dir, 'no-such-pdu'), 'on'] }, context);
    await expect(power.set('on')).rejects.toThrow(/cannot start .*no-such-pdu/);
  });

  it('fails when the outlet does not read back as asked (a command that does nothing)', async () => {
    await writeFile(join(dir, 'outlet-7'), 'off\n');
    const power = createPowerDriver({ ...config(), outlet: 7, on: ['true'] }, context);
    await expect(power.set('on')).rejects.toThrow(/power on: the outlet still reads "off" \d+ ms later/);
  });

  it('without a state command cannot read back and says so', async () => {
    const { state: _, ...noState } = config();
    const power = createPowerDriver(noState, context);
    expect(power.readable).toBe(false);
    expect(await power.get()).toBe('unknown');
    await power.set('on');
    expect(logged.join('\n')).toMatch(/cannot be read back, so it is not confirmed/);
  });
});

describe('command link driver', () => {
  const config = () => ({
    type: 'command' as const,
    pull: [sw, '{port}', '{action}', '{slave}'],
    plug: [sw, '{port}', '{action}', '{slave}'],
    state: [sw, '{port}', 'state'],
    ports: { eth1: 'Gi1/0/1', eth2: 12 },
  });

  it('pulls and plugs the switch port mapped to each slave', async () => {
    const link = createLinkDriver(config(), context);
    expect(link.physical).toBe(true);
    await link.pull('eth1');
    expect(await argv()).toEqual(['Gi1/0/1', 'pull', 'eth1']);
    await link.pull('eth2');
    expect(await argv()).toEqual(['12', 'pull', 'eth2']);
    expect(await link.state('eth2')).toBe('pulled');
    await link.plug('eth2');
    expect(await link.state('eth2')).toBe('plugged');
    expect(await link.state('eth1')).toBe('pulled');
    await link.plug('eth1');
    expect(await link.state('eth1')).toBe('plugged');
    expect(logged.join('\n')).toMatch(/no MII status reader, so pulls and plugs are not confirmed/);
  });

  it('says which slave has no port, without running anything', async () => {
    const link = createLinkDriver(config(), context);
    await expect(link.pull('eth3')).rejects.toThrow(
      /pull eth3: no switch port for eth3 in ports \(it maps eth1, eth2\): add ports\.eth3/,
    );
    expect(existsSync(join(dir, 'argv'))).toBe(false);
  });

  it('treats a slave named like an Object property as unmapped, not as a port (constructor, toString)', async () => {
    const link = createLinkDriver(config(), context);
    for (const slave of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      await expect(link.pull(slave)).rejects.toThrow(`no switch port for ${slave} in ports`);
    }
    expect(existsSync(join(dir, 'argv'))).toBe(false);
  });

  it('refuses a slave name that is not an interface name, without running anything', async () => {
    const link = createLinkDriver(config(), context);
    await expect(link.pull('eth1; reboot')).rejects.toBeInstanceOf(InvalidValueError);
    await expect(link.pull('-eth1')).rejects.toThrow(/slave: "-eth1" may contain only/);
    expect(existsSync(join(dir, 'argv'))).toBe(false);
  });

  it('refuses ports that would be unsafe as a word, and templates that use {port} without ports', () => {
    expect(() => createLinkDriver({ ...config(), ports: { eth1: 'Gi1/0/1 && reboot' } }, context)).toThrow(
      DriverConfigError,
    );
    expect(() => createLinkDriver({ ...config(), ports: { 'eth1;x': 'Gi1/0/1' } }, context)).toThrow(
      /link\.ports: "eth1;x" is not an interface name/,
    );
    const { ports: _, ...noPorts } = config();
    expect(() => createLinkDriver(noPorts, context)).toThrow(/link\.ports: the commands use \{port\}/);
  });

  it('can be declared non-physical', () => {
    expect(createLinkDriver({ ...config(), physical: false }, context).physical).toBe(false);
  });
});
