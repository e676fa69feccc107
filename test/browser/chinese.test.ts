/**
 * The setup view in 简体中文, in Debian's Chromium (playwright-core) against `bondbench serve`: what the bench says
 * back — a failed host check (a loopback port nothing listens on, so the cause is real), "Check everything", and a
 * plan with a YAML syntax error in the editor and in the form — reads in Chinese, with no English sentence of ours
 * (an error's own text may stay, quoted). Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../shared/i18n/catalogue.js';
import { type AppSession, openAppSession } from '../support/chromium.js';
import { englishSentences } from '../support/english.js';
import { REPO } from '../unit/report-fixtures.js';

const ARTIFACTS = join(REPO, 'test-artifacts');
const zh = CATALOGUE['zh-CN'];
const TARGET = 'root@127.0.0.1:1';

let session: AppSession;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  session = await openAppSession('chinese', { viewport: { width: 1680, height: 1400 } });
  page = session.page;
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the setup view in Chinese', () => {
  it('says a failed host check in Chinese: what failed, on which host, and why', async () => {
    await page.goto(session.served.url.href);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await expect
      .poll(() => page.locator('.plan-editor .plan-status').textContent(), { timeout: 30_000 })
      .toBe(zh.ui.plan.valid);
    const host = page.getByRole('region', { name: zh.ui.setup.host });
    await host.getByRole('textbox', { name: zh.ui.setup.target }).fill(TARGET);
    await host.getByRole('button', { name: zh.ui.setup.checkHost }).click();
    const line = host.locator('p.error[role="alert"]');
    await line.waitFor({ timeout: 30_000 });
    const text = (await line.textContent()) ?? '';
    expect(text.startsWith(`无法连接并读取主机 ${TARGET}：`), text).toBe(true);
    expect(englishSentences(text), text).toEqual([]);
    await host.screenshot({ path: join(ARTIFACTS, 'chinese-host-check.png') });
  }, 60_000);

  it('says a YAML syntax error in Chinese, in the editor and in "Check everything"', async () => {
    const editor = page.getByRole('textbox', { name: zh.ui.plan.editor });
    const yaml = await editor.inputValue();
    await editor.fill(yaml.replace(/\nmodes:\n/, '\nmodes:\n\t'));
    const errors = page.locator('.plan-editor .plan-errors li');
    await expect.poll(() => errors.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    for (const text of await errors.allTextContents()) {
      expect(text, text).toContain('YAML 语法错误');
      expect(englishSentences(text), text).toEqual([]);
    }
    await page.locator('.plan-editor').screenshot({ path: join(ARTIFACTS, 'chinese-yaml-error.png') });

    const check = page.getByRole('region', { name: zh.ui.check.title });
    await check.getByRole('button', { name: zh.ui.check.button }).click();
    const items = check.locator('ul.checks li');
    await items.first().waitFor({ timeout: 30_000 });
    const lines = await items.allTextContents();
    expect(lines[0], lines[0]).toMatch(/^✗ 计划：\d+ 个问题/);
    expect(lines[0], lines[0]).toContain('YAML 语法错误');
    for (const text of lines) expect(englishSentences(text), text).toEqual([]);
    await check.screenshot({ path: join(ARTIFACTS, 'chinese-check-everything.png') });
    expect(session.problems).toEqual([]);
  }, 60_000);
});
