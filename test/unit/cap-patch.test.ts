/**
 * The cap patch as a Windows clone sees it (CRLF) and as electron-builder leaves it (an addon rebuilt for another
 * ABI): scripts/patch-cap.mjs must apply the one and refuse the other.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript (it runs at postinstall, without tsx)
import * as patchCap from '../../scripts/patch-cap.mjs';

type Hunk = { before: string; after: string };
const { applyHunks, currentRuntime, normaliseLineEnds, parseUnifiedDiff, patchHash, rebuildReason } = patchCap as {
  applyHunks(file: string, source: string, hunks: Hunk[]): { state: 'patched' | 'applied'; source: string };
  currentRuntime(versions?: Record<string, string | undefined>): { runtime: string; version: string; modules: string };
  normaliseLineEnds(text: string): string;
  parseUnifiedDiff(text: string): { file: string; hunks: Hunk[] }[];
  patchHash(text: string): string;
  rebuildReason(stamp: unknown, wanted: unknown): string | undefined;
};

const root = join(import.meta.dirname, '..', '..');
const patchText = readFileSync(join(root, 'scripts', 'patches', 'cap+0.2.1.patch'), 'utf8');
const capDir = dirname(createRequire(join(root, 'package.json')).resolve('cap/package.json'));
const patched = readFileSync(join(capDir, 'src', 'binding.cc'), 'utf8');
const [binding] = parseUnifiedDiff(patchText);

/** cap's own source, recovered by undoing the installed patch hunk by hunk. */
function original(): string {
  let source = patched;
  for (const h of [...binding!.hunks].reverse()) {
    expect(source.split(h.after).length, 'each hunk leaves text found once').toBe(2);
    source = source.replace(h.after, () => h.before);
  }
  return source;
}

const crlf = (text: string) => text.replaceAll('\n', '\r\n');

describe('the cap patch on a Windows clone', () => {
  it('parses the same from a CRLF checkout as from LF', () => {
    expect(parseUnifiedDiff(crlf(patchText))).toEqual(parseUnifiedDiff(patchText));
    expect(patchHash(crlf(patchText))).toBe(patchHash(patchText));
  });

  it('applies a CRLF patch to a CRLF source and leaves exactly the installed (LF) source', () => {
    const source = original();
    expect(source).not.toContain('bondbench:');
    const [file] = parseUnifiedDiff(crlf(patchText));
    const result = applyHunks('src/binding.cc', crlf(source), file!.hunks);
    expect(result.state).toBe('applied');
    expect(result.source).toBe(normaliseLineEnds(patched));
    expect(applyHunks('src/binding.cc', crlf(patched), file!.hunks).state).toBe('patched');
  });

  it('refuses a cap whose source changed, naming the hunk', () => {
    const changed = original().replace(
      'pcap_set_timeout(obj->pcap_handle, 1000)',
      'pcap_set_timeout(obj->pcap_handle, 500)',
    );
    expect(() => applyHunks('src/binding.cc', changed, binding!.hunks)).toThrow(/hunk \d+ does not match/);
  });

  it('gives Npcap immediate delivery and a timed wait, and drains before close', () => {
    const windows = patched.slice(
      patched.indexOf('RegisterWaitForSingleObject('),
      patched.indexOf('#else', patched.indexOf('RegisterWaitForSingleObject(')),
    );
    expect(windows).not.toContain('INFINITE');
    expect(windows).toContain('obj->wait_ms');
    expect(patched).toMatch(/if \(immediate && pcap_setmintocopy\(obj->pcap_handle, 0\) != 0\)/);
    expect(patched).not.toContain('assert(!didTimeout)');
    expect(patched).toContain('UnregisterWaitEx(wait, INVALID_HANDLE_VALUE)');
    const close = patched.slice(patched.indexOf('static NAN_METHOD(Close)'));
    expect(close.indexOf('obj->Drain();')).toBeGreaterThan(-1);
    expect(close.indexOf('obj->Drain();')).toBeLessThan(close.indexOf('obj->close()'));
  });

  it('keeps the patch LF in every checkout (.gitattributes)', () => {
    const attributes = execFileSync('git', ['check-attr', 'eol', 'scripts/patches/cap+0.2.1.patch'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(attributes.trim()).toMatch(/eol: lf$/);
  });
});

describe('the build stamp: which ABI cap was built for', () => {
  const node = currentRuntime({ node: '20.20.2', modules: '115' });
  const electron = currentRuntime({ node: '22.20.0', modules: '145', electron: '41.7.1' });

  it('tells Node from Electron-as-Node by process.versions', () => {
    expect(node).toEqual({ runtime: 'node', version: '20.20.2', modules: '115' });
    expect(electron).toEqual({ runtime: 'electron', version: '41.7.1', modules: '145' });
  });

  it('asks for a rebuild when the addon was rebuilt in place for Electron, or from another patch', () => {
    const patch = patchHash(patchText);
    expect(rebuildReason(undefined, { patch, ...node })).toMatch(/no build stamp/);
    expect(rebuildReason({ patch, ...electron }, { patch, ...node })).toBe(
      'built for electron ABI 145, this is node ABI 115',
    );
    expect(rebuildReason({ patch: 'older', ...node }, { patch, ...node })).toMatch(/another patch/);
    expect(rebuildReason({ patch, ...node }, { patch, ...node })).toBeUndefined();
  });

  it('--check loads the installed addon in this runtime and says for which ABI', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'patch-cap.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain(`is patched and built for node ${process.versions.node} (ABI ${process.versions.modules})`);
  });
});

// The patch's Windows branch (Npcap: MinToCopy, the timed wait, UnregisterWaitEx) type-checked by a Windows
// compiler against cap's WinPcap headers and Node's, since no Windows machine builds it here. Headers the POSIX
// branch would include are stood in for by Winsock's.
const mingw = spawnSync('x86_64-w64-mingw32-g++', ['--version']).status === 0;
describe.skipIf(!mingw)('the patched binding on Windows (mingw-w64, syntax and types)', () => {
  it('compiles the _WIN32 branch, and would catch a wrong Npcap call', () => {
    const shim = mkdtempSync(join(tmpdir(), 'bondbench-winshim-'));
    mkdirSync(join(shim, 'arpa'));
    mkdirSync(join(shim, 'sys'));
    writeFileSync(join(shim, 'arpa', 'inet.h'), '#include <winsock2.h>\n#include <ws2tcpip.h>\n');
    writeFileSync(join(shim, 'sys', 'ioctl.h'), '\n');
    const nodeHeaders = join(dirname(dirname(process.execPath)), 'include', 'node');
    const compile = (file: string) =>
      spawnSync(
        'x86_64-w64-mingw32-g++',
        [
          '-fsyntax-only',
          '-std=gnu++17',
          '-DWPCAP',
          '-D_WIN32_WINNT=0x0601',
          '-DBUILDING_NODE_EXTENSION',
          '-I',
          join(capDir, 'src'),
          '-I',
          shim,
          '-I',
          existsSync(nodeHeaders) ? nodeHeaders : '/usr/include/node',
          '-I',
          dirname(createRequire(join(capDir, 'package.json')).resolve('nan')),
          '-I',
          join(capDir, 'deps', 'winpcap', 'Include'),
          file,
        ],
        { encoding: 'utf8' },
      );
    try {
      const ok = compile(join(capDir, 'src', 'binding.cc'));
      expect(ok.stderr).not.toMatch(/error/);
      expect(ok.status).toBe(0);
      const broken = join(shim, 'broken.cc');
      writeFileSync(
        broken,
        patched.replace('pcap_setmintocopy(obj->pcap_handle, 0)', 'pcap_setmintocopy(obj->pcap_handle, 0, 1)'),
      );
      expect(compile(broken).stderr).toMatch(/too many arguments to function .*pcap_setmintocopy/);
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });
});
