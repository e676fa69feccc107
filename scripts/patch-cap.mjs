#!/usr/bin/env node
/**
 * postinstall: applies scripts/patches/cap+<version>.patch to node_modules/cap and rebuilds its addon, so the
 * tester gets libpcap's packet timestamps and drop counters (see the patch's header for why).
 *
 * Plain JavaScript on purpose: it runs in production installs too, where tsx is absent. No `patch` program
 * either (Windows has none): hunks are applied by exact match, with no fuzz, so a changed cap fails loudly.
 *
 *   node scripts/patch-cap.mjs            patch (if needed) and rebuild (if patched now or the addon is stale)
 *   node scripts/patch-cap.mjs --check    exit 0 if cap is patched and its addon was built after, 1 if not
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = 'bondbench:';

function fail(message) {
  console.error(`patch-cap: ${message}`);
  process.exit(1);
}

function findCap() {
  try {
    const require = createRequire(join(root, 'package.json'));
    return dirname(require.resolve('cap/package.json'));
  } catch {
    return fail('cap is not installed: run "npm ci" (cap needs libpcap-dev and a C++ compiler to build)');
  }
}

/** Unified diff → [{ file, hunks: [{ before, after }] }] with the text each hunk expects and leaves. */
export function parseUnifiedDiff(text) {
  const files = [];
  let file;
  let hunk;
  for (const line of text.split('\n')) {
    if (line.startsWith('--- ')) {
      file = undefined;
      hunk = undefined;
      continue;
    }
    if (line.startsWith('+++ ')) {
      file = { file: line.slice(4).trim().replace(/^b\//, ''), hunks: [] };
      files.push(file);
      continue;
    }
    if (!file) continue;
    if (line.startsWith('@@')) {
      hunk = { before: [], after: [] };
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    if (line.startsWith(' ') || line === '') {
      hunk.before.push(line.slice(1));
      hunk.after.push(line.slice(1));
    } else if (line.startsWith('-')) hunk.before.push(line.slice(1));
    else if (line.startsWith('+')) hunk.after.push(line.slice(1));
    else if (!line.startsWith('\\')) hunk = undefined;
  }
  for (const f of files) {
    for (const h of f.hunks) {
      // The diff's last line ends the file's text, not a hunk line.
      while (h.before.at(-1) === '' && h.after.at(-1) === '') {
        h.before.pop();
        h.after.pop();
      }
      h.before = h.before.join('\n');
      h.after = h.after.join('\n');
    }
  }
  return files;
}

function countOf(haystack, needle) {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

/** 'patched' | 'applied' — throws if the source is neither the expected original nor already patched. */
function applyPatch(capDir, patchFile) {
  const files = parseUnifiedDiff(readFileSync(patchFile, 'utf8'));
  if (files.length === 0) fail(`${patchFile} holds no diff`);
  let changed = false;
  for (const { file, hunks } of files) {
    const path = join(capDir, file);
    let source = readFileSync(path, 'utf8').replaceAll('\r\n', '\n');
    const already = hunks.every((h) => countOf(source, h.after) === 1);
    if (already && source.includes(MARKER)) continue;
    for (const [index, h] of hunks.entries()) {
      const found = countOf(source, h.before);
      if (found !== 1) {
        fail(
          `${file}: hunk ${index + 1} of ${patchFile} ${found === 0 ? 'does not match' : 'matches more than once'}; ` +
            'cap changed: update the patch for this cap version (see the patch header)',
        );
      }
      source = source.replace(h.before, () => h.after);
    }
    writeFileSync(path, source);
    changed = true;
  }
  return changed ? 'applied' : 'patched';
}

function addonIsCurrent(capDir) {
  const addon = join(capDir, 'build', 'Release', 'cap.node');
  if (!existsSync(addon)) return false;
  return statSync(addon).mtimeMs >= statSync(join(capDir, 'src', 'binding.cc')).mtimeMs;
}

function rebuild(capDir) {
  // npm hands its bundled node-gyp to lifecycle scripts; outside npm, ask npm to rebuild.
  const gyp =
    process.env.npm_config_node_gyp ??
    (process.env.npm_execpath
      ? join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
      : undefined);
  const result =
    gyp && existsSync(gyp)
      ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: capDir, stdio: 'inherit' })
      : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['rebuild', 'cap', '--foreground-scripts'], {
          cwd: root,
          stdio: 'inherit',
          shell: process.platform === 'win32',
        });
  if (result.status !== 0) {
    fail('rebuilding cap failed: it needs libpcap-dev (Npcap SDK on Windows), python3, make and a C++ compiler');
  }
}

function main() {
  const capDir = findCap();
  const { version } = JSON.parse(readFileSync(join(capDir, 'package.json'), 'utf8'));
  const patchFile = join(root, 'scripts', 'patches', `cap+${version}.patch`);
  if (!existsSync(patchFile)) {
    fail(`no patch for cap ${version} (scripts/patches has the one for the pinned version): pin cap or port the patch`);
  }
  if (process.argv.includes('--check')) {
    const source = readFileSync(join(capDir, 'src', 'binding.cc'), 'utf8');
    const ok = source.includes(MARKER) && addonIsCurrent(capDir);
    console.log(ok ? `cap ${version} is patched and built` : `cap ${version} is not patched and built`);
    process.exit(ok ? 0 : 1);
  }
  const state = applyPatch(capDir, patchFile);
  if (state === 'applied' || !addonIsCurrent(capDir)) {
    console.log(`patch-cap: cap ${version} patched (${state}); rebuilding its addon`);
    rebuild(capDir);
  } else {
    console.log(`patch-cap: cap ${version} already patched and built`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
