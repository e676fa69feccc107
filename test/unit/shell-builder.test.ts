/** The desktop app's packaging and build configuration, checked offline (Electron cannot be downloaded here). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');

interface BuilderConfig {
  win: { target: { target: string }[] };
  linux: { target: string[] };
  nsis: Record<string, unknown> & { include: string };
  asarUnpack: string[];
  npmRebuild: boolean;
  files: string[];
  directories: { app: string };
}

interface ViteConfig {
  main: { build: { rolldownOptions: { input: { index: string } } } };
  preload: { build: { rolldownOptions: { output: unknown } } };
  renderer: { build: { outDir: string } };
}
const builderYml = () => parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('is valid against electron-builder’s own schema', () => {
    const valid = validate(builderYml());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches a misspelt option', () => {
    const config = builderYml();
    expect(validate({ ...config, nsis: { ...config.nsis, oneClik: false } })).toBe(false);
  });

  it('builds the installers the issue asks for, with native modules unpacked and rebuilt', () => {
    const config = builderYml();
    expect(config.win.target.map((t: { target: string }) => t.target)).toEqual(['nsis']);
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/cap/**', 'node_modules/ssh2/**']));
    expect(config.npmRebuild).toBe(true);
    const installer = readFileSync(join(root, config.nsis.include), 'utf8');
    expect(installer).toMatch(/Npcap/);
    expect(installer).toMatch(/WinPcap/);
  });

  it('starts the main process electron-vite builds, and packs what it builds', async () => {
    const config = builderYml();
    const { default: vite } = (await import('../../electron.vite.config.js')) as unknown as { default: ViteConfig };
    // The app electron-builder packs is the stage (scripts/stage-desktop.mjs), whose manifest names the main entry.
    const stageScript = new URL('../../scripts/stage-desktop.mjs', import.meta.url).href;
    const { stagedManifest } = (await import(stageScript)) as {
      stagedManifest: (pkg: Record<string, unknown>) => { main: string };
    };
    expect(config.directories.app).toBe('.desktop-stage');
    expect(stagedManifest(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).main).toBe('out/main/index.js');
    expect(config.files).toContain('out/**');
    const mainInput = vite.main.build.rolldownOptions.input.index;
    const preload = vite.preload.build.rolldownOptions;
    expect(existsSync(mainInput)).toBe(true);
    expect(mainInput.endsWith(join('main', 'electron', 'main.ts'))).toBe(true);
    // Sandboxed preloads must be CommonJS; main.ts loads out/preload/index.cjs.
    expect(preload.output).toEqual({ format: 'cjs', entryFileNames: '[name].cjs' });
    expect(readFileSync(mainInput, 'utf8')).toContain("join(here, '..', 'preload', 'index.cjs')");
    expect(vite.renderer.build.outDir).toBe(join(root, 'out', 'renderer'));
  });
});
