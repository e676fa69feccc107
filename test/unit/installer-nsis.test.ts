/**
 * The Windows installer's Npcap check (build-resources/installer.nsh) compiled by NSIS's own makensis, as
 * electron-builder's NSIS script includes it: the macro must build (x64.nsh, LogicLib) — a typo would stop
 * `npm run dist:win` on the first Windows build machine. Running it needs Windows; compiling does not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const include = join(import.meta.dirname, '..', '..', 'build-resources', 'installer.nsh');
const makensis = spawnSync('makensis', ['-VERSION']).status === 0;

function build(includeFile: string, dir: string) {
  const script = join(dir, 'installer.nsi');
  writeFileSync(
    script,
    `!include "${includeFile}"\nName "BondBench"\nOutFile "${join(dir, 'setup.exe')}"\nUnicode true\nSection\n  !insertmacro customInstall\nSectionEnd\n`,
  );
  return spawnSync('makensis', ['-V2', script], { encoding: 'utf8' });
}

describe.skipIf(!makensis)('the installer’s Npcap check (makensis)', () => {
  it('compiles, checks 64-bit System32\\Npcap with redirection off, and a broken macro fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bondbench-nsis-'));
    try {
      const text = readFileSync(include, 'utf8');
      expect(text).toContain('${DisableX64FSRedirection}');
      expect(text).toContain('$SYSDIR\\Npcap\\wpcap.dll');
      const ok = build(include, dir);
      expect(ok.stdout + ok.stderr).not.toMatch(/Error/);
      expect(ok.status).toBe(0);
      const broken = join(dir, 'broken.nsh');
      writeFileSync(broken, text.replace('${EnableX64FSRedirection}', '${EnableX64FSRedirectionX}'));
      const failed = build(broken, dir);
      expect(failed.status).not.toBe(0);
      expect(failed.stdout + failed.stderr).toMatch(/Error in macro customInstall/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
