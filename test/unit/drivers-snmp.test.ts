/**
 * The SNMP drivers against Debian's snmpd, v2c and v3. Everything runs in a network namespace this test creates:
 * snmpd on 127.0.0.1 there, "host" NICs eth1/eth2 as veths whose peers sw-eth1/sw-eth2 are the "switch" ports
 * snmpd manages through IF-MIB, and the drivers themselves (a node child joined to the namespace). Setting a
 * switch port's ifAdminStatus down really takes that veth down, and the host end loses carrier, as with a pull.
 * The PDU profiles are served by snmpd's `pass_persist` from a script whose outlets are files (drivers-snmp-pdu.sh).
 * Needs root and the snmpd and snmp packages.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkDriverConfig, PowerDriverConfig, SnmpPowerConfig } from '../../shared/drivers/config.js';

const NS = `bondbench-snmp-${process.pid}`;
const HERE = resolve(import.meta.dirname);
const PDU_SCRIPT = join(HERE, 'drivers-snmp-pdu.sh');
const APC_BASE = '.1.3.6.1.4.1.318.1.1.4.4.2.1.3';
const RARITAN_BASE = '.1.3.6.1.4.1.13742.6.4.1.2.1';

const V2C = { host: '127.0.0.1', version: '2c' as const, community: 'bench-write' };
const V3_PRIV = {
  host: '127.0.0.1',
  version: '3' as const,
  user: {
    name: 'bench-priv',
    auth: { protocol: 'sha' as const, password: 'auth-secret-1' },
    priv: { protocol: 'aes' as const, password: 'priv-secret-1' },
  },
};
const V3_AUTH = {
  host: '127.0.0.1',
  version: '3' as const,
  user: { name: 'bench-auth', auth: { protocol: 'sha256' as const, password: 'auth-secret-2' } },
};

let dir: string;
let snmpd: ChildProcessWithoutNullStreams | undefined;
let host: DriverHost | undefined;

const ip = (...args: string[]) => execFileSync('ip', ['-n', NS, ...args], { encoding: 'utf8' });
const inNamespace = (program: string, ...args: string[]) =>
  execFileSync('ip', ['netns', 'exec', NS, program, ...args], { encoding: 'utf8', env: snmpEnv() });

function snmpEnv(): NodeJS.ProcessEnv {
  // No MIB files: everything is numeric, and nothing is written outside our directory.
  return { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '', MIBDIRS: join(dir, 'no-mibs') };
}

function linkFlags(name: string): string[] {
  const [link] = JSON.parse(ip('-j', 'link', 'show', 'dev', name)) as { flags: string[] }[];
  return link!.flags;
}

function ifIndex(name: string): number {
  const [link] = JSON.parse(ip('-j', 'link', 'show', 'dev', name)) as { ifindex: number }[];
  return link!.ifindex;
}

interface Answer {
  id: number;
  ok: boolean;
  value?: unknown;
  name?: string;
  error?: string;
  /** The error as the UI and reports say it in Chinese. */
  errorZh?: string;
  logged: string[];
}

/** The drivers, running inside the namespace (see drivers-snmp.child.ts). */
class DriverHost {
  private next = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as Answer;
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    child.on('exit', (code) => {
      for (const [id, done] of this.waiting)
        done({ id, ok: false, error: `driver host exited ${code}: ${this.stderr}`, logged: [] });
      this.waiting.clear();
    });
  }

  /** Starts the child in the namespace and waits until it has loaded the drivers. */
  static async start(): Promise<DriverHost> {
    const child = spawn(
      'ip',
      ['netns', 'exec', NS, process.execPath, '--import', 'tsx', join(HERE, 'drivers-snmp.child.ts')],
      { cwd: resolve(HERE, '../..'), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const host = new DriverHost(child);
    const ready = await new Promise<Answer>((resolveAnswer) => host.waiting.set(0, resolveAnswer));
    if (!ready.ok) throw new Error(`the driver host did not start: ${ready.error}`);
    return host;
  }

  /** Calls a driver method; resolves with the full answer (ok or not) so tests can check messages and logs. */
  call(
    kind: 'power' | 'link',
    config: PowerDriverConfig | LinkDriverConfig,
    method: string,
    args: string[] = [],
    deadlineMs = 3000,
  ): Promise<Answer> {
    const id = this.next++;
    return new Promise((resolveAnswer) => {
      this.waiting.set(id, resolveAnswer);
      this.child.stdin.write(`${JSON.stringify({ id, kind, config, method, args, deadlineMs })}\n`);
    });
  }

  /** Calls and expects success. */
  async ok(kind: 'power' | 'link', config: PowerDriverConfig | LinkDriverConfig, method: string, ...args: string[]) {
    const answer = await this.call(kind, config, method, args);
    if (!answer.ok) throw new Error(`${method}(${args.join(', ')}) failed: ${answer.error}`);
    return answer;
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }
}

async function startSnmpd(): Promise<void> {
  const conf = join(dir, 'snmpd.conf');
  await writeFile(
    conf,
    [
      'agentAddress udp:127.0.0.1:161',
      'rwcommunity bench-write 127.0.0.1',
      'rocommunity bench-read 127.0.0.1',
      'createUser bench-priv SHA "auth-secret-1" AES "priv-secret-1"',
      'createUser bench-auth SHA-256 "auth-secret-2"',
      'rwuser bench-priv priv',
      'rwuser bench-auth auth',
      `pass_persist ${APC_BASE} /bin/bash ${PDU_SCRIPT} apc ${join(dir, 'pdu')}`,
      `pass_persist ${RARITAN_BASE} /bin/bash ${PDU_SCRIPT} raritan ${join(dir, 'pdu')}`,
      '',
    ].join('\n'),
  );
  const log = join(dir, 'snmpd.log');
  // -f: stays in the foreground as our child (ip netns exec execs it: the pid is snmpd's). -C: no other config.
  snmpd = spawn('ip', ['netns', 'exec', NS, 'snmpd', '-f', '-C', '-c', conf, '-Lf', log], {
    env: snmpEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const deadline = Date.now() + 15_000;
  while (!(await readFile(log, 'utf8').catch(() => '')).includes('NET-SNMP version')) {
    if (snmpd.exitCode !== null)
      throw new Error(`snmpd exited ${snmpd.exitCode}: ${await readFile(log, 'utf8').catch(() => '')}`);
    if (Date.now() > deadline) throw new Error('snmpd did not start within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the SNMP driver tests need root: they create a network namespace');
  for (const tool of ['/usr/sbin/snmpd', '/usr/bin/snmpset']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install snmpd snmp (see scripts/setup.sh)`);
  }
  dir = await mkdtemp(join(tmpdir(), 'bondbench-snmp-'));
  await mkdir(join(dir, 'pdu'));
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', [
    'netns',
    'exec',
    NS,
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
  ip('link', 'set', 'lo', 'up');
  for (const [hostEnd, switchEnd] of [
    ['eth1', 'sw-eth1'],
    ['eth2', 'sw-eth2'],
    ['spare', 'sw-spare'],
  ] as const) {
    ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', switchEnd);
    ip('link', 'set', hostEnd, 'up');
    ip('link', 'set', switchEnd, 'up');
  }
  await startSnmpd();
  // The switch admin's port description for eth2's port, as set on a real switch (IF-MIB ifAlias is writable).
  inNamespace(
    'snmpset',
    '-v2c',
    '-c',
    'bench-write',
    '127.0.0.1',
    `1.3.6.1.2.1.31.1.1.1.18.${ifIndex('sw-eth2')}`,
    's',
    'bond0 slave eth2',
  );
  host = await DriverHost.start();
}, 60_000);

afterAll(async () => {
  await host?.stop();
  if (snmpd && snmpd.exitCode === null) {
    const exited = new Promise((r) => snmpd!.once('exit', r));
    snmpd.kill('SIGTERM');
    const timer = setTimeout(() => snmpd!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  try {
    execFileSync('ip', ['netns', 'delete', NS]);
  } catch {
    // Not created.
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SNMP link driver (IF-MIB ifAdminStatus)', { timeout: 30_000 }, () => {
  const v2c: LinkDriverConfig = {
    type: 'snmp',
    ...V2C,
    ports: { eth1: { ifDescr: 'sw-eth1' }, eth2: { ifName: 'sw-eth2' } },
  };

  it('pulls a slave by shutting its switch port, confirmed by the host end losing carrier (v2c, ifDescr)', async () => {
    const pulled = await host!.ok('link', v2c, 'pull', 'eth1');
    expect(pulled.name).toBe('SNMP switch 127.0.0.1:161 (IF-MIB ifAdminStatus)');
    expect(pulled.logged.join('\n')).toMatch(
      new RegExp(`eth1 is on ifIndex ${ifIndex('sw-eth1')} \\(ifDescr "sw-eth1"\\)`),
    );
    expect(pulled.logged.join('\n')).toMatch(/pull eth1: MII status down on the host after \d+ ms/);
    expect(linkFlags('sw-eth1')).not.toContain('UP');
    expect(linkFlags('eth1')).toContain('NO-CARRIER');
    expect(linkFlags('sw-eth2')).toContain('UP');
    expect((await host!.ok('link', v2c, 'state', 'eth1')).value).toBe('pulled');

    await host!.ok('link', v2c, 'plug', 'eth1');
    expect(linkFlags('sw-eth1')).toContain('UP');
    expect(linkFlags('eth1')).toContain('LOWER_UP');
    expect((await host!.ok('link', v2c, 'state', 'eth1')).value).toBe('plugged');
  });

  it('works over SNMPv3 authPriv (SHA/AES), finding the port by its ifAlias', async () => {
    const v3: LinkDriverConfig = { type: 'snmp', ...V3_PRIV, ports: { eth2: { ifAlias: 'bond0 slave eth2' } } };
    await host!.ok('link', v3, 'pull', 'eth2');
    expect(linkFlags('sw-eth2')).not.toContain('UP');
    expect(linkFlags('eth2')).toContain('NO-CARRIER');
    expect((await host!.ok('link', v3, 'state', 'eth2')).value).toBe('pulled');
    await host!.ok('link', v3, 'plug', 'eth2');
    expect(linkFlags('eth2')).toContain('LOWER_UP');
  });

  it('works over SNMPv3 authNoPriv (SHA-256) with a given ifIndex', async () => {
    const v3: LinkDriverConfig = { type: 'snmp', ...V3_AUTH, ports: { eth1: { ifIndex: ifIndex('sw-eth1') } } };
    await host!.ok('link', v3, 'pull', 'eth1');
    expect(linkFlags('eth1')).toContain('NO-CARRIER');
    await host!.ok('link', v3, 'plug', 'eth1');
    expect(linkFlags('eth1')).toContain('LOWER_UP');
  });

  it('fails a pull that shut the wrong port: the slave kept its carrier', async () => {
    const miswired: LinkDriverConfig = { type: 'snmp', ...V2C, ports: { eth1: { ifDescr: 'sw-spare' } } };
    const answer = await host!.call('link', miswired, 'pull', ['eth1'], 800);
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(
      /pull eth1: the host still reports eth1's MII status "up" \d+ ms later \(expected "down" within 800 ms\): check that the port this driver maps to eth1 is the one eth1's cable goes to/,
    );
    expect(linkFlags('sw-spare')).not.toContain('UP');
    await host!.ok('link', miswired, 'plug', 'eth1');
    expect(linkFlags('sw-spare')).toContain('UP');
  });

  it('names the port it cannot find, with what the switch has', async () => {
    const answer = await host!.call('link', { type: 'snmp', ...V2C, ports: { eth1: { ifDescr: 'Gi1/0/1' } } }, 'pull', [
      'eth1',
    ]);
    expect(answer.error).toMatch(
      /pull eth1: no port has ifDescr "Gi1\/0\/1" .*the switch has "lo", .*"sw-eth1".*: fix ports\.eth1/,
    );
  });

  it('says so when the community may only read', async () => {
    const answer = await host!.call('link', { ...v2c, community: 'bench-read' } as LinkDriverConfig, 'pull', ['eth1']);
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/pull eth1: the SNMP agent at 127\.0\.0\.1:161 answered: .*read-only/);
    expect(answer.errorZh).toMatch(/pull eth1：127\.0\.0\.1:161 上的 SNMP 代理回答（原文：“.*”）——.*只读/);
    expect(linkFlags('sw-eth1')).toContain('UP');
  });

  it('says what to check when the agent does not answer (wrong community)', async () => {
    const wrong = { ...v2c, community: 'guess', timeoutMs: 300, retries: 0 } as LinkDriverConfig;
    const answer = await host!.call('link', wrong, 'pull', ['eth1']);
    expect(answer.error).toMatch(
      /no answer from the SNMP agent at 127\.0\.0\.1:161 within 300 ms \(1 tries\): check the host, the port and the community/,
    );
    expect(answer.errorZh).toMatch(
      /127\.0\.0\.1:161 上的 SNMP 代理在 300 ms 内没有应答（共尝试 1 次）：请检查主机、端口和 community/,
    );
  });

  it('reports a v3 password the agent rejects', async () => {
    const wrong = {
      type: 'snmp',
      ...V3_PRIV,
      user: { ...V3_PRIV.user, auth: { protocol: 'sha', password: 'not-the-secret' } },
      ports: { eth1: { ifIndex: ifIndex('sw-eth1') } },
      timeoutMs: 500,
      retries: 0,
    } as LinkDriverConfig;
    const answer = await host!.call('link', wrong, 'pull', ['eth1']);
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/pull eth1: .*(Wrong Digest|no answer)/);
    expect(linkFlags('sw-eth1')).toContain('UP');
  });
});

describe('SNMP power driver (PDU outlets)', { timeout: 30_000 }, () => {
  const events = async () => (await readFile(join(dir, 'pdu', 'events'), 'utf8').catch(() => '')).trim().split('\n');
  const outletFile = (profile: string, n: number) => readFile(join(dir, 'pdu', `${profile}-${n}`), 'utf8');

  it('switches an APC PowerNet outlet (sPDUOutletCtl) over v2c and reads it back', async () => {
    const apc: PowerDriverConfig = { type: 'snmp', ...V2C, outlet: 3, profile: 'apc-powernet' };
    const off = await host!.ok('power', apc, 'set', 'off');
    expect(off.name).toBe('SNMP apc-powernet outlet 3 at 127.0.0.1:161');
    expect(off.logged.join('\n')).toMatch(
      /set 1\.3\.6\.1\.4\.1\.318\.1\.1\.4\.4\.2\.1\.3\.3 = 2.*\n.*power off: reads off/,
    );
    expect(await outletFile('apc', 3)).toBe('off\n');
    expect((await host!.ok('power', apc, 'get')).value).toBe('off');
    await host!.ok('power', apc, 'set', 'on');
    expect(await outletFile('apc', 3)).toBe('on\n');
    await host!.ok('power', apc, 'cycle');
    expect((await events()).slice(-3)).toEqual(['apc 3 off', 'apc 3 on', 'apc 3 cycle']);
    expect((await host!.ok('power', apc, 'get')).value).toBe('on');
  });

  it('switches a Raritan PDU2 outlet over v3 and waits for a cycle to read on again', async () => {
    const raritan: PowerDriverConfig = { type: 'snmp', ...V3_PRIV, outlet: 6, profile: 'raritan-pdu2' };
    await host!.ok('power', raritan, 'set', 'off');
    expect(await outletFile('raritan', 6)).toBe('off\n');
    expect((await host!.ok('power', raritan, 'get')).value).toBe('off');
    await host!.ok('power', raritan, 'set', 'on');
    const cycled = await host!.ok('power', raritan, 'cycle');
    // The PDU reads off(8) through its cycle; the driver waited until it read on(7).
    expect(cycled.logged.join('\n')).toMatch(
      /set 1\.3\.6\.1\.4\.1\.13742\.6\.4\.1\.2\.1\.2\.1\.6 = 2.*\n.*power cycle: reads on after \d+ ms/,
    );
    expect((await events()).slice(-3)).toEqual(['raritan 6 off', 'raritan 6 on', 'raritan 6 cycle']);
  });

  it('drives a PDU through raw OID templates, cycling as off, delay, on when it has no cycle value', async () => {
    const oid = { control: `${APC_BASE}.{outlet}`, on: 1, off: 2 };
    const raw: SnmpPowerConfig = {
      type: 'snmp',
      ...V3_AUTH,
      outlet: 2,
      profile: 'oid',
      delay: 0,
      oid: { ...oid, state: `${APC_BASE}.{outlet}`, stateOn: 1, stateOff: 2 },
    };
    await host!.ok('power', raw, 'cycle');
    expect((await events()).slice(-2)).toEqual(['apc 2 off', 'apc 2 on']);
    const answer = await host!.ok('power', { ...raw, oid }, 'set', 'off');
    expect(answer.logged.join('\n')).toMatch(/cannot be read back, so it is not confirmed/);
    expect(await outletFile('apc', 2)).toBe('off\n');
  });

  it('reports an outlet the PDU does not have', async () => {
    const answer = await host!.call('power', { type: 'snmp', ...V2C, outlet: 42, profile: 'apc-powernet' }, 'set', [
      'off',
    ]);
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(
      /SNMP apc-powernet outlet 42 at 127\.0\.0\.1:161: power off: the SNMP agent .* answered: .*(NotWritable|NoCreation|NoSuchName)/,
    );
  });

  it('refuses a bad configuration before sending anything', async () => {
    const answer = await host!.call(
      'power',
      { type: 'snmp', ...V2C, outlet: 1, profile: 'oid' } as PowerDriverConfig,
      'set',
      ['off'],
    );
    expect(answer.error).toMatch(/power: missing field "oid"/);
  });
});
