/**
 * The pages an engineer reads after the setup view, in 简体中文, in Debian's Chromium (playwright-core) against
 * `bondbench serve` over two recorded runs (the lab-miimon100 and lab-miimon500 fixtures): History, the comparison
 * of the two, a recorded run, and a live run that fails to reach its host (a loopback port nothing listens on) —
 * each page's whole visible text has no English sentence of ours; the setup view's default plan is named and
 * commented in Chinese; the recorded run's log pane is open, its lines those of a real lab run
 * (test/fixtures/logs/lab-run.log.jsonl: what the engine, host control, drivers and tester logged in a two-mode
 * run with a netifrc reboot, recorded by `bondbench run --lab` on this bench). What may stay: the plan's own name (the user's
 * text), the frames' protocol summaries and layer names (as Wireshark shows them in every language), and the one
 * LACP note the miimon100 fixture recorded before LACP readings carried message parts.
 * Screenshots go to test-artifacts/.
 */
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../shared/i18n/catalogue.js';
import { type AppSession, openAppSession } from '../support/chromium.js';
import { englishSentences } from '../support/english.js';
import { fixtureDir, REPO } from '../unit/report-fixtures.js';

const ARTIFACTS = join(REPO, 'test-artifacts');
const zh = CATALOGUE['zh-CN'];
const FIXTURES = ['lab-miimon100', 'lab-miimon500'];
const RUN_LOG = join(REPO, 'test/fixtures/logs/lab-run.log.jsonl');
const manifests = FIXTURES.map(
  (f) => JSON.parse(readFileSync(join(fixtureDir(f), 'run.json'), 'utf8')) as { id: string; planName: string },
);
const ids = manifests.map((m) => m.id);
/** Recorded before the LACP judge gave its reason as message parts: stored as English text in the fixture. */
const OLD_LACP_NOTE = /no LACP partner: each slave is its own aggregator \([^)]*\)/g;

let session: AppSession;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  session = await openAppSession('chinese-pages', {
    viewport: { width: 1680, height: 1400 },
    prepare: (runs) => {
      for (const [i, f] of FIXTURES.entries()) cpSync(fixtureDir(f), join(runs, ids[i]!), { recursive: true });
      // The fixtures were recorded before log.jsonl: the first gets a real run's structured log beside its log.txt.
      cpSync(RUN_LOG, join(runs, ids[0]!, 'log.jsonl'));
    },
  });
  page = session.page;
  await page.goto(session.served.url.href);
  await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('zh-CN');
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** English sentences in what `selector` shows, leaving out frame rows, a frame's layers and the plan's name. */
async function englishIn(selector: string): Promise<string[]> {
  const text = await page.locator(selector).evaluate((el) => {
    const clone = el.cloneNode(true) as HTMLElement;
    for (const node of clone.querySelectorAll('.capture-row, .frame-detail, textarea, select')) node.remove();
    // innerText, not textContent: blocks end lines, so words of two cells never join into one "sentence"; it needs
    // layout, so the clone is measured where the page lays it out.
    document.body.append(clone);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, line by line, is what is checked
    const shown = clone.innerText;
    clone.remove();
    return shown;
  });
  let rest = text.replace(OLD_LACP_NOTE, ' ');
  for (const { planName } of manifests) rest = rest.replaceAll(planName, ' ');
  return englishSentences(rest);
}

async function toHistory(): Promise<void> {
  await page.getByRole('button', { name: zh.ui.view.history, exact: true }).click();
  await page.locator(`tr[data-run="${ids[0]}"]`).waitFor();
}

describe('the pages after setup, in Chinese', () => {
  it('the setup view reads in Chinese, the default plan named in Chinese', async () => {
    // The plan is loaded once, in the language the page starts in: start again in Chinese.
    await page.reload();
    await expect
      .poll(() => page.locator('.plan-editor .plan-status').textContent(), { timeout: 30_000 })
      .toBe(zh.ui.plan.valid);
    const yaml = await page.getByRole('textbox', { name: zh.ui.plan.editor }).inputValue();
    expect(yaml).toContain(`name: ${zh.planDefault.name}`);
    // The syntax reminder above it too.
    const comments = yaml.split('\n').filter((line) => line.startsWith('#'));
    expect(comments.length).toBeGreaterThan(5);
    for (const line of comments) expect(englishSentences(line), line).toEqual([]);
    expect(await englishIn('body')).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'chinese-setup.png') });
    expect(session.problems).toEqual([]);
  }, 60_000);

  it('History and the comparison of two runs read in Chinese', async () => {
    await toHistory();
    expect(await englishIn('main')).toEqual([]);
    for (const id of ids)
      await page.getByRole('checkbox', { name: zh.ui.history.pickRun.replace('{{id}}', id) }).check();
    await page.getByRole('button', { name: zh.ui.history.compare, exact: true }).click();
    const comparison = page.locator('section.comparison');
    await comparison.waitFor();
    // The bench words the comparison: its cells and notes come in the page's language.
    await expect.poll(() => comparison.textContent()).toContain('故障切换');
    expect(await englishIn('section.comparison')).toEqual([]);
    const columns = await comparison.locator('tbody td:nth-child(2)').allTextContents();
    expect(columns).toContain(zh.matrix.column.failoverMs);
    // Short cell values the sentence finder lets through ("0 probes, 0 gratuitous", "yes"): no Latin word but the
    // field's terms in the cells of the columns the bench words.
    for (const column of [zh.matrix.column.arpAtBoot, zh.matrix.column.faultTolerance]) {
      const rows = comparison.locator('tbody tr').filter({ has: page.locator('td:nth-child(2)', { hasText: column }) });
      expect(await rows.count()).toBeGreaterThan(0);
      for (const text of await rows.locator('td:nth-child(3), td:nth-child(4)').allTextContents())
        expect(text.replace(/ARP|MAC/g, ''), text).not.toMatch(/[A-Za-z]{2,}/);
    }
    await comparison.screenshot({ path: join(ARTIFACTS, 'chinese-comparison.png') });
    // Back to English: asked again, worded again.
    await page.getByRole('combobox', { name: '语言', exact: true }).selectOption('en');
    await expect.poll(() => comparison.locator('tbody td:nth-child(2)').first().textContent()).toMatch(/^[A-Za-z]/);
    await expect.poll(() => comparison.textContent()).toMatch(/mode not run in|failover (within|beyond)/);
    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('zh-CN');
    expect(session.problems).toEqual([]);
  }, 90_000);

  it('a recorded run reads in Chinese', async () => {
    await toHistory();
    await page
      .locator(`tr[data-run="${ids[0]}"]`)
      .getByRole('button', { name: zh.ui.history.open, exact: true })
      .click();
    await page.locator('.capture-row[data-no="1"]').waitFor();
    // The run log, open: every line of the engine said in Chinese.
    const log = page.locator('details.log');
    await log.locator('summary').click();
    const lines = readFileSync(RUN_LOG, 'utf8').trim().split('\n').length;
    await expect.poll(() => log.locator('summary').textContent()).toContain(String(lines));
    const said = (await log.locator('pre').textContent()) ?? '';
    expect(said.split('\n')).toHaveLength(lines);
    expect(said).toContain(zh.log.run.restored);
    expect(said).toContain('模式 balance-rr：拔出 eth1');
    expect(englishSentences(said), said).toEqual([]);
    expect(await englishIn('body')).toEqual([]);
    await log.screenshot({ path: join(ARTIFACTS, 'chinese-run-log.png') });
    // In English the same lines read as log.txt has them.
    await page.getByRole('combobox', { name: '语言', exact: true }).selectOption('en');
    await expect.poll(() => log.locator('pre').textContent()).toContain(CATALOGUE.en.log.run.restored);
    expect(await log.locator('pre').textContent()).toContain('mode balance-rr: pull eth1');
    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('zh-CN');
    expect(session.problems).toEqual([]);
  }, 60_000);

  it('a live run that cannot reach its host reads in Chinese', async () => {
    await page.getByRole('button', { name: zh.ui.view.setup, exact: true }).click();
    const host = page.getByRole('region', { name: zh.ui.setup.host });
    await host.getByRole('textbox', { name: zh.ui.setup.target }).fill('root@127.0.0.1:1');
    await page.getByRole('button', { name: zh.ui.setup.start, exact: true }).click();
    const banner = page.locator('p.banner[role="status"]');
    await expect.poll(() => banner.getAttribute('class'), { timeout: 60_000 }).toMatch(/status-(failed|cancelled)/);
    const said = (await banner.textContent()) ?? '';
    expect(said).toMatch(/[\u4e00-\u9fff]/);
    // The live log pane, open: the run's own line of why it failed, in Chinese.
    const log = page.locator('details.log');
    await log.locator('summary').click();
    await expect.poll(() => log.locator('pre').textContent()).toMatch(/^运行失败：./);
    expect(await log.locator('pre').textContent()).not.toContain('运行失败：运行失败');
    expect(await englishIn('body')).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'chinese-live-run-failed.png') });
  }, 90_000);
});
