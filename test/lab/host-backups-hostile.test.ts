/**
 * Backups against the real lab guest: a manifest planted in a run folder or on the host is refused before any
 * file is read or sent (the authorized_keys case), and the engine's host side uses the plan's bond.name —
 * here "bond7" — for the baseline backup, the restore and the link check, leaving the guest's bond0 alone.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshHostSide } from '../../main/engine/sides.js';
import { BackupError, readPointer, takeBackup } from '../../main/host/backup.js';
import { HostControl } from '../../main/host/control.js';
import { readLiveBondState } from '../../main/host/system.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { testLab } from '../support/lab.js';

let host: HostControl;
let dir: string;
let bond0Before: string;
let keysBefore: string;

beforeAll(async () => {
  host = await HostControl.open(`lab:${testLab().instance}`);
  dir = await mkdtemp(join(tmpdir(), 'bondbench-hostile-backups-'));
  bond0Before = JSON.stringify(await host.bondStatus('bond0'));
  keysBefore = (await host.remote.readFile('/root/.ssh/authorized_keys', { privileged: true }))?.toString() ?? '';
  // Each test makes its own baseline: one left by an interrupted earlier test would be restored instead.
  const root = await host.backupRoot();
  await host.remote.run(`rm -f ${root}/baseline ${root}/last`, { privileged: true });
});

afterAll(async () => {
  // Whatever happened, nothing here may have touched bond0 or root's keys.
  expect(JSON.stringify(await host.bondStatus('bond0'))).toBe(bond0Before);
  expect((await host.remote.readFile('/root/.ssh/authorized_keys', { privileged: true }))?.toString() ?? '').toBe(
    keysBefore,
  );
  const root = await host.backupRoot();
  await host.remote.run(`rm -f ${root}/baseline ${root}/last`, { privileged: true });
  host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('backup manifests from elsewhere', () => {
  it('host restore --run-dir refuses a run folder manifest that reaches outside (the issue’s example)', async () => {
    const root = await host.backupRoot();
    const runDir = join(dir, 'run');
    const { manifest, localDir } = await takeBackup(host.remote, {
      root,
      host: host.label,
      backend: 'runtime',
      reason: 'test',
      paths: ['/etc/conf.d/net'],
      bondState: await readLiveBondState(host.remote, 'bond0'),
      runDir,
    });
    // The host lost its copy, so a restore would take the run folder's — which someone edited.
    await host.remote.runOk('dropping the host copy', `rm -rf ${manifest.hostDir}`, { privileged: true });
    const local = join(localDir!, 'manifest.json');
    const planted = JSON.parse(await readFile(local, 'utf8'));
    await writeFile(join(dir, 'some-local-file'), 'ssh-ed25519 AAAA attacker\n');
    planted.entries[0].saved = `../../../../../../../../${join(dir, 'some-local-file')}`;
    planted.entries[0].path = '/root/.ssh/authorized_keys';
    await writeFile(local, JSON.stringify(planted));
    const sent = host.remote.history.length;
    await expect(host.restore({ runDir })).rejects.toThrow(BackupError);
    await expect(host.restore({ runDir })).rejects.toThrow(/entries\[0\]\.path/);
    // Nothing was written to the host after the refusal (only reads: the pointer and the missing manifest).
    expect(host.remote.history.slice(sent).some((h) => /authorized_keys|cp -p|writing/.test(JSON.stringify(h)))).toBe(
      false,
    );
    expect(await readPointer(host.remote, root, 'baseline')).toBe(manifest.id);
    await host.remote.run(`rm -f ${root}/baseline ${root}/last`, { privileged: true });
  });

  it('refuses a manifest on the host whose route would reach the restore script raw', async () => {
    const root = await host.backupRoot();
    const { manifest } = await takeBackup(host.remote, {
      root,
      host: host.label,
      backend: 'runtime',
      reason: 'test',
      paths: [],
      bondState: await readLiveBondState(host.remote, 'bond0'),
    });
    const planted = { ...manifest, bondState: { ...manifest.bondState, routes: [{ dst: '10.9.0.0/16; reboot' }] } };
    await host.remote.writeFileAtomic(`${manifest.hostDir}/manifest.json`, JSON.stringify(planted));
    await expect(host.restore()).rejects.toThrow(/bondState\.routes/);
    await host.remote.run(`rm -rf ${manifest.hostDir} ${root}/baseline ${root}/last`, { privileged: true });
  });
});

describe('the plan’s bond.name everywhere', () => {
  it('saves, reads and restores "bond7", not bond0', async () => {
    const side = new SshHostSide(host, 180_000, 'bond7');
    const runDir = join(dir, 'bond7-run');
    await side.saveOriginal(runDir);
    const root = await host.backupRoot();
    const id = (await readPointer(host.remote, root, 'baseline'))!;
    const manifest = JSON.parse(await readFile(join(runDir, 'host-backups', id, 'manifest.json'), 'utf8'));
    expect(manifest.entries.map((e: { path: string }) => e.path)).toEqual([
      '/etc/conf.d/net',
      '/etc/init.d/net.bond7',
      '/etc/runlevels/default/net.bond7',
    ]);
    expect(manifest.bondState).toMatchObject({ bond: 'bond7', exists: false });
    // The link check reads bond7's slaves (none here), not bond0's.
    expect(await side.miiStatus('eth1')).toBe('unknown');
    expect(await new SshHostSide(host, 180_000, 'bond0').miiStatus('eth1')).toBe('up');
    await side.restore();
    expect(await readPointer(host.remote, root, 'baseline')).toBeUndefined();
  });
});

describe('standalone mode passes the management-path check on the lab', () => {
  it('reads the real SSH path (eth0), stands eth1 and eth2 alone, and restores bond0', async () => {
    const side = new SshHostSide(host, 180_000, 'bond0');
    await side.saveOriginal(join(dir, 'standalone-run'));
    const plan = { ...defaultLabPlan(testLab().instance) };
    try {
      await side.apply(plan, 'standalone', 'runtime');
      const links = await host.links();
      expect(links.find((l) => l.name === 'bond0')).toBeUndefined();
      expect(links.find((l) => l.name === 'eth1')?.master).toBeUndefined();
    } finally {
      await side.restore();
    }
    expect(JSON.stringify(await host.bondStatus('bond0'))).toBe(bond0Before);
  });
});
