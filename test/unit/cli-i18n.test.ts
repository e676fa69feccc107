/**
 * The command line in 简体中文 (BONDBENCH_LANG=zh-CN, or --lang where a command takes it): usage and help, the
 * runs list, report and compare status over the recorded runs (test/fixtures/runs), the matrix `bondbench run`
 * prints; exit codes as in English, machine-readable outputs (--json) unchanged, English unchanged without it.
 * The CLI is spawned as a user runs it (tsx over the sources), with its environment's language.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixText } from '../../main/cli/run.js';
import { compareRunFolders, exportReport } from '../../main/report/export.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { renderComparison } from '../../shared/report/compare-render.js';
import { englishSentences } from '../support/english.js';
import { FIXTURE_ROOT, fixtureDir, fixtureNames, loadFixture, REPO } from './report-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'bondbench-cli-i18n-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `bondbench …` in a child process with BONDBENCH_LANG as given (unset for undefined). */
function cli(language: string | undefined, ...args: string[]) {
  const tsx = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  const entry = `import { main } from ${JSON.stringify(pathToFileURL(join(REPO, 'main/cli/main.ts')).href)};
process.exitCode = await main(process.argv.slice(1));`;
  const env: NodeJS.ProcessEnv = { ...process.env, BONDBENCH_RUNS: FIXTURE_ROOT };
  delete env.BONDBENCH_LANG;
  if (language !== undefined) env.BONDBENCH_LANG = language;
  const result = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', entry, ...args], {
    cwd: scratch,
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Chinese text with no English sentence (commands, options, paths and quoted values set aside). */
function expectChinese(text: string): void {
  expect(text).toMatch(/[\u4e00-\u9fff]/);
  expect(englishSentences(text), text).toEqual([]);
}

describe('usage and help', () => {
  it('bondbench, bondbench help and every command’s help, with unchanged exit codes', () => {
    const none = cli('zh-CN');
    expect(none.status).toBe(2);
    expect(none.stdout.startsWith('用法：bondbench <命令> …')).toBe(true);
    expectChinese(none.stdout);
    const english = cli(undefined, 'help');
    expect(english.status).toBe(0);
    expect(english.stdout.startsWith('usage: bondbench <command> …\n\n  lab up|down|status')).toBe(true);
    for (const args of [
      ['run', '--help'],
      ['doctor', '--help'],
      ['lab', 'help'],
      ['host', 'help'],
      ['tester', 'help'],
      ['serve', '--help'],
    ]) {
      const zh = cli('zh-CN', ...args);
      expect(zh.status, args.join(' ')).toBe(0);
      expect(zh.stdout.startsWith(`用法：bondbench ${args[0]}`), zh.stdout).toBe(true);
      expectChinese(zh.stdout);
    }
    expect(cli(undefined, 'lab', 'help').stdout.startsWith('usage: bondbench lab <action> [--instance NAME]\n')).toBe(
      true,
    );
  }, 120_000);

  it('a command line that cannot run: the reason and the usage in Chinese, exit 2; a bad language in English', () => {
    const unknown = cli('zh-CN', 'frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.startsWith('bondbench: 未知命令 "frobnicate"\n\n用法：bondbench <命令>')).toBe(true);
    const format = cli('zh-CN', 'report', fixtureNames()[0]!, '--format', 'docx');
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('bondbench: --format "docx"：可用的格式为「html, pdf, csv, json, md, zip」');
    expect(format.stderr).toContain('用法：bondbench report <运行>');
    // node:util's own words about an option stay, quoted, under a Chinese sentence.
    const option = cli('zh-CN', 'runs', '--colour');
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/^bondbench: 命令行有误（原文：“Unknown option '--colour'/);
    expectChinese(option.stderr);
    // A language we do not have is said in English (there is no other to say it in).
    const french = cli('fr', 'runs');
    expect(french.status).toBe(2);
    expect(french.stderr.startsWith('bondbench: BONDBENCH_LANG "fr": use one of en, zh-CN')).toBe(true);
  }, 60_000);
});

describe('runs, report and compare over the recorded runs', () => {
  it('bondbench runs: statuses and steps in Chinese, ids and hosts as values; --json unchanged', () => {
    const zh = cli('zh-CN', 'runs');
    expect(zh.status).toBe(0);
    const lines = zh.stdout.trim().split('\n');
    expect(lines).toHaveLength(fixtureNames().length);
    for (const name of fixtureNames()) expect(zh.stdout).toContain(name);
    expect(lines.every((line) => /已完成|已中断|失败|已取消/.test(line) && / \d+\/\d+ 步 /.test(line))).toBe(true);
    expectChinese(zh.stdout);
    const en = cli(undefined, 'runs');
    expect(en.stdout).toMatch(/ completed {3}\d+\/\d+ steps /);
    expect(cli('zh-CN', 'runs', '--json').stdout).toBe(cli(undefined, 'runs', '--json').stdout);
  }, 60_000);

  it('bondbench report: the report in BONDBENCH_LANG (as --lang makes it), its status line in Chinese', async () => {
    const [name] = fixtureNames();
    const md = cli('zh-CN', 'report', name!, '--format', 'md');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe((await exportReport(fixtureDir(name!), 'md', 'zh-CN')).data.toString('utf8'));
    // --lang wins over the environment.
    const english = cli('zh-CN', 'report', name!, '--format', 'md', '--lang', 'en');
    expect(english.stdout).toBe((await exportReport(fixtureDir(name!), 'md', 'en')).data.toString('utf8'));
    const out = join(scratch, 'r.html');
    const html = cli('zh-CN', 'report', name!, '--out', out);
    expect(html.status).toBe(0);
    expect(html.stderr.trim()).toBe(`已写入 ${out}`);
    expect(readFileSync(out, 'utf8')).toContain('<html lang="zh-CN"');
    const missing = cli('zh-CN', 'report', 'no-such-run');
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'bondbench: 没有运行 "no-such-run"：请给出运行文件夹，或 "bondbench runs" 列出的编号',
    );
  }, 60_000);

  it('bondbench compare: the comparison in Chinese; one run only, exit 2', async () => {
    const [a, b] = fixtureNames();
    const zh = cli('zh-CN', 'compare', a!, b!);
    expect(zh.status).toBe(0);
    // The comparison as its renderer says it in Chinese (the runs' own facts — plan names, filters — are values).
    const { comparison, slaves } = await compareRunFolders(fixtureDir(a!), fixtureDir(b!), 'zh-CN');
    expect(zh.stdout).toBe(renderComparison(comparison, 'text', { language: 'zh-CN', slaves }));
    expect(zh.stdout).toMatch(/[\u4e00-\u9fff]/);
    // Its JSON is the comparison model in a language: BONDBENCH_LANG chooses it as --lang does.
    expect(cli('zh-CN', 'compare', a!, b!, '--format', 'json').stdout).toBe(
      cli(undefined, 'compare', a!, b!, '--format', 'json', '--lang', 'zh-CN').stdout,
    );
    const one = cli('zh-CN', 'compare', a!);
    expect(one.status).toBe(2);
    expect(one.stderr.startsWith('bondbench: 请给出要比较的两次运行（文件夹或编号）')).toBe(true);
  }, 60_000);
});

describe('the matrix bondbench run prints', () => {
  it('in Chinese: column titles, cell texts, verdict words and reasons; in English as before', async () => {
    const run = await loadFixture(fixtureNames()[0]!);
    const rows = judgeRun(run.plan, run.steps);
    const zh = matrixText(rows, run.plan.bond.slaves, run.plan, 'zh-CN', run.steps);
    const [header] = zh.split('\n');
    expect(header!.startsWith('模式')).toBe(true);
    expect(zh).toContain('✓ 符合预期');
    for (const mode of run.plan.modes) expect(zh).toContain(mode);
    // Every line in Chinese but the notes this run recorded before notes kept their parts (said as written, as
    // the report says them).
    const written = rows.flatMap((r) => r.notes.filter((_, i) => !r.noteParts?.[i]).map((n) => `• ${r.mode}：${n}`));
    expectChinese(
      zh
        .split('\n')
        .filter((line) => !written.includes(line))
        .join('\n'),
    );
    const en = matrixText(rows, run.plan.bond.slaves, run.plan);
    expect(en.split('\n')[0]!.startsWith('mode ')).toBe(true);
    expect(en).toContain('✓ as expected   ✗ unexpected   ? not measurable');
    // Columns line up in a terminal: every row of the table is as wide as the header once CJK counts twice.
    const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u2e80-\ua4cf\uff00-\uff60]/u.test(ch) ? 2 : 1), 0);
    const table = zh.split('\n').slice(0, rows.length + 2);
    const divider = table[1]!;
    expect(divider).toMatch(/^─+( +─+)+$/);
    const starts = [...divider.matchAll(/─+/g)].map((m) => m.index!);
    for (const line of [table[0]!, ...table.slice(2)]) {
      // Each column begins where the divider's does.
      const chars = [...line];
      let at = 0;
      const columnAt: number[] = [];
      chars.forEach((ch, i) => {
        if (i > 0 && chars[i - 1] === ' ' && chars[i - 2] === ' ' && ch !== ' ') columnAt.push(at);
        at += width(ch);
      });
      for (const start of columnAt) expect(starts).toContain(start);
    }
  });
});
