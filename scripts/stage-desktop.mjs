#!/usr/bin/env node
/**
 * Stages the desktop app for electron-builder in a folder of its own (electron-builder.yml: directories.app), so
 * that electron-builder's npmRebuild rebuilds cap and ssh2's native parts for Electron's ABI *there*, never in
 * the checkout's node_modules — which the CLI, browser mode and the tests load with Node's ABI.
 *
 *   node scripts/stage-desktop.mjs [--out DIR]      (default .desktop-stage; needs `electron-vite build` first)
 *
 * The stage holds: a package.json with the production dependencies only (no scripts: the patch is already applied
 * to the copied cap, and electron-builder rebuilds it), out/ (electron-vite's main, agent, preload, renderer) and
 * node_modules/ with exactly the production dependency closure from package-lock.json, copied (not linked).
 * cap's Node build stamp is left behind: the addon in the stage is Electron's, and `bondbench doctor` in the app
 * checks it by loading it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The production closure: lock entries under node_modules/ that are neither dev nor devOptional. */
export function productionPackages(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.devOptional && !meta.link)
    .map(([path, meta]) => ({ path, optional: !!meta.optional }));
}

/** The staged package.json: what electron-builder reads, nothing that would run at install. */
export function stagedManifest(pkg) {
  return {
    name: pkg.name,
    productName: 'BondBench',
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    author: pkg.author ?? 'BondBench',
    type: pkg.type,
    main: 'out/main/index.js',
    dependencies: pkg.dependencies,
  };
}

function main() {
  const at = process.argv.indexOf('--out');
  const out = resolve(root, at > 0 ? process.argv[at + 1] : '.desktop-stage');
  if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'main', 'agent.js'))) {
    console.error('stage-desktop: out/ is not built: run "npx electron-vite build" first');
    process.exit(1);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(stagedManifest(pkg), null, 2)}\n`);
  cpSync(join(root, 'out'), join(out, 'out'), { recursive: true });
  let copied = 0;
  for (const { path, optional } of productionPackages(lock)) {
    const from = join(root, path);
    if (!existsSync(from)) {
      if (optional) continue; // another platform's optional package
      console.error(`stage-desktop: ${path} is in package-lock.json but not installed: run "npm ci"`);
      process.exit(1);
    }
    // Nested node_modules are entries of their own in the lock.
    cpSync(from, join(out, path), {
      recursive: true,
      dereference: true,
      filter: (source) => !source.slice(from.length).includes('node_modules'),
    });
    copied++;
  }
  rmSync(join(out, 'node_modules', 'cap', 'build', 'Release', 'bondbench-build.json'), { force: true });
  console.log(`stage-desktop: ${out} (${copied} production packages)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
