/**
 * The packaged desktop app, built for real with electron-builder --dir against a stand-in Electron dist (no
 * Electron binary can be downloaded here), then inspected: what lands in app.asar and app.asar.unpacked, that
 * Electron itself and dev dependencies are not packaged, and that the bundled tester agent — started with the
 * spawn options the app uses (shared/platform/agent.ts), plain Node standing in for Electron-as-Node — captures on
 * a veth pair in namespaces this test creates. About 30 s: electron-vite build, staging, electron-builder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TesterClient } from '../../main/tester/client.js';
import { agentLaunch } from '../../shared/platform/agent.js';
import { vethPair } from '../support/veth.js';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const asar = require('@electron/asar') as {
  listPackage(archive: string): string[];
  extractAll(archive: string, dest: string): void;
};
const work = mkdtempSync(join(tmpdir(), 'bondbench-package-'));
const stage = join(work, 'stage');
const output = join(work, 'dist');
const app = join(output, 'linux-unpacked');
const resources = join(app, 'resources');
const isRoot = process.getuid?.() === 0;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

describe('the packaged desktop app (electron-builder --dir, stand-in Electron)', { timeout: 180_000 }, () => {
  let files: string[];

  beforeAll(() => {
    // Electron's Linux dist as electron-builder expects it: the binary it renames, its licence, resources/.
    const electronDist = join(work, 'electron-dist');
    mkdirSync(join(electronDist, 'resources'), { recursive: true });
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for Electron"\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(join(electronDist, 'LICENSE'), 'stand-in\n');
    run(process.execPath, [
      join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
      'build',
      '--logLevel',
      'warn',
    ]);
    run(process.execPath, [join(root, 'scripts', 'stage-desktop.mjs'), '--out', stage]);
    run(process.execPath, [
      join(root, 'node_modules', 'electron-builder', 'cli.js'),
      '--dir',
      '--linux',
      '--x64',
      `-c.directories.app=${stage}`,
      `-c.directories.output=${output}`,
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${(require('electron/package.json') as { version: string }).version}`,
      // Rebuilding for Electron needs its headers (a download): the layout is what is under test.
      '-c.npmRebuild=false',
    ]);
    files = asar.listPackage(join(resources, 'app.asar'));
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('puts the app and the bundled agent in app.asar, native modules in app.asar.unpacked', () => {
    expect(existsSync(join(app, 'bondbench'))).toBe(true);
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/agent.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
    ]) {
      expect(files).toContain(file);
    }
    const unpacked = join(resources, 'app.asar.unpacked');
    expect(existsSync(join(unpacked, 'node_modules', 'cap', 'build', 'Release', 'cap.node'))).toBe(true);
    expect(existsSync(join(unpacked, 'node_modules', 'ssh2', 'package.json'))).toBe(true);
    expect(existsSync(join(unpacked, 'out'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.main).toBe('out/main/index.js');
    expect(manifest.scripts).toBeUndefined();
  });

  it('packages neither Electron again nor dev dependencies, and leaves the checkout’s cap alone', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.optionalDependencies?.electron).toBeUndefined();
    expect(pkg.devDependencies?.electron).toBeDefined();
    const packages = new Set(
      files.filter((f) => /^\/node_modules\/(@[^/]+\/)?[^/@]+$/.test(f)).map((f) => f.slice(14)),
    );
    for (const dev of ['electron', 'electron-builder', 'vitest', 'typescript', 'vite', 'playwright-core']) {
      expect(packages.has(dev), dev).toBe(false);
    }
    expect(packages.has('cap') && packages.has('ssh2')).toBe(true);
    expect(statSync(join(resources, 'app.asar')).size).toBeLessThan(60 * 1024 * 1024);
    // The checkout's addon is still the one built for this Node (the stage, not node_modules, is what gets rebuilt).
    execFileSync(process.execPath, [join(root, 'scripts', 'patch-cap.mjs'), '--check'], { cwd: root });
  });

  it('asks for electron-builder’s default deb dependencies plus libpcap', () => {
    const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { deb: { depends: string[] } };
    const FpmTarget = (
      require('app-builder-lib/out/targets/FpmTarget.js') as {
        default: { prototype: { getDefaultDepends(target: string): string[] } };
      }
    ).default;
    const defaults = FpmTarget.prototype.getDefaultDepends.call({}, 'deb');
    expect(defaults.length).toBeGreaterThan(5);
    expect(config.deb.depends).toEqual([...defaults, 'libpcap0.8t64 | libpcap0.8']);
  });

  describe.skipIf(!isRoot)('the packaged agent, started as the app starts it, on a veth pair', () => {
    const tag = `bbpkg${process.pid % 100000}`;

    it('captures and reports the interface from the extracted app, run from user data', async () => {
      // Electron reads app.asar itself; plain Node reads the same files extracted, with the unpacked ones beside.
      const extracted = join(work, 'resources-as-electron-sees-them', 'app');
      asar.extractAll(join(resources, 'app.asar'), extracted);
      cpSync(join(resources, 'app.asar.unpacked'), extracted, { recursive: true });
      const userData = join(work, 'userData');
      mkdirSync(userData);
      const pair = vethPair(tag);
      const removePair = () => pair.remove();
      const launch = agentLaunch({
        platform: 'linux',
        execPath: process.execPath,
        agentPath: join(extracted, 'out', 'main', 'agent.js'),
        electron: '41.7.1',
        netns: pair.nsB,
        cwd: userData,
        env: process.env,
      });
      expect(launch.env.ELECTRON_RUN_AS_NODE).toBe('1');
      const client = await TesterClient.start({ launch, log: () => undefined }).catch((error: Error) => {
        removePair();
        throw error;
      });
      try {
        expect(client.hello.platform).toBe('linux');
        const nic = (await client.interfaces()).find((i) => i.name === `${tag}b`);
        expect(nic?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
        expect(nic?.addresses.find((a) => a.family === 'IPv4')?.cidr).toBe('10.213.0.2/30');
        const requests: number[] = [];
        client.onFrames('pkg', (frames) => {
          for (const f of frames)
            if (f.icmp?.echo?.kind === 'request' && f.ipv4?.src === '10.213.0.1') requests.push(f.number);
        });
        await client.startCapture({ id: 'pkg', device: `${tag}b`, filter: 'icmp' });
        execFileSync('ip', ['netns', 'exec', pair.nsA, 'ping', '-c', '3', '-i', '0.2', '-W', '1', '10.213.0.2'], {
          stdio: 'pipe',
        });
        const summary = await client.stopCapture('pkg');
        expect(requests).toHaveLength(3);
        expect(summary.counters.received).toBe(6);
      } finally {
        await client.close();
        removePair();
      }
    });
  });
});
