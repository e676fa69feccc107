/**
 * The plan form beside the YAML, in Debian's Chromium (playwright-core) against `bondbench serve`: a mode unticked
 * in the form leaves the modes list, the user's comments stay, and the bench's plan check (api.checkPlan, what
 * `bondbench plan check` runs) passes; a YAML edit shows in the form; a bad value typed in the form is refused by
 * the check, shown at the field and marked at its line in the editor's gutter. Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../shared/plan/plan-file.js';
import { type AppSession, openAppSession } from '../support/chromium.js';
import { REPO } from '../unit/report-fixtures.js';

const ARTIFACTS = join(REPO, 'test-artifacts');

let session: AppSession;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  session = await openAppSession('planform', { viewport: { width: 1680, height: 1400 } });
  page = session.page;
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const yaml = () => page.getByRole('textbox', { name: 'Plan (YAML)' });
const status = () => page.locator('.plan-editor .plan-status');
const form = () => page.getByRole('region', { name: 'Plan form' });

describe('the plan form', () => {
  it('edits the YAML in place: a mode unticked, comments kept, the plan check passes; YAML edits show in the form', async () => {
    await page.goto(session.served.url.href);
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('✓ The plan is valid.');
    // The user's own comments, above the modes and on a mode's line.
    const original = await yaml().inputValue();
    const commented = original
      .replace('modes:\n', '# the write-up tabulates every mode\nmodes:\n')
      .replace('  - balance-xor\n', '  - balance-xor # hash of MACs\n');
    expect(commented).not.toBe(original);
    await yaml().fill(commented);
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');

    const broadcast = form().getByRole('checkbox', { name: '3 broadcast' });
    expect(await broadcast.isChecked()).toBe(true);
    await broadcast.uncheck();
    await expect.poll(() => yaml().inputValue()).not.toContain('  - broadcast\n');
    const edited = await yaml().inputValue();
    expect(edited).toContain('# the write-up tabulates every mode\nmodes:\n');
    expect(edited).toContain('  - balance-xor # hash of MACs\n');
    // Only the modes changed.
    expect(edited.replace(/^modes:\n(?: {2}- .*\n)+/m, '')).toBe(commented.replace(/^modes:\n(?: {2}- .*\n)+/m, ''));
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');
    expect(parsePlan(edited).plan?.modes).not.toContain('broadcast');
    expect(parsePlan(edited).plan?.modes).toContain('balance-xor');

    // The other way: a YAML edit shows in the form.
    await yaml().fill(edited.replace(/^repeat: 1$/m, 'repeat: 3'));
    await expect.poll(() => form().getByRole('textbox', { name: 'Repetitions' }).inputValue()).toBe('3');
    await broadcast.check();
    await expect.poll(() => yaml().inputValue()).toMatch(/ {2}- balance-xor # hash of MACs\n {2}- broadcast\n/);
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');
    await form().screenshot({ path: join(ARTIFACTS, 'plan-form.png') });
    expect(session.problems).toEqual([]);
  }, 90_000);

  it('shows a bad value at the field and at its YAML line', async () => {
    const rate = form().getByRole('textbox', { name: 'echo requests/s', exact: true });
    await rate.fill('fast');
    await expect.poll(() => rate.getAttribute('aria-invalid')).toBe('true');
    const text = await yaml().inputValue();
    const line = text.split('\n').findIndex((l) => /^ {2}rate: fast$/.test(l)) + 1;
    expect(line).toBeGreaterThan(0);
    // At the field: the check's message with its line.
    const message = form().locator(`[id="${await rate.getAttribute('aria-describedby')}"]`);
    await expect.poll(() => message.textContent()).toMatch(new RegExp(`^line ${line}: must be `));
    // At the line: the gutter marks it, and the editor's list names the field there.
    const mark = page.locator(`.plan-gutter [data-line="${line}"]`);
    expect(await mark.getAttribute('class')).toBe('line-error');
    expect(await mark.getAttribute('title')).toMatch(/^probe\.rate: must be /);
    expect(await page.locator('.plan-gutter .line-error').count()).toBe(1);
    await expect
      .poll(() => page.locator('.plan-errors li').allTextContents())
      .toEqual([expect.stringMatching(new RegExp(`^${line}:\\d+ probe\\.rate must be `))]);
    await page.locator('.setup').screenshot({ path: join(ARTIFACTS, 'plan-form-error.png') });

    await rate.fill('200');
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');
    expect(await rate.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('.plan-gutter .line-error').count()).toBe(0);
    expect(parsePlan(await yaml().inputValue()).plan?.probe.rate).toBe(200);
    expect(session.problems).toEqual([]);
  }, 60_000);

  it('sets up the write-up’s boots: netifrc by power-cycle, a power-cycle step, the watchdog’s limits', async () => {
    const boots = form().getByRole('group', { name: 'Bring-up and boots' });
    await boots.getByRole('combobox', { name: 'how each mode is applied' }).selectOption('netifrc');
    await boots.getByRole('combobox', { name: 'a netifrc bring-up boots by' }).selectOption('power-cycle');
    await boots.getByRole('textbox', { name: 'power off for (s)' }).fill('3');
    await boots.getByRole('textbox', { name: 'SSH back within (s)' }).fill('90');
    await boots.getByRole('textbox', { name: 'watchdog power-cycles' }).fill('1');
    // A power-cycle after the bring-up, as the last step.
    await form().getByRole('button', { name: 'Add a step' }).click();
    const steps = form().locator('.plan-step');
    const n = await steps.count();
    const kind = form().getByRole('combobox', { name: `Step ${n}`, exact: true });
    await kind.selectOption('power-cycle');
    // Standalone has no bond to write into /etc/conf.d/net: the check refuses a boot of it, at the step.
    await expect.poll(() => kind.getAttribute('aria-invalid')).toBe('true');
    const message = form().locator(`[id="${await kind.getAttribute('aria-describedby')}"]`);
    await expect
      .poll(() => message.textContent())
      .toMatch(/a power-cycle boots what \/etc\/conf.d\/net holds, but standalone is applied at runtime/);
    await form().getByRole('checkbox', { name: 'standalone (no bond)' }).uncheck();
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');
    const plan = parsePlan(await yaml().inputValue()).plan!;
    expect(plan.apply).toMatchObject({ method: 'netifrc', boot: 'power-cycle', offSeconds: 3 });
    expect(plan.timeouts).toMatchObject({ rebootSeconds: 90, powerCycles: 1 });
    expect(plan.steps.at(-1)).toEqual({ kind: 'power-cycle', offSeconds: 5 });

    // Back to runtime: a power-cycle would boot what /etc/conf.d/net holds, not the mode: refused again, naming
    // the modes (active-backup stays netifrc through apply.perMode).
    await boots.getByRole('combobox', { name: 'how each mode is applied' }).selectOption('runtime');
    await expect.poll(() => kind.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => message.textContent()).toMatch(/but balance-rr, balance-xor, .* are applied at runtime/);
    await boots.getByRole('combobox', { name: 'how each mode is applied' }).selectOption('netifrc');
    await expect.poll(() => status().textContent()).toBe('✓ The plan is valid.');
    await boots.screenshot({ path: join(ARTIFACTS, 'plan-form-boots.png') });
    expect(session.problems).toEqual([]);
  }, 60_000);
});
