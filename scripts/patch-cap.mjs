#!/usr/bin/env node
/**
 * postinstall: applies scripts/patches/cap+<version>.patch to node_modules/cap and rebuilds its addon, so the
 * tester gets libpcap's packet timestamps and drop counters (see the patch's header for why).
 *
 * Plain JavaScript on purpose: it runs in production installs too, where tsx is absent. No `patch` program
 * either (Windows has none): hunks are applied by exact match, with no fuzz, so a changed cap fails loudly.
 *
 *   node scripts/patch-cap.mjs            patch (if needed) and rebuild (if patched now, or the addon was built
 *                                         from another patch or for another ABI than this runtime's)
 *   node scripts/patch-cap.mjs --check    exit 0 if cap is patched and its addon loads in this runtime, 1 if not
 *
 * Line ends: a Windows clone may turn the patch (and nothing else we read) into CRLF; both are read as LF.
 * ABI: the build writes build/Release/bondbench-build.json (the patch's hash, runtime, NODE_MODULE_VERSION);
 * after a rebuild, and for --check, the addon is loaded in a child of this very runtime: a cap.node rebuilt
 * for Electron in place is reported, never taken as built.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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

/** Text with CRLF (or lone CR) line ends as LF: what git's autocrlf does to a checkout, undone. */
export function normaliseLineEnds(text) {
  return text.replace(/\r\n?/g, '\n');
}

/** Unified diff → [{ file, hunks: [{ before, after }] }] with the text each hunk expects and leaves. */
export function parseUnifiedDiff(text) {
  const files = [];
  let file;
  let hunk;
  for (const line of normaliseLineEnds(text).split('\n')) {
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

/**
 * One file's source (any line ends) with the hunks applied: { state: 'patched' (already) | 'applied', source }.
 * Throws naming the hunk that does not match exactly once.
 */
export function applyHunks(file, original, hunks) {
  let source = normaliseLineEnds(original);
  if (source.includes(MARKER) && hunks.every((h) => countOf(source, h.after) === 1))
    return { state: 'patched', source };
  for (const [index, h] of hunks.entries()) {
    const found = countOf(source, h.before);
    if (found !== 1) {
      throw new Error(
        `${file}: hunk ${index + 1} ${found === 0 ? 'does not match' : 'matches more than once'}; ` +
          'cap changed: update the patch for this cap version (see the patch header)',
      );
    }
    source = source.replace(h.before, () => h.after);
  }
  return { state: 'applied', source };
}

/**
 * cap's own text of `file` from npm's cache (npm pack --offline: no network), for an install patched by an
 * earlier version of the patch before the original was kept beside it. Undefined when npm or tar cannot.
 */
function originalFromNpmCache(capDir, file) {
  const { version } = JSON.parse(readFileSync(join(capDir, 'package.json'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'bondbench-cap-'));
  try {
    const windows = process.platform === 'win32';
    const packed = spawnSync(
      windows ? 'npm.cmd' : 'npm',
      ['pack', `cap@${version}`, '--offline', '--silent', '--pack-destination', dir],
      { encoding: 'utf8', shell: windows },
    );
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (packed.status !== 0 || !tarball) return undefined;
    // One top folder ("package/", or the repository's name for cap 0.2.1), then the package's own paths.
    const entries = spawnSync('tar', ['-tzf', join(dir, tarball)], { encoding: 'utf8' }).stdout ?? '';
    const entry = entries.split('\n').find((e) => e.split('/').slice(1).join('/') === file);
    if (!entry) return undefined;
    const text = spawnSync('tar', ['-xzOf', join(dir, tarball), entry], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return text.status === 0 && text.stdout ? text.stdout : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function applyHunksOrUndefined(file, source, hunks) {
  try {
    return applyHunks(file, source, hunks);
  } catch {
    return undefined;
  }
}

/** 'patched' | 'applied' — fails if the source is neither the expected original nor already patched. */
function applyPatch(capDir, patchText, patchFile) {
  const files = parseUnifiedDiff(patchText);
  if (files.length === 0) fail(`${patchFile} holds no diff`);
  let changed = false;
  for (const { file, hunks } of files) {
    const path = join(capDir, file);
    // cap's own text, kept beside it the first time: a later version of the patch starts from it.
    const pristine = `${path}.orig`;
    let current = readFileSync(path, 'utf8');
    if (!existsSync(pristine) && !current.includes(MARKER)) writeFileSync(pristine, current);
    if (current.includes(MARKER) && applyHunksOrUndefined(file, current, hunks)?.state !== 'patched') {
      const original = existsSync(pristine) ? readFileSync(pristine, 'utf8') : originalFromNpmCache(capDir, file);
      if (original === undefined) {
        fail(
          `${file} carries another version of BondBench's patch and cap's original is neither kept beside it nor ` +
            "in npm's cache: reinstall cap (rm -rf node_modules/cap && npm install --no-save) and run this script again",
        );
      }
      writeFileSync(pristine, original);
      current = original;
    }
    let result;
    try {
      result = applyHunks(file, current, hunks);
    } catch (error) {
      fail(`${patchFile}: ${error.message}`);
    }
    if (result.state === 'patched') continue;
    writeFileSync(path, result.source);
    changed = true;
  }
  return changed ? 'applied' : 'patched';
}

/** What this runtime needs of a native addon: { runtime: 'node' | 'electron', version, modules (ABI) }. */
export function currentRuntime(versions = process.versions) {
  return versions.electron
    ? { runtime: 'electron', version: versions.electron, modules: versions.modules }
    : { runtime: 'node', version: versions.node, modules: versions.modules };
}

/** The patch's identity in the build stamp: sha256 of its LF text, so a CRLF checkout hashes the same. */
export function patchHash(patchText) {
  return createHash('sha256').update(normaliseLineEnds(patchText)).digest('hex').slice(0, 16);
}

/**
 * Why the addon must be (re)built, or undefined when its stamp says it was built from this patch for this ABI.
 * stamp: the parsed bondbench-build.json or undefined; wanted: { patch, ...currentRuntime() }.
 */
export function rebuildReason(stamp, wanted) {
  if (!stamp) return 'no build stamp (never built by this script)';
  if (stamp.patch !== wanted.patch) return `built from another patch (${stamp.patch}, now ${wanted.patch})`;
  if (String(stamp.modules) !== String(wanted.modules) || stamp.runtime !== wanted.runtime) {
    return `built for ${stamp.runtime} ABI ${stamp.modules}, this is ${wanted.runtime} ABI ${wanted.modules}`;
  }
  return undefined;
}

const STAMP = ['build', 'Release', 'bondbench-build.json'];

function readStamp(capDir) {
  try {
    return JSON.parse(readFileSync(join(capDir, ...STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Loads the addon in a child of this runtime (as Node, also under Electron): undefined if it loads, else why. */
function loadError(capDir) {
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Cap } = require(${JSON.stringify(capDir)}); if (typeof new Cap().stats !== 'function') process.exit(3);`,
    ],
    { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' },
  );
  if (result.status === 0) return undefined;
  if (result.status === 3) return 'it loads but lacks the patch (stats)';
  return (
    (result.stderr || result.error?.message || `exit ${result.status}`)
      .trim()
      .split('\n')
      .find((l) => /Error|error/.test(l)) ?? 'it does not load'
  );
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
  const patchText = readFileSync(patchFile, 'utf8');
  const wanted = { patch: patchHash(patchText), ...currentRuntime() };
  const label = `${wanted.runtime} ${wanted.version} (ABI ${wanted.modules})`;
  if (process.argv.includes('--check')) {
    const source = readFileSync(join(capDir, 'src', 'binding.cc'), 'utf8');
    const why = !source.includes(MARKER)
      ? 'its source is not patched'
      : (rebuildReason(readStamp(capDir), wanted) ?? loadError(capDir));
    console.log(
      why ? `cap ${version} is not ready for ${label}: ${why}` : `cap ${version} is patched and built for ${label}`,
    );
    process.exit(why ? 1 : 0);
  }
  const state = applyPatch(capDir, patchText, patchFile);
  const reason = state === 'applied' ? 'patched now' : rebuildReason(readStamp(capDir), wanted);
  if (!reason) {
    console.log(`patch-cap: cap ${version} already patched and built for ${label}`);
    return;
  }
  console.log(`patch-cap: cap ${version}: ${reason}; rebuilding its addon for ${label}`);
  rebuild(capDir);
  const error = loadError(capDir);
  if (error) fail(`the rebuilt cap does not load in ${label}: ${error}`);
  writeFileSync(join(capDir, ...STAMP), `${JSON.stringify({ ...wanted, builtAt: new Date().toISOString() })}\n`);
  console.log(`patch-cap: cap ${version} built and loaded in ${label}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
