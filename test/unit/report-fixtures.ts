/**
 * Recorded run folders for the report tests: real runs written by the engine against the lab, kept under
 * test/fixtures/runs/<name>/ (BONDBENCH_REPORT_FIXTURES points elsewhere, e.g. at fresh runs). And an
 * independent CSV reader (Python's csv module) to check that the CSV export parses back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunFolder, readRunFolder } from '../../main/engine/store.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE_ROOT = process.env.BONDBENCH_REPORT_FIXTURES
  ? resolve(process.env.BONDBENCH_REPORT_FIXTURES)
  : join(REPO, 'test/fixtures/runs');

/** The recorded runs' folder names, sorted; at least two, or the report tests cannot say anything. */
export function fixtureNames(): string[] {
  const names = existsSync(FIXTURE_ROOT)
    ? readdirSync(FIXTURE_ROOT).filter((name) => existsSync(join(FIXTURE_ROOT, name, 'run.json')))
    : [];
  if (names.length < 2) {
    throw new Error(
      `the report tests need at least two recorded run folders in ${FIXTURE_ROOT} (found ${names.length}): record them with "bondbench run --lab --out ${FIXTURE_ROOT}"`,
    );
  }
  return names.sort();
}

export function fixtureDir(name: string): string {
  return join(FIXTURE_ROOT, name);
}

export function loadFixture(name: string): Promise<RunFolder> {
  return readRunFolder(fixtureDir(name));
}

/** Parses CSV with Python's csv module (RFC 4180 dialect as Excel writes it), not with our own code. */
export function parseCsv(text: string): string[][] {
  const script =
    'import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode("utf-8-sig"), newline="")))))';
  const result = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 csv failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as string[][];
}
