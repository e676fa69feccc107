/**
 * Backup manifests read back are validated before use (main/host/backup.ts): the examples — a saved
 * file outside the backup, a route that would reach the restore script raw, a newline in the id that would escape
 * the rollback script's comment — and each kind around them.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupError,
  type BackupManifest,
  firstLocalManifest,
  restoreFilesScript,
  validateBackupManifest,
} from '../../main/host/backup.js';
import { rollbackScript } from '../../main/host/rollback.js';

const ID = '20261129T185000Z-ab12';
const good = (): BackupManifest => ({
  id: ID,
  createdAt: '2026-11-29T18:50:00.000Z',
  host: 'lab:i15',
  backend: 'runtime',
  reason: 'BondBench run: the host as found',
  hostDir: `/etc/bondbench/backup/${ID}`,
  entries: [
    {
      path: '/etc/conf.d/net',
      kind: 'file',
      mode: '644',
      owner: '0:0',
      sha256: 'a'.repeat(64),
      saved: '0',
    },
    { path: '/etc/init.d/net.bond7', kind: 'symlink', linkTarget: 'net.lo' },
    { path: '/etc/runlevels/default/net.bond7', kind: 'absent' },
  ],
  bondState: {
    bond: 'bond7',
    exists: true,
    up: true,
    options: { mode: 'active-backup 1', miimon: '100' },
    slaves: ['eth1', 'eth2'],
    addresses: ['10.77.1.253/24'],
    routes: [{ dst: '10.9.0.0/16', gateway: '10.77.1.1' }],
    interfaces: { eth1: { exists: true, up: true, master: 'bond7', addresses: [] } },
  },
});

// biome-ignore lint/suspicious/noExplicitAny: a test reaches into a manifest to break it
type Loose = any;

function withChange(change: (m: Loose) => void): unknown {
  const m = JSON.parse(JSON.stringify(good())) as Loose;
  change(m);
  return m;
}

describe('validateBackupManifest', () => {
  it('accepts what takeBackup writes', () => {
    const m = validateBackupManifest(good(), 'manifest.json');
    expect(m).toMatchObject({ id: ID, entries: good().entries });
    expect(m.bondState.routes).toEqual([{ dst: '10.9.0.0/16', gateway: '10.77.1.1' }]);
  });

  it('accepts the hash policies sysfs prints with a "+" (layer2+3 2, layer3+4 1, encap2+3 3)', () => {
    for (const policy of ['layer2+3 2', 'layer3+4 1', 'encap2+3 3']) {
      const m = withChange((x) => (x.bondState.options.xmit_hash_policy = policy));
      expect(validateBackupManifest(m, 'manifest.json').bondState.options?.xmit_hash_policy).toBe(policy);
    }
  });

  const refused: [string, (m: Loose) => void, RegExp][] = [
    [
      'a saved file outside the backup (the issue’s example)',
      (m) => (m.entries[0].saved = '../../../../some-local-file'),
      /entries\[0\]\.saved/,
    ],
    [
      'a file the bench never changes',
      (m) => (m.entries[0].path = '/root/.ssh/authorized_keys'),
      /entries\[0\]\.path .*not a file BondBench changes/,
    ],
    ['a path with ..', (m) => (m.entries[0].path = '/etc/conf.d/../../root/x'), /entries\[0\]\.path/],
    [
      'a route destination with shell syntax (the issue’s example)',
      (m) => (m.bondState.routes[0].dst = '10.9.0.0/16; reboot'),
      /bondState\.routes/,
    ],
    [
      'a route gateway that is not an address',
      (m) => (m.bondState.routes[0].gateway = '$(reboot)'),
      /bondState\.routes/,
    ],
    ['a newline in the id (the issue’s example)', (m) => (m.id = `${ID}\nreboot`), /^manifest\.json: id /],
    ['a host folder elsewhere', (m) => (m.hostDir = '/root'), /hostDir/],
    ['a host folder of another backup', (m) => (m.hostDir = '/etc/bondbench/backup/20261129T000000Z-zz00'), /hostDir/],
    ['a bond name with shell syntax', (m) => (m.bondState.bond = 'bond0;reboot'), /bondState\.bond/],
    ['a slave name that is not an interface', (m) => (m.bondState.slaves = ['eth1', '../x']), /bondState\.slaves/],
    [
      'an address with shell syntax',
      (m) => (m.bondState.addresses = ['10.0.0.1/24 && reboot']),
      /bondState\.addresses/,
    ],
    [
      'an option value with shell syntax',
      (m) => (m.bondState.options.miimon = '100; reboot'),
      /bondState\.options\.miimon/,
    ],
    [
      'a link target with shell syntax',
      (m) => (m.entries[1].linkTarget = 'net.lo; reboot'),
      /entries\[1\]\.linkTarget/,
    ],
    ['a mode that is not octal', (m) => (m.entries[0].mode = '644; reboot'), /entries\[0\]\.mode/],
    ['an owner that is not uid:gid', (m) => (m.entries[0].owner = 'root:$(id)'), /entries\[0\]\.owner/],
    ['a checksum that is not one', (m) => (m.entries[0].sha256 = "x' || reboot"), /entries\[0\]\.sha256/],
    [
      'an interface keyed by shell syntax',
      (m) => (m.bondState.interfaces['eth1;x'] = { exists: true, up: true, addresses: [] }),
      /bondState\.interfaces/,
    ],
  ];
  for (const [what, change, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => validateBackupManifest(withChange(change), 'manifest.json')).toThrow(BackupError);
      expect(() => validateBackupManifest(withChange(change), 'manifest.json')).toThrow(message);
    });
  }

  it('holds the host folder to the root and the id to the one asked for', () => {
    expect(() => validateBackupManifest(good(), 'm', { root: '/var/lib/bondbench' })).toThrow(/hostDir/);
    expect(() => validateBackupManifest(good(), 'm', { id: '20261129T000000Z-zz00' })).toThrow(/id is/);
  });

  it('gives scripts only quoted labels', () => {
    const script = restoreFilesScript(validateBackupManifest(good(), 'm'));
    expect(script).toContain("echo 'cannot restore /etc/conf.d/net' >&2");
    const rollback = rollbackScript(validateBackupManifest(good(), 'm'), '/etc/bondbench', 30, 'abc123');
    expect(rollback.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(4);
    // The scripts the host runs parse as shell (sh -n: syntax only, nothing runs).
    for (const text of [rollback, `set -e\n${script}`]) {
      const check = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
    expect(() => rollbackScript({ ...good(), id: `${ID}\nreboot` }, '/etc/bondbench', 30, 'abc123')).toThrow(
      'is not a backup id',
    );
  });
});

describe('firstLocalManifest (host restore --run-dir)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bondbench-backup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a planted manifest in a run folder before anything is read or sent', async () => {
    const backup = join(dir, 'host-backups', ID);
    await mkdir(join(backup, 'files'), { recursive: true });
    await writeFile(
      join(backup, 'manifest.json'),
      JSON.stringify(
        withChange((m) => {
          m.entries[0].saved = '../../../../etc/passwd';
          m.entries[0].path = '/root/.ssh/authorized_keys';
        }),
      ),
    );
    await expect(firstLocalManifest(dir)).rejects.toThrow(/entries\[0\]\.path/);
    await writeFile(join(backup, 'manifest.json'), JSON.stringify(good()));
    expect((await firstLocalManifest(dir))?.manifest.id).toBe(ID);
    // A manifest whose id is not its folder's is not that backup.
    await writeFile(
      join(backup, 'manifest.json'),
      JSON.stringify({
        ...good(),
        id: '20261129T000000Z-zz00',
        hostDir: '/etc/bondbench/backup/20261129T000000Z-zz00',
      }),
    );
    await expect(firstLocalManifest(dir)).rejects.toThrow(/id is/);
  });
});
