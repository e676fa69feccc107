/**
 * The fault suite: each case injects a fault while a run is in progress, on the shared lab guest, and checks the
 * outcome a user relies on — what was measured before the fault stays in the run folder and in the report; the
 * host's files are back byte for byte, by the run itself when the host is reachable, or by the exact command its
 * last words name; the run ends non-zero with one clear line; no tester agent is left behind.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../main/engine/session.js';
import { readRunFolder } from '../../main/engine/store.js';
import { addTesterPort } from '../../main/lab/netns.js';
import { packageRoot } from '../../main/paths.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { buildReport } from '../../shared/report/build.js';
import { readPcapng } from '../../shared/wire/capture-file.js';
import { type PduDaemon, startPduDaemon } from '../support/drivers-pdudaemon.js';
import { guest, testLab, until } from '../support/lab.js';

const lab = testLab();
let runsDir: string;
let originalConf: string;

async function hostConf(): Promise<string> {
  const session = await lab.ssh();
  try {
    return await guest(session, 'cat /etc/conf.d/net');
  } finally {
    session.close();
  }
}

/** Processes in the lab's namespace whose command line passes `match`, as "pid command line". */
async function labProcesses(match: (cmdline: string) => boolean): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ip', ['netns', 'pids', namespaceName(lab.instance)]);
  const found: string[] = [];
  for (const pid of stdout.split(/\s+/).filter(Boolean)) {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (match(cmdline)) found.push(`${pid} ${cmdline}`);
  }
  return found;
}

/** Tester agents running in the lab's namespace (the lab's own QEMU is not one). */
const agentsInLab = () => labProcesses((cmdline) => cmdline.includes('tester/agent'));

/** QEMU processes of the lab's guest: exactly one after any fault (a power-cycle must not leave the old one). */
const labQemus = () =>
  labProcesses((cmdline) => cmdline.startsWith('qemu-system') && cmdline.includes(`bondbench-lab-${lab.instance}`));

/** A plan file for the CLI: two modes at runtime, a 3 s probe and a MAC read in each, as `overrides` change it. */
async function twoModePlan(name: string, overrides: Partial<Plan> = {}): Promise<string> {
  const file = join(runsDir, `${name.replace(/\W+/g, '-')}.yaml`);
  await writeFile(
    file,
    planToYaml({
      ...defaultLabPlan(lab.instance),
      name,
      modes: ['balance-rr', 'balance-xor'],
      steps: [{ kind: 'probe', seconds: 3 }, { kind: 'read-macs' }],
      ...overrides,
    }),
  );
  return file;
}

/** `bondbench` from source; resolves with its exit code and everything it printed. */
function cli(args: string[], onOutput?: (text: string) => void): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/support/cli.ts'), ...args], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const take = (chunk: Buffer) => {
    output += chunk;
    onOutput?.(output);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** One mode brought up the write-up's way (netifrc + reboot), then the steps given. */
function plan(overrides: Partial<Plan>): Plan {
  return {
    ...defaultLabPlan(lab.instance),
    modes: ['active-backup'],
    apply: { method: 'netifrc', netifrcStyle: 'writeup', boot: 'reboot' },
    ...overrides,
  };
}

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-faults-'));
  originalConf = await hostConf();
});

afterAll(async () => {
  expect(await hostConf()).toBe(originalConf);
  expect(await agentsInLab()).toEqual([]);
  // No run that a fault stopped left a cable out (the engine plugs back what it pulled).
  const pulled = ((await lab.status()).links ?? []).filter((l) => l.pulled).map((l) => l.slave);
  await lab.plug('eth1');
  await lab.plug('eth2');
  expect(pulled).toEqual([]);
});

describe('faults in the middle of a run', () => {
  it('the host hangs after a reboot and no power-cycle is allowed: the run stops and names the restore', async () => {
    const file = join(runsDir, 'hang.yaml');
    await writeFile(
      file,
      planToYaml(
        plan({
          name: 'hangs after the reboot',
          steps: [{ kind: 'read-macs' }, { kind: 'probe', seconds: 1 }],
          timeouts: { pullSeconds: 5, rebootSeconds: 30, powerCycles: 0 },
        }),
      ),
    );
    let hung: Promise<void> | undefined;
    let powerCycled = false;
    let restoredByTest = false;
    // As a user would: power-cycle the hung host by hand (once), whatever the assertions below say.
    const powerCycleByHand = async () => {
      if (powerCycled || !hung) return;
      powerCycled = true;
      await hung;
      await lab.power('cycle');
    };
    try {
      const { code, output } = await cli(['run', file, '--out', runsDir], (text) => {
        // The guest locks up as the reboot goes out; the bench is not told.
        if (!hung && /: reboot sent$/m.test(text)) hung = lab.hang();
      });
      await hung;
      expect(hung, output).toBeDefined();
      // 2: the run failed (1 is a run that completed with unexpected cells).
      expect(code, output).toBe(2);
      const errorLines = output.split('\n').filter((l) => l.startsWith('error: '));
      expect(errorLines, output).toHaveLength(1);
      expect(errorLines[0]).toMatch(
        /^error: lab guest .* did not come back after the reboot: no SSH within 30 s after the reboot \(timeouts\.powerCycles is 0: no power-cycle tried\)\. Check its console; once it answers SSH, run "bondbench host restore lab:.+"$/,
      );
      expect(output).toMatch(/run failed: 1 steps, host NOT restored/);

      // What it measured stays: the bring-up's record with the boot it waited for, in the folder and the report.
      const folder = output.match(/results: (\S+)/)![1]!;
      const run = await readRunFolder(folder);
      expect(run.manifest.status).toBe('failed');
      expect(run.manifest.restored).toBe(false);
      expect(run.steps).toHaveLength(1);
      expect(run.steps[0]).toMatchObject({ kind: 'bring-up', status: 'failed', boot: { via: 'reboot' } });
      expect(run.steps[0]!.error).toContain('did not come back after the reboot');
      const report = buildReport(run, 'en');
      expect(report.steps).toHaveLength(1);
      expect(report.warnings.map((w) => w.kind)).toContain('not-restored');
      expect(await agentsInLab()).toEqual([]);

      // Doing what the last words say puts the host back byte for byte (after someone power-cycles it), and
      // disarms the rollback the unconfirmed netifrc apply left armed, which would reboot the host again later.
      await powerCycleByHand();
      const restore = errorLines[0]!
        .match(/run "(bondbench host restore lab:\S+)"/)![1]!
        .split(' ')
        .slice(1);
      const restored = await cli(restore);
      expect(restored.code, restored.output).toBe(0);
      expect(restored.output).toMatch(/disarmed a pending rollback before restoring/);
      expect(await hostConf()).toBe(originalConf);
      restoredByTest = true;
    } finally {
      // Whatever failed above, the next test gets a running host with its files back.
      if (!restoredByTest) {
        await powerCycleByHand();
        await cli(['host', 'restore', `lab:${lab.instance}`]);
      }
    }
  }, 600_000);

  it('the SSH connection drops mid-step: the bench connects again, finishes the run and restores the host', async () => {
    let dropped: Promise<string> | undefined;
    const handle = await startRun(
      { ...defaultLabPlan(lab.instance), name: 'sshd drops us', modes: ['balance-rr'] },
      {
        runsDir,
        emit: (event) => {
          // While the probe runs, sshd's process for the bench's connection dies (not the test's own).
          if (event.type === 'probe' && !dropped) {
            dropped = (async () => {
              const session = await lab.ssh();
              try {
                return await guest(
                  session,
                  // The guest's SSH server is dropbear: one child per connection beside the listener.
                  'master=$(cat /run/dropbear.pid); me=$PPID; n=0; for d in /proc/[0-9]*; do p=${d#/proc/}; case "$(tr "\\0" " " < $d/cmdline 2>/dev/null)" in /usr/sbin/dropbear*) [ "$p" = "$master" ] || [ "$p" = "$me" ] || { kill -9 "$p"; n=$((n+1)); };; esac; done; echo $n',
                );
              } finally {
                session.close();
              }
            })();
          }
        },
      },
    );
    const outcome = await handle.finished;
    expect((await dropped)?.trim()).toBe('1');
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.restored).toBe(true);
    expect(outcome.steps.map((s) => `${s.label} ${s.status}`).filter((s) => !s.endsWith(' ok'))).toEqual([]);
    expect(await readFile(join(outcome.dir, 'log.txt'), 'utf8')).toMatch(
      /the SSH connection dropped; connecting again/,
    );
    expect(await hostConf()).toBe(originalConf);
    expect(await agentsInLab()).toEqual([]);
  }, 600_000);

  it('sshd is killed on the host: the watchdog power-cycles it back, the mode it hit is lost, the run goes on', async () => {
    const file = await twoModePlan('sshd killed', {
      timeouts: { pullSeconds: 5, rebootSeconds: 120, powerCycles: 1 },
    });
    let killed: Promise<string> | undefined;
    const { code, output } = await cli(['run', file, '--out', runsDir], (text) => {
      // As the first mode's probe starts, the host's SSH server dies for good, as `kill` leaves OpenRC's sshd:
      // the guest's init stops respawning dropbear (a copy of inittab without it, bound over the real one, gone
      // at the next boot), then every dropbear process goes, the bench's connection with them.
      if (!killed && /mode balance-rr: probe 3 s/.test(text)) {
        killed = (async () => {
          const session = await lab.ssh();
          try {
            return await guest(
              session,
              'grep -v dropbear /etc/inittab > /run/inittab.nossh && mount -o bind /run/inittab.nossh /etc/inittab && kill -HUP 1 && ' +
                'setsid sh -c \'sleep 1; for d in /proc/[0-9]*; do case "$(tr "\\0" " " < $d/cmdline 2>/dev/null)" in /usr/sbin/dropbear*) kill -9 ${d#/proc/};; esac; done\' </dev/null >/dev/null 2>&1 & echo killing',
            );
          } finally {
            session.close();
          }
        })();
      }
    });
    expect((await killed)?.trim(), output).toBe('killing');
    // 1: the run completed, but a step failed.
    expect(code, output).toBe(1);
    expect(output).toMatch(/run completed: \d+ steps, host restored/);
    const folder = output.match(/results: (\S+)/)![1]!;
    const run = await readRunFolder(folder);
    expect(run.manifest.status).toBe('completed');
    expect(run.manifest.restored).toBe(true);
    const steps = run.steps.map((s) => `${s.mode} ${s.kind} ${s.status}`);
    expect(steps).toEqual([
      'balance-rr bring-up ok',
      'balance-rr probe failed',
      'balance-rr read-macs failed',
      'balance-xor bring-up ok',
      'balance-xor probe ok',
      'balance-xor read-macs ok',
    ]);
    const lost = run.steps[1]!;
    expect(lost.error).toMatch(
      /stopped answering SSH; the watchdog power-cycled it through lab "[^"]+" power and it came back \d+ ms after power-on: what the mode had set up at runtime is gone, its remaining steps are skipped$/,
    );
    expect(lost.boot).toMatchObject({ via: 'power-cycle', watchdog: true, bootMs: expect.any(Number) });
    expect(lost.boot?.recoveries).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: 'back',
        reason: expect.stringMatching(/^no SSH for \d+ s after the connection dropped/),
      }),
    ]);
    expect(run.steps[2]!.error).toMatch(/^skipped: the watchdog power-cycled the host/);
    const log = await readFile(join(folder, 'log.txt'), 'utf8');
    expect(log).toMatch(/the SSH connection dropped; connecting again/);
    expect(log).toMatch(/watchdog power-cycle 1 of 1/);
    // What the first mode measured before the fault stays, and the report names the watchdog's boot.
    const report = buildReport(run, 'en');
    expect(report.boots).toEqual([expect.objectContaining({ via: 'watchdog', status: 'failed' })]);
    expect(run.steps[0]!.reading?.bondMode).toBe('balance-rr');
    expect(report.matrix.find((r) => r.mode === 'balance-rr')?.cells.length).toBeGreaterThan(0);
    // The guest answers SSH again (its own inittab back after the power-cycle) with its files as found.
    expect(await hostConf()).toBe(originalConf);
    expect(await labQemus()).toHaveLength(1);
    expect(await agentsInLab()).toEqual([]);
  }, 600_000);

  it('the tester’s capture interface is removed mid-capture: the agent says so, the run stops and keeps it', async () => {
    const netns = namespaceName(lab.instance);
    const file = await twoModePlan('tester NIC removed');
    let removed: Promise<unknown> | undefined;
    try {
      const { code, output } = await cli(['run', file, '--out', runsDir], (text) => {
        // Once the first mode's probe has sent 50 requests (tester0's own counter, so the file has them), the
        // tester's adapter goes away, as a USB NIC pulled out would.
        if (!removed && /mode balance-rr: probe 3 s/.test(text)) {
          const sent = async () =>
            Number(
              (
                await promisify(execFile)('ip', [
                  'netns',
                  'exec',
                  netns,
                  'cat',
                  '/sys/class/net/tester0/statistics/tx_packets',
                ])
              ).stdout,
            );
          removed = (async () => {
            const before = await sent();
            await until(
              '50 probe requests on tester0',
              async () => ((await sent()) >= before + 50 ? true : undefined),
              60_000,
            );
            await promisify(execFile)('ip', ['-n', netns, 'link', 'del', 'tester0']);
          })();
        }
      });
      await removed;
      expect(removed, output).toBeDefined();
      expect(code, output).toBe(2);
      const errorLines = output.split('\n').filter((l) => l.startsWith('error: '));
      // libpcap's read error, or libuv's when the poll on the capture's descriptor fails first (both seen here).
      expect(errorLines, output).toEqual([
        expect.stringMatching(
          /^error: the tester's capture stopped \(tester0: (The interface disappeared|bad file descriptor)\): what it captured until then is kept in capture\/r1-balance-rr\.pcapng; check the tester's network adapter \(removed, disabled, its driver reset\) and run the plan again$/,
        ),
      ]);
      // The host was reachable all along: the run put it back.
      expect(output).toMatch(/run failed: 2 steps, host restored/);
      expect(await hostConf()).toBe(originalConf);
      const folder = output.match(/results: (\S+)/)![1]!;
      const run = await readRunFolder(folder);
      expect(run.manifest.status).toBe('failed');
      expect(run.steps.map((s) => `${s.mode} ${s.kind} ${s.status}`)).toEqual([
        'balance-rr bring-up ok',
        'balance-rr probe failed',
      ]);
      // What was captured before the adapter went is a whole pcapng file: the bring-up's frames and the probe's
      // first second, with the section the reader needs.
      const pcap = await readFile(join(folder, 'capture/r1-balance-rr.pcapng'));
      const frames = readPcapng(new Uint8Array(pcap)).packets;
      expect(frames.length).toBeGreaterThanOrEqual(50);
      expect(run.steps[1]!.frames?.first).toBeGreaterThan(0);
      expect(buildReport(run, 'en').steps).toHaveLength(2);
      expect(await agentsInLab()).toEqual([]);
      expect(await labQemus()).toHaveLength(1);
    } finally {
      await removed?.catch(() => undefined);
      // The next test gets its tester port back.
      await addTesterPort(netns).catch(() => undefined);
    }
  }, 600_000);

  it('the management link is cut for longer than the keepalive: the bench reconnects once it is back', async () => {
    const netns = namespaceName(lab.instance);
    const link = (state: 'up' | 'down') => promisify(execFile)('ip', ['-n', netns, 'link', 'set', 'tap-eth0', state]);
    let cut: Promise<void> | undefined;
    try {
      const handle = await startRun(
        { ...defaultLabPlan(lab.instance), name: 'management cut', modes: ['balance-xor'] },
        {
          runsDir,
          emit: (event) => {
            // During the probe, the cable of the host's eth0 (the SSH path, not the bond) is out for 12 s: the
            // keepalive (3 × 2 s) gives the session up; the bond keeps answering probes.
            if (event.type === 'probe' && !cut) {
              cut = (async () => {
                await link('down');
                await new Promise((resolve) => setTimeout(resolve, 12_000));
                await link('up');
              })();
            }
          },
        },
      );
      const outcome = await handle.finished;
      await cut;
      expect(cut).toBeDefined();
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe('completed');
      expect(outcome.restored).toBe(true);
      const log = await readFile(join(outcome.dir, 'log.txt'), 'utf8');
      expect(log).toMatch(/the SSH connection dropped; connecting again/);
      // The step that was reading the host when the session died may fail; every step after it ran.
      const failed = outcome.steps.filter((s) => s.status === 'failed');
      expect(failed.length).toBeLessThanOrEqual(1);
      expect(outcome.steps.at(-1)).toMatchObject({ kind: 'plug', status: 'ok' });
      expect(await hostConf()).toBe(originalConf);
      expect(await agentsInLab()).toEqual([]);
    } finally {
      await cut?.catch(() => undefined);
      await link('up');
    }
  }, 600_000);

  it('the run folder’s file system fills up: the run stops saying so, keeps what it wrote, restores the host', async () => {
    // A 192 KiB tmpfs as --out: the first mode's capture fills it within its probe.
    const out = await mkdtemp(join(tmpdir(), 'bondbench-full-'));
    await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=192k,mode=0700', 'bondbench-full', out]);
    try {
      const file = join(runsDir, 'full.yaml');
      await writeFile(
        file,
        planToYaml({ ...defaultLabPlan(lab.instance), name: 'a small disk', modes: ['balance-rr', 'balance-xor'] }),
      );
      const { code, output } = await cli(['run', file, '--out', out]);
      expect(code, output).not.toBe(0);
      const errorLines = output.split('\n').filter((l) => l.startsWith('error: '));
      expect(errorLines, output).toEqual([
        expect.stringMatching(
          /^error: the run folder's file system is full \(.+\): the steps written before it filled up are kept there; free some space or choose another --out and run again$/,
        ),
      ]);
      expect(output).toMatch(/host restored/);
      expect(await hostConf()).toBe(originalConf);
      const folder = output.match(/results: (\S+)/)![1]!;
      const run = await readRunFolder(folder);
      expect(run.steps.length, output).toBeGreaterThanOrEqual(1);
      expect(run.steps[0]).toMatchObject({ mode: 'balance-rr', kind: 'bring-up', status: 'ok' });
      expect(buildReport(run, 'en').steps.length).toBe(run.steps.length);
      expect(await agentsInLab()).toEqual([]);
    } finally {
      await promisify(execFile)('umount', [out]);
      await rmdir(out);
    }
  }, 600_000);

  describe('the PDU goes away mid-run', () => {
    let daemon: PduDaemon;
    beforeAll(async () => {
      // A real pdudaemon; its outlet only notes what it is asked (it is gone before the run asks anything).
      daemon = await startPduDaemon((dir) => ({
        'lab-pdu': {
          driver: 'localcmdline',
          cmd_on: `echo on %s >> ${dir}/events`,
          cmd_off: `echo off %s >> ${dir}/events`,
        },
      }));
    });
    afterAll(async () => {
      await daemon?.stop();
    });

    it('stops before the power-cycle with what to do by hand, and the run restores the reachable host', async () => {
      const handle = await startRun(
        plan({
          name: 'the PDU goes away',
          drivers: {
            power: { type: 'pdudaemon', url: daemon.url, hostname: 'lab-pdu', port: 4, timeoutMs: 3000 },
            link: { type: 'lab', instance: lab.instance },
          },
          steps: [{ kind: 'read-macs' }, { kind: 'power-cycle', offSeconds: 1 }, { kind: 'probe', seconds: 1 }],
          // This PDU's outlet powers nothing: a slow reboot must not look like a hang here.
          timeouts: { pullSeconds: 5, rebootSeconds: 600, powerCycles: 2 },
        }),
        {
          runsDir,
          emit: (event) => {
            // The PDU server dies once the bond is up and read.
            if (event.type === 'step' && event.step.kind === 'read-macs') void daemon.stop();
          },
        },
      );
      const outcome = await handle.finished;
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(
        /^the power driver failed while power-cycling it as the plan asks: pdudaemon lab-pdu port 4 at http:\/\/127\.0\.0\.1:\d+: cannot reach pdudaemon \(ECONNREFUSED\): is it running and listening on .*\? Do it by hand: switch lab guest .* off, wait 1 s, switch it on, wait until it answers SSH, then run "bondbench host restore lab:.+"$/,
      );
      // The host never lost power and is reachable: the run put it back itself.
      expect(outcome.restored).toBe(true);
      expect(await hostConf()).toBe(originalConf);
      expect(outcome.steps.map((s) => `${s.kind} ${s.status}`)).toEqual([
        'bring-up ok',
        'read-macs ok',
        'power-cycle failed',
      ]);
      // What the bring-up measured (its boot, the MACs) is kept and reported.
      expect(outcome.steps[0]!.boot?.bootMs).toBeGreaterThan(1000);
      const report = buildReport(await readRunFolder(outcome.dir), 'en');
      expect(report.boots.map((b) => `${b.kind} ${b.status}`)).toEqual(['bring-up ok', 'power-cycle failed']);
      expect(report.matrix[0]!.cells.find((c) => c.column === 'eth1Mac')?.verdict).toBe('expected');
      expect(await agentsInLab()).toEqual([]);
    }, 600_000);
  });
});
