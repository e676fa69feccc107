/** `bondbench run --junit`: the XML Jenkins and GitLab read, checked by libxml2's XSD validator (xmllint-wasm). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { junitInputOf, runExitStatus, runToJunit, xmlText } from '../../shared/report/junit.js';
import type { StepRecord } from '../../shared/run/model.js';
import { fixtureNames, loadFixture } from './report-fixtures.js';

const schema = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'junit', 'jenkins-junit.xsd'), 'utf8');

async function validate(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [schema] });
  return result.errors.map((e) => e.rawMessage);
}

/** Element counts by name, with a regex: enough for a document we wrote ourselves and validated. */
const count = (xml: string, element: string) => (xml.match(new RegExp(`<${element}[ >/]`, 'g')) ?? []).length;

describe('JUnit XML of a run', () => {
  it('the validator is strict: a testcase without a name is refused', async () => {
    expect(
      await validate('<testsuites><testsuite name="x" tests="1"><testcase/></testsuite></testsuites>'),
    ).not.toEqual([]);
  });

  it.each(fixtureNames())('%s: valid, a testcase per matrix cell, a failure per unexpected verdict', async (name) => {
    const run = await loadFixture(name);
    const matrix = judgeRun(run.plan, run.steps);
    const xml = runToJunit(junitInputOf(run, matrix));
    expect(await validate(xml)).toEqual([]);
    const cells = matrix.flatMap((r) => Object.values(r.cells));
    const failedSteps = run.steps.filter((s) => s.status === 'failed').length;
    expect(count(xml, 'testsuite')).toBe(matrix.length + (run.manifest.status === 'completed' ? 0 : 1));
    expect(count(xml, 'failure')).toBe(cells.filter((c) => c?.verdict === 'unexpected').length);
    expect(count(xml, 'error')).toBe(failedSteps + (run.manifest.status === 'completed' ? 0 : 1));
    expect(count(xml, 'skipped')).toBe(matrix.length * 6 - cells.filter((c) => c?.verdict !== 'not-measurable').length);
    expect(xml).toMatch(/<testsuites name="BondBench: [^"]*" tests="\d+" failures="\d+" errors="\d+" time="[\d.]+">/);
  });

  it('a failed step is an error with its message, a failed run one more, and hostile text stays well-formed', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const evil = 'setting miimon=100 failed: ]]> <script>alert(1)</script> & "quotes" \u0007bell \uD800 end';
    const steps: StepRecord[] = run.steps.map((s, i) => (i === 1 ? { ...s, status: 'failed', error: evil } : s));
    const matrix = judgeRun(run.plan, steps);
    const xml = runToJunit({
      ...junitInputOf({ ...run, steps }, matrix),
      status: 'failed',
      error: 'lost the host\u0000',
    });
    expect(await validate(xml)).toEqual([]);
    expect(xml).toContain(`type="step-failed">${xmlText(evil)}</error>`);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('<testcase name="run" classname="bondbench" time="0.000">');
    expect(xml).toContain('type="run-failed">lost the host\uFFFD</error>');
    expect(runExitStatus('failed', matrix, steps)).toBe(2);
    expect(runExitStatus('cancelled', matrix, run.steps)).toBe(2);
    expect(runExitStatus('completed', matrix, steps)).toBe(1);
  });

  it('exit status 0 only when every cell is as expected and every step done', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const matrix = judgeRun(run.plan, run.steps);
    const clean = matrix.map((r) => ({
      ...r,
      cells: Object.fromEntries(Object.entries(r.cells).filter(([, c]) => c?.verdict !== 'unexpected')),
    }));
    const ok = run.steps.filter((s) => s.status === 'ok');
    expect(runExitStatus('completed', clean, ok)).toBe(0);
    const oneUnexpected = matrix.some((r) => Object.values(r.cells).some((c) => c?.verdict === 'unexpected'));
    expect(runExitStatus('completed', matrix, ok)).toBe(oneUnexpected ? 1 : 0);
  });
});

describe('bondbench run --junit', () => {
  it('a plan that cannot run: exit status 2 and a JUnit file with the run’s error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bondbench-junit-'));
    try {
      const plan = join(dir, 'bad.yaml');
      writeFileSync(
        plan,
        'version: 1\nhost: { target: lab }\nbond: { slaves: [eth1], address: 10.0.0.1/24, peer: 10.0.0.2 }\nmodes: [balance-xxor]\n',
      );
      const junit = join(dir, 'junit.xml');
      const result = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '..', 'support', 'cli.ts'),
          'run',
          plan,
          '--out',
          dir,
          '--junit',
          junit,
        ],
        { encoding: 'utf8', cwd: join(import.meta.dirname, '..', '..') },
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/bad\.yaml:4:\d+: modes\[0\]/);
      const xml = readFileSync(junit, 'utf8');
      expect(await validate(xml)).toEqual([]);
      expect(xml).toMatch(/<error message="the run failed: [^"]*modes\[0\][^"]*" type="run-failed">/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
