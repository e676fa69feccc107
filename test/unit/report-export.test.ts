import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exportReport, REPORT_MIME } from '../../main/report/export.js';
import { buildReport } from '../../shared/report/build.js';
import { renderCsv } from '../../shared/report/csv.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderJson } from '../../shared/report/json.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { compareRuns } from '../../shared/run/compare.js';
import { fixtureDir, fixtureNames, loadFixture, REPO } from './report-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'bondbench-report-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The zip's entries and their bytes, read by Python's zipfile (not by the code that wrote it). */
function unzip(data: Buffer): Record<string, Buffer> {
  const path = join(scratch, `bundle-${Date.now()}-${Math.random()}.zip`);
  writeFileSync(path, data);
  const script =
    'import base64, json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))';
  const result = spawnSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 zipfile: ${result.stderr}`);
  const entries = JSON.parse(result.stdout) as Record<string, string>;
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function cli(...args: string[]) {
  // The sources through tsx's loader (by path: the command runs in a scratch folder, where "tsx" would not
  // resolve), entered as bin/bondbench.mjs enters the build.
  const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  const entry = `import { main } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/cli/main.ts')).href)};
process.exitCode = await main(process.argv.slice(1));`;
  return spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', entry, ...args], {
    cwd: scratch,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, BONDBENCH_RUNS: join(fixtureDir(fixtureNames()[0]!), '..') },
  });
}

describe.each(fixtureNames())('exporting recorded run %s', (name) => {
  it('gives every text format as the renderers make it, named after the run', async () => {
    const run = await loadFixture(name);
    const model = buildReport(run, 'zh-CN');
    const expected = {
      html: renderHtml(model),
      csv: renderCsv(model),
      json: renderJson(model),
      md: renderMarkdown(model),
    };
    for (const [format, text] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const file = await exportReport(fixtureDir(name), format, 'zh-CN');
      expect(file.fileName).toBe(`bondbench-${run.manifest.id}-zh-CN.${format}`);
      expect(file.mime).toBe(REPORT_MIME[format]);
      expect(file.data.toString('utf8')).toBe(text);
    }
  });

  it('bundles the report, plan, host readings, log and every pcapng under the run’s folder', async () => {
    const run = await loadFixture(name);
    const file = await exportReport(fixtureDir(name), 'zip', 'en');
    expect(file.fileName).toBe(`bondbench-${run.manifest.id}.zip`);
    const entries = unzip(file.data);
    const top = run.manifest.id;
    const captures = readdirSync(join(fixtureDir(name), 'capture')).filter((f) => f.endsWith('.pcapng'));
    expect(captures.length).toBeGreaterThan(0);
    const present = (f: string) => readdirSync(fixtureDir(name)).includes(f);
    expect(Object.keys(entries).sort()).toEqual(
      [
        'report.html',
        'plan.yaml',
        ...['run.json', 'steps.jsonl', 'log.txt', 'log.jsonl'].filter(present),
        ...captures.map((f) => `capture/${f}`),
      ]
        .map((f) => `${top}/${f}`)
        .sort(),
    );
    for (const f of ['plan.yaml', 'run.json', 'steps.jsonl', ...captures.map((c) => `capture/${c}`)]) {
      expect(entries[`${top}/${f}`]!.equals(readFileSync(join(fixtureDir(name), f))), f).toBe(true);
    }
    expect(entries[`${top}/report.html`]!.toString()).toBe(renderHtml(buildReport(run, 'en')));
    // pcapng's section header block: Wireshark opens these.
    for (const c of captures) expect(entries[`${top}/capture/${c}`]!.readUInt32LE(0)).toBe(0x0a0d0d0a);
    // The same run gives the same bytes.
    expect((await exportReport(fixtureDir(name), 'zip', 'en')).data.equals(file.data)).toBe(true);
  });
});

// Each command starts Node with tsx on the whole CLI: seconds on a loaded two-core machine.
describe('bondbench report and compare', { timeout: 120_000 }, () => {
  it('prints Markdown to standard output for a run id', async () => {
    const name = fixtureNames()[0]!;
    const result = cli('report', name, '--format', 'md');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderMarkdown(buildReport(await loadFixture(name), 'en')));
  });

  it('writes HTML to a file named after the run, and where --out says', async () => {
    const name = fixtureNames()[0]!;
    const run = await loadFixture(name);
    expect(cli('report', fixtureDir(name)).status).toBe(0);
    expect(readFileSync(join(scratch, `bondbench-${run.manifest.id}.html`), 'utf8')).toBe(
      renderHtml(buildReport(run, 'en')),
    );
    const out = join(scratch, 'r.json');
    const result = cli('report', fixtureDir(name), '--format', 'json', '--lang', 'zh-CN', '--out', out);
    expect(result.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(renderJson(buildReport(run, 'zh-CN')));
  });

  it('compares two runs as JSON', async () => {
    const [a, b] = fixtureNames();
    const result = cli('compare', fixtureDir(a!), b!, '--format', 'json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(compareRuns(await loadFixture(a!), await loadFixture(b!)));
  });

  it('says what to fix for a bad format, language or run', () => {
    const name = fixtureNames()[0]!;
    const format = cli('report', name, '--format', 'docx');
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format "docx": use one of html, pdf, csv, json, md, zip');
    const lang = cli('report', name, '--lang', 'fr');
    expect(lang.status).toBe(2);
    expect(lang.stderr).toContain('--lang "fr": use one of en, zh-CN');
    const missing = cli('compare', name, 'no-such-run');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no run "no-such-run"');
  });
});
