/**
 * The analysis view in Debian's Chromium (playwright-core) against `bondbench serve` over a recorded run (the
 * lab-miimon100 fixture, copied to a runs folder): History → Open shows the run's capture files in the frame
 * list, numbered as in the file; clicking the red failover cell opens its evidence — verdict, reason, rule and
 * source — names its frames, and the list scrolls to them, highlighted. Screenshots go to test-artifacts/.
 * Any console error or failed request fails the test.
 */
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../shared/i18n/catalogue.js';
import { type AppSession, openAppSession } from '../support/chromium.js';
import type { Served } from '../support/serve.js';
import { fixtureDir, REPO } from '../unit/report-fixtures.js';

const ARTIFACTS = join(REPO, 'test-artifacts');
const FIXTURE = 'lab-miimon100';
const runId = JSON.parse(readFileSync(join(fixtureDir(FIXTURE), 'run.json'), 'utf8')).id as string;

let session: AppSession;
let served: Served;
let page: Page;
let problems: string[];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The store finds a run by id as its folder's name.
  session = await openAppSession('analysis', {
    viewport: { width: 1680, height: 1050 },
    prepare: (runs) => cpSync(fixtureDir(FIXTURE), join(runs, runId), { recursive: true }),
  });
  ({ served, page, problems } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

async function openRecordedRun(): Promise<void> {
  await page.goto(served.url.href);
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await page.locator(`tr[data-run="${runId}"]`).getByRole('button', { name: 'Open', exact: true }).click();
  await page.locator('.capture-row[data-no="1"]').waitFor();
}

describe('a recorded run in the analysis view', () => {
  it('lists the run’s capture files with the live list’s rows, numbered as in the file', async () => {
    await openRecordedRun();
    const picker = page.getByRole('combobox', { name: 'Capture file' });
    const options = await picker.locator('option').allTextContents();
    expect(options).toHaveLength(24);
    expect(options).toContain('1 active-backup #1 · mirror of eth1 (tap-eth1)');
    expect(options[0]).toBe('standalone (no bond) #1 · tester port tester0');
    // The first rows of the first file, as tshark numbers them.
    expect(await page.locator('.capture-row[data-no]').first().getAttribute('data-no')).toBe('1');
    await expect.poll(() => page.locator('.capture-status').textContent()).toMatch(/of \d{3,} frames shown/);
    // A filter runs over the whole file, on the bench.
    await page.getByRole('searchbox', { name: 'Display filter' }).fill('proto:icmp no:100-110');
    await expect
      .poll(() =>
        page.locator('.capture-row[data-no]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-no'))),
      )
      .toEqual(expect.arrayContaining(['100', '110']));
    const numbers = await page
      .locator('.capture-row[data-no]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-no'))));
    expect(numbers.every((n) => n >= 100 && n <= 110)).toBe(true);
    // A frame's layers, as in the live view.
    await page.locator('.capture-row[data-no="100"]').click();
    await expect.poll(() => page.locator('.frame-detail h3').textContent()).toMatch(/Frame 100 on tester0/);
    await page.getByRole('searchbox', { name: 'Display filter' }).fill('');
    await page.screenshot({ path: join(ARTIFACTS, 'analysis-recorded-list.png') });
    // Its log: recorded before log.jsonl, so log.txt's lines as written, each with its time.
    const log = page.locator('details.log');
    await log.locator('summary').click();
    await expect.poll(() => log.locator('summary').textContent()).toContain('57');
    const lines = ((await log.locator('pre').textContent()) ?? '').split('\n');
    expect(lines).toHaveLength(57);
    expect(lines[0]).toBe('18:02:54 mode standalone: bring-up');
  }, 60_000);

  it('answers “why is this cell red?”: evidence, rule, source, and its frames shown in the list', async () => {
    await openRecordedRun();
    // broadcast's 490 ms pull at miimon 100: the recorded lab's switch kept forwarding to the dead port.
    const row = page.locator('table.matrix tr[data-mode="broadcast"]');
    const cell = row.locator('td[data-column="failoverMs"]');
    expect(await cell.getAttribute('data-verdict')).toBe('unexpected');
    await cell.getByRole('button').click();

    const evidence = page.locator('section.evidence');
    await evidence.waitFor();
    const text = (await evidence.textContent()) ?? '';
    expect(text).toContain('3 broadcast');
    expect(text).toContain(CATALOGUE.en.verdict.unexpected);
    expect(text).toMatch(/longest reply gap 490 ms/);
    expect(text).toMatch(
      /a probe sent 490 ms after the pull was still lost \(replies back at 490 ms\), beyond the 170 ms/,
    );
    expect(text).toContain(CATALOGUE.en.analysis.rule.failoverMs);
    expect(text).toContain('bonding.rst');
    expect(text).toContain('capture/r1-broadcast.pcapng');
    const named = await evidence.locator('button.frame-ref').allTextContents();
    expect(named).toEqual(['1346', '1401']);

    // The list switched to that file and scrolled to the first named frame, highlighted.
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Capture file' }).inputValue())
      .toBe('capture/r1-broadcast.pcapng');
    const first = page.locator('.capture-row[data-no="1346"]');
    await first.waitFor();
    expect(await first.getAttribute('data-evidence')).toBe('yes');
    expect(await first.isVisible()).toBe(true);
    const box = await first.boundingBox();
    const list = await page.locator('.capture-rows').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(list!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(list!.y + list!.height);
    await page.screenshot({ path: join(ARTIFACTS, 'analysis-evidence-failover.png') });

    // The chart of that pull: a lane per port with its replies, the moments marked, labels apart.
    const chart = evidence.locator('.failover-chart svg');
    await chart.waitFor();
    expect(await chart.locator('g.lane').count()).toBe(3);
    expect(await chart.locator('g.lane.mirror line.reply').count()).toBeGreaterThan(10);
    const moments = await chart.locator('g.moment text').allTextContents();
    expect(moments).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pull eth\d$/), 'last reply', 'first reply']),
    );
    expect(await chart.locator('g.named-frame').evaluateAll((g) => g.map((n) => n.getAttribute('data-frame')))).toEqual(
      ['1346', '1401'],
    );
    expect(await chart.locator('g.gap text').textContent()).toMatch(/^outage 4\d\d ms on the wire · the cell: 490 ms$/);
    const boxes = await chart
      .locator('g.moment text')
      .evaluateAll((nodes) =>
        nodes
          .map((n) => (n as SVGGraphicsElement).getBoundingClientRect())
          .map((r) => [r.left, r.right, r.top, r.bottom]),
      );
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) {
        const apart = a[1]! <= b[0]! || b[1]! <= a[0]! || a[3]! <= b[2]! || b[3]! <= a[2]!;
        expect(apart, `labels overlap: ${JSON.stringify([a, b])}`).toBe(true);
      }
    await evidence.screenshot({ path: join(ARTIFACTS, 'analysis-evidence-chart.png') });

    // The second frame, on request.
    await evidence.getByRole('button', { name: 'Show frame 1401 in the list' }).click();
    const second = page.locator('.capture-row[data-no="1401"]');
    await second.waitFor();
    expect(await second.getAttribute('data-evidence')).toBe('yes');
    expect(await second.isVisible()).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('draws a timeline that reads: a lane per mode, labels apart, a step zoomed to', async () => {
    await openRecordedRun();
    const timeline = page.locator('section.timeline');
    const lanes = timeline.locator('svg.timeline-lane');
    expect(await lanes.count()).toBe(8);
    expect(await timeline.locator('.timeline-lane-name').allTextContents()).toEqual([
      'standalone (no bond)',
      '0 balance-rr',
      '1 active-backup',
      '2 balance-xor',
      '3 broadcast',
      '4 802.3ad',
      '5 balance-tlb',
      '6 balance-alb',
    ]);
    // In each lane no label (step band or marker) overlaps another.
    const overlaps = await lanes.evaluateAll((svgs) =>
      svgs.flatMap((svg) => {
        const boxes = [...svg.querySelectorAll('text')]
          .filter((n) => !n.classList.contains('tick'))
          .map((n) => ({ text: n.textContent, r: n.getBoundingClientRect() }));
        const found: string[] = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, b] = [boxes[i]!.r, boxes[j]!.r];
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
              found.push(`${svg.getAttribute('data-lane')}: "${boxes[i]!.text}" over "${boxes[j]!.text}"`);
          }
        return found;
      }),
    );
    expect(overlaps).toEqual([]);
    // Markers that would collide are one, with every member in its tooltip.
    for (const group of await timeline.locator('g.marker.collapsed').all()) {
      const count = Number(await group.getAttribute('data-count'));
      expect((await group.locator('title').textContent())!.split('\n')).toHaveLength(count);
    }
    await timeline.screenshot({ path: join(ARTIFACTS, 'analysis-timeline.png') });

    // Zoom to active-backup's pull of eth1 and back.
    await timeline.getByRole('button', { name: 'Zoom to 1 active-backup · pull eth1' }).click();
    expect(await timeline.locator('svg.timeline-lane').count()).toBe(1);
    expect(await timeline.locator('.timeline-zoom .timeline-lane-name').textContent()).toMatch(
      /^1 active-backup · pull eth1/,
    );
    expect(await timeline.locator('svg.timeline-lane g.marker text').allTextContents()).toContain('pull eth1');
    await timeline.screenshot({ path: join(ARTIFACTS, 'analysis-timeline-zoomed.png') });
    await timeline.getByRole('button', { name: 'all modes' }).click();
    expect(await timeline.locator('svg.timeline-lane').count()).toBe(8);
    expect(problems).toEqual([]);
  }, 60_000);

  it('reads in Chinese: tabs, matrix cells, mode summaries, the evidence pane and the chart', async () => {
    await page.goto(served.url.href);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const zh = CATALOGUE['zh-CN'];
    await page.getByRole('button', { name: zh.ui.view.history, exact: true }).click();
    await page
      .locator(`tr[data-run="${runId}"]`)
      .getByRole('button', { name: zh.ui.history.open, exact: true })
      .click();
    await page.locator('.capture-row[data-no="1"]').waitFor();
    const english = /[A-Za-z]{3,}/;
    // The field's own terms stay as they are: option names and values, MAC, ARP, LACP, ms.
    const terms = /num_grat_arp|xmit_hash_policy|layer2|MAC|ARP|LACP|\bms\b/g;
    for (const column of ['arpAtBoot', 'faultTolerance']) {
      for (const text of await page.locator(`table.matrix td[data-column="${column}"]`).allTextContents())
        expect(text.replace(terms, ''), `${column}: ${text}`).not.toMatch(english);
    }
    const notes = await page.locator('table.matrix td.notes').allTextContents();
    for (const note of notes) expect(note.split('；')[0]!.replace(terms, ''), note).not.toMatch(english);
    // Every note of the other modes too (MAC moves, a mode not run): the fixture's 802.3ad reading predates the
    // LACP judge's message parts, so its LACP note is the one left in English.
    const others = await page
      .locator('table.matrix tr[data-mode]:not([data-mode="802.3ad"]) td.notes')
      .allTextContents();
    expect(others.some((note) => note.includes('bond MAC'))).toBe(true);
    for (const note of others)
      expect(note.replace(terms, '').replace(/eth\d|bond|[0-9a-f]{2}(:[0-9a-f]{2})+/g, ''), note).not.toMatch(english);
    const headers = await page.locator('table.matrix thead th').allTextContents();
    for (const header of headers) expect(header.replace(/eth\d|MAC|ARP/g, ''), header).not.toMatch(english);

    for (const text of await page.locator('section.timeline g.marker text').allTextContents())
      expect(text.replace(/eth\d/g, ''), text).not.toMatch(english);

    await page.locator('table.matrix tr[data-mode="broadcast"] td[data-column="failoverMs"] button').click();
    const evidence = page.locator('section.evidence');
    await evidence.locator('.failover-chart svg').waitFor();
    const labels = await evidence.locator('dt').allTextContents();
    expect(labels).toEqual(expect.arrayContaining([zh.analysis.evidence.verdict, zh.analysis.evidence.rule]));
    expect(await evidence.textContent()).toContain(zh.analysis.rule.failoverMs);
    for (const text of await evidence.locator('g.moment text').allTextContents())
      expect(text.replace(/eth\d|ARP/g, ''), text).not.toMatch(english);
    await page.screenshot({ path: join(ARTIFACTS, 'analysis-zh-CN.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
