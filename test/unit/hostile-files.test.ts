/**
 * Run folders from someone else: ids that are paths, a planted run.json, shapes that do not match, markup and
 * formulas in values, escape sequences for the terminal, symlinks in the bundle. Each kind from issue #15, with
 * the issue's own example kept as a case.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bench } from '../../main/engine/bench.js';
import { isRunId, listRuns, RunWriter, readRunFolder, runDirOf } from '../../main/engine/store.js';
import { bundleEntries } from '../../main/report/bundle.js';
import { exportReport, reportFileName } from '../../main/report/export.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { buildReport } from '../../shared/report/build.js';
import { comparisonText } from '../../shared/report/compare-render.js';
import { renderCsv } from '../../shared/report/csv.js';
import { mdCode, mdText, neutraliseFormula, safeFileStem, terminalText } from '../../shared/report/escape.js';
import { renderHtml } from '../../shared/report/html.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { compareRuns } from '../../shared/run/compare.js';
import { parseRunManifest, parseStepRecord, RunFileError } from '../../shared/run/schema.js';
import { parseCsv, REPO } from './report-fixtures.js';

const FIXTURES = join(REPO, 'test/fixtures/runs');
let scratch: string;
let runs: string;

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'bondbench-hostile-'));
  runs = join(scratch, 'runs');
  await mkdir(runs);
  for (const name of ['lab-miimon100', 'lab-miimon500']) {
    await cp(join(FIXTURES, name), join(runs, name), { recursive: true });
  }
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function editJson(file: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function editSteps(dir: string, edit: (steps: Record<string, unknown>[]) => void): Promise<void> {
  const file = join(dir, 'steps.jsonl');
  const steps = (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  edit(steps);
  await writeFile(file, steps.map((s) => `${JSON.stringify(s)}\n`).join(''));
}

describe('run ids are folder names, resolved inside the runs folder', () => {
  it('knows an id from a path', () => {
    for (const id of ['lab-miimon100', '2026-11-25T18-02-33Z-8modes', 'a.b_c-d']) expect(isRunId(id)).toBe(true);
    for (const id of ['', '.', '..', '../x', '/etc', 'a/b', 'a\\b', '.hidden', 'x\u0000', 'x'.repeat(129), 5]) {
      expect(isRunId(id), String(id)).toBe(false);
    }
  });

  it('deleteRun("../x") and friends never leave the runs folder (the issue’s example)', async () => {
    const outside = join(scratch, 'x');
    await mkdir(outside);
    await writeFile(join(outside, 'run.json'), '{}');
    await symlink(outside, join(runs, 'planted'));
    const bench = new Bench({ runsDir: runs });
    for (const id of ['../x', outside, `${runs}/../x`, 'planted', '..', 'lab-miimon100/../../x']) {
      await expect(bench.deleteRun(id), id).rejects.toThrow(/not a run id|outside the runs folder|no run/);
      await expect(bench.getRun(id), id).rejects.toThrow(/not a run id|outside the runs folder|no run/);
    }
    expect(await readdir(outside)).toEqual(['run.json']);
    await expect(runDirOf('planted', runs)).rejects.toThrow('leads outside the runs folder');
  });

  it('opens a renamed run folder: its id is the folder’s name, not what run.json says', async () => {
    const bench = new Bench({ runsDir: runs });
    const listed = await bench.listRuns();
    expect(listed.map((r) => r.id).sort()).toEqual(['lab-miimon100', 'lab-miimon500']);
    const view = await bench.getRun('lab-miimon100');
    expect(view.manifest.id).toBe('lab-miimon100');
    expect(view.steps.length).toBeGreaterThan(0);
    // The id recorded inside is ignored as a handle.
    await expect(bench.getRun('2026-11-25T18-02-33Z-8modes')).rejects.toThrow('no run');
  });

  it('a planted id in run.json does not decide where a report goes', async () => {
    const dir = join(runs, 'lab-miimon100');
    await editJson(join(dir, 'run.json'), (m) => {
      m.id = 'x/../../escape/owned';
    });
    const report = await exportReport(dir, 'html', 'en');
    expect(report.fileName).toBe('bondbench-lab-miimon100.html');
    expect(reportFileName('x/../../../tmp/escape/owned', 'html', 'en')).toBe(
      'bondbench-x_.._.._.._tmp_escape_owned.html',
    );
    expect(safeFileStem('../..')).toBe('_..');
    expect(safeFileStem('...')).toBe('run');

    // The command: `bondbench report RUN --format html` with no --out writes into the current folder.
    const work = join(scratch, 'work', 'here');
    await mkdir(work, { recursive: true });
    const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
    const entry = `import { main } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/cli/main.ts')).href)};
process.exitCode = await main(process.argv.slice(1));`;
    const result = spawnSync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '-e', entry, 'report', dir, '--format', 'html'],
      { cwd: work, encoding: 'utf8', env: { ...process.env, BONDBENCH_RUNS: runs } },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(await readdir(work)).toEqual(['bondbench-lab-miimon100.html']);
    await expect(stat(join(scratch, 'escape'))).rejects.toThrow();
  }, 60_000);

  it('gives two runs started in the same second their own folders', async () => {
    const plan = defaultLabPlan('x');
    const writers = await Promise.all(
      Array.from({ length: 5 }, () => RunWriter.create(runs, plan, 'version: 1\n', 1, '0.0.0')),
    );
    const ids = writers.map((w) => w.manifest.id);
    expect(new Set(ids).size).toBe(5);
    for (const w of writers) expect(w.dir).toBe(join(runs, w.manifest.id));
    expect(ids.every(isRunId)).toBe(true);
  });
});

describe('run folders are validated when read', () => {
  it('lists a bad folder as unreadable, with why, and shows the others (the issue’s "startedAt": 12)', async () => {
    await editJson(join(runs, 'lab-miimon500', 'run.json'), (m) => {
      m.startedAt = 12;
    });
    const listed = await listRuns(runs);
    const bad = listed.find((r) => r.id === 'lab-miimon500')!;
    const good = listed.find((r) => r.id === 'lab-miimon100')!;
    expect(good.status).toBe('completed');
    expect(bad.status).toBe('unreadable');
    expect(bad.unreadable).toMatch(/^run\.json:6: startedAt must be string$/);
    await expect(new Bench({ runsDir: runs }).getRun('lab-miimon500')).rejects.toThrow(
      /lab-miimon500\/run\.json:6: startedAt must be string/,
    );
  });

  it('names the file and line of a step record that does not have the shape', async () => {
    const dir = join(runs, 'lab-miimon100');
    await editSteps(dir, (steps) => {
      steps[2]!.index = '<b>2</b>';
    });
    await expect(readRunFolder(dir)).rejects.toThrow(/steps\.jsonl:3: index must be integer/);
    await editSteps(dir, (steps) => {
      steps[2]!.index = 2;
      (steps[4]!.measurements as Record<string, unknown>).arpBySource = { x: { probe: 'many' } };
    });
    await expect(readRunFolder(dir)).rejects.toThrow(/steps\.jsonl:5: measurements\.arpBySource\.x/);
  });

  it('keeps the steps before a last line cut short by a crash, but refuses a bad line in the middle', async () => {
    const dir = join(runs, 'lab-miimon100');
    const file = join(dir, 'steps.jsonl');
    const text = await readFile(file, 'utf8');
    const count = text.split('\n').filter(Boolean).length;
    await writeFile(file, `${text}{"index":99,"repe`);
    expect((await readRunFolder(dir)).steps.length).toBe(count);
    await writeFile(file, `{"index":0,"repe\n${text}`);
    await expect(readRunFolder(dir)).rejects.toThrow(/steps\.jsonl:1: not JSON/);
  });

  it('refuses run folder files that are symlinks', async () => {
    const dir = join(runs, 'lab-miimon100');
    await writeFile(join(scratch, 'secret'), 'version: 1\n');
    await rm(join(dir, 'plan.yaml'));
    await symlink(join(scratch, 'secret'), join(dir, 'plan.yaml'));
    await expect(readRunFolder(dir)).rejects.toThrow('is a symbolic link');
  });

  it('parses the manifest and step schemas with file and line', () => {
    expect(() => parseRunManifest('{"format": 1}', 'f/run.json')).toThrow(RunFileError);
    expect(() => parseRunManifest('nope', 'f/run.json')).toThrow('f/run.json: not JSON');
    const manifest = JSON.parse(
      JSON.stringify({ format: 1, id: 'x', benchVersion: '1', planName: 'p', startedAt: 's', status: 'completed' }),
    );
    const text = JSON.stringify({ ...manifest, totalSteps: 1, warnings: [], status: 'owned' }, null, 2);
    expect(() => parseRunManifest(text, 'run.json')).toThrow(/^run\.json:7: status must be one of "running"/);
    expect(() => parseStepRecord('{}', 'steps.jsonl', 7)).toThrow(/^steps\.jsonl:7: the record: the field/);
  });
});

const PAYLOAD = '<img src=x onerror=alert(1)>';

/** Every string in the model (keys of records too) replaced by markup. */
function poison(value: unknown): unknown {
  if (typeof value === 'string') return `${PAYLOAD}${value}`;
  if (Array.isArray(value)) return value.map(poison);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v)]));
  }
  return value;
}

describe('every value is escaped for its format', () => {
  it('HTML: a key of arpBySource such as <script> stays text (the issue’s example)', async () => {
    const dir = join(runs, 'lab-miimon100');
    await editSteps(dir, (steps) => {
      const m = steps[2]!.measurements as { arpBySource: Record<string, unknown> };
      m.arpBySource['<script>alert(1)</script>'] = { probe: 1, gratuitous: 0, request: 0, reply: 0 };
      steps[3]!.label = '<b>bold</b>';
    });
    const html = (await exportReport(dir, 'html', 'en')).data.toString();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>bold</b>');
    // index/repetition given as strings never get that far: the shape is checked on read.
    await editSteps(dir, (steps) => {
      steps[0]!.repetition = '<i>1</i>';
    });
    await expect(exportReport(dir, 'html', 'en')).rejects.toThrow(/steps\.jsonl:1: repetition must be integer/);
  });

  it('HTML, Markdown and CSV: no string of the model, anywhere, becomes markup or a formula', async () => {
    const run = await readRunFolder(join(runs, 'lab-miimon100'));
    for (const language of ['en', 'zh-CN'] as const) {
      const model = poison(buildReport(run, language)) as ReturnType<typeof buildReport>;
      const html = renderHtml(model);
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      // Inside a code span `<img` is literal text (CommonMark §6.1); everywhere else it must be an entity.
      const md = renderMarkdown(model).replace(/(`+)(?:(?!\1).)*?\1/g, '');
      expect(md).not.toMatch(/<img/);
      expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    const model = buildReport(run, 'en');
    const formulas = {
      ...model,
      steps: model.steps.map((s, i) => ({
        ...s,
        label: ["=cmd|' /C calc'!A0", '+1', '-2', '@SUM(A1)', '\tx', '\rx'][i % 6]!,
      })),
    };
    const rows = parseCsv(renderCsv(formulas));
    const cells = rows.flat();
    expect(cells.some((c) => c === "'=cmd|' /C calc'!A0")).toBe(true);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && Number.isNaN(Number(c)))).toEqual([]);
  });

  it('Markdown keeps no raw <script>, link or table syntax from a run', () => {
    expect(mdText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mdText('[x](javascript:alert(1)) | *a* `b`\nc')).toBe('\\[x\\](javascript:alert(1)) \\| \\*a\\* \\`b\\` c');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x')).toBe('`` `x ``');
  });

  it('CSV neutralises formula prefixes and leaves numbers alone', () => {
    for (const text of ['=1+1', '+1', '-1', '@x', '\tx', '\rx']) expect(neutraliseFormula(text)).toBe(`'${text}`);
    expect(neutraliseFormula('eth1')).toBe('eth1');
  });

  it('the terminal never gets an escape sequence from a run (runs, compare)', async () => {
    expect(terminalText('a\u001b]0;owned\u0007b\u009b31mc\u202ed\u0000e\nf')).toBe('a]0;ownedb31mcdef');
    expect(terminalText('a\nb\tc\u001b[2J', true)).toBe('a\nb\tc[2J');
    const a = await readRunFolder(join(runs, 'lab-miimon100'));
    const b = await readRunFolder(join(runs, 'lab-miimon500'));
    b.manifest.planName = 'evil\u001b[2J\u001b]52;c;ZWNobyBvd25lZA==\u0007';
    const text = comparisonText(compareRuns(a, b, 'en'), { language: 'en' });
    expect(text.includes('\u001b') || text.includes('\u0007')).toBe(false);
    expect(text).toContain('evil[2J]52;c;ZWNobyBvd25lZA==');
  });
});

describe('the zip bundle takes regular files inside the run folder only', () => {
  it('leaves out a capture that is a symlink to a local file (the issue’s example), and a linked capture folder', async () => {
    const dir = join(runs, 'lab-miimon100');
    await writeFile(join(scratch, 'private.key'), 'SECRET KEY');
    await symlink(join(scratch, 'private.key'), join(dir, 'capture', 'zz.pcapng'));
    await rm(join(dir, 'log.txt'));
    await symlink(join(scratch, 'private.key'), join(dir, 'log.txt'));
    const run = await readRunFolder(dir);
    const entries = await bundleEntries(run);
    expect(entries).not.toContain('capture/zz.pcapng');
    expect(entries).not.toContain('log.txt');
    expect(entries.some((e) => e.startsWith('capture/'))).toBe(true);
    const zip = (await exportReport(dir, 'zip', 'en')).data;
    expect(zip.includes(Buffer.from('SECRET KEY'))).toBe(false);

    await rm(join(dir, 'capture'), { recursive: true });
    await mkdir(join(scratch, 'elsewhere'));
    await writeFile(join(scratch, 'elsewhere', 'a.pcapng'), 'SECRET KEY');
    await symlink(join(scratch, 'elsewhere'), join(dir, 'capture'));
    expect((await bundleEntries(await readRunFolder(dir))).filter((e) => e.startsWith('capture/'))).toEqual([]);
  });
});
