/**
 * End to end: `bondbench serve` with the real engine against the virtual lab, driven in Debian's Chromium
 * (playwright-core). Set up the lab host (accepting its key when asked), run a short plan — two modes, one pull
 * each — and watch the capture list and the matrix fill; cancel a second run and see the host restored, on the
 * screen and on the host itself; set up a netifrc bring-up by power-cycle and a power-cycle step in the plan form
 * and run it (ARP at boot says which boot, the exported report lists the boots). Screenshots of the views go to test-artifacts/. Any console error or failed
 * request fails the test, and so does the server answering without its token.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { cacheDir, packageRoot } from '../../main/paths.js';
import type { SshSession } from '../../main/ssh/session.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { guest, testLab, until } from '../support/lab.js';
import { type Served, startServe } from '../support/serve.js';

const instance = inject('labInstance');
const lab = testLab();
const artifacts = join(packageRoot, 'test-artifacts');

let serve: Served | undefined;
let url: URL;
let context: BrowserContext;
let page: Page;
let runsDir: string;
let profileDir: string;
let home: string;
const problems: string[] = [];
/** An ssh_config alias for the lab's guest, as a user would write for any host: its key is not known yet. */
const alias = 'e2e-lab';

/** The short plan: two modes at runtime, one pull and plug of eth1 each. */
function shortPlan(): Plan {
  const plan = defaultLabPlan(instance);
  return {
    ...plan,
    name: 'e2e: two modes, one pull each',
    modes: ['balance-rr', 'active-backup'],
    apply: { method: 'runtime', netifrcStyle: 'writeup' },
    steps: [
      { kind: 'read-macs' },
      { kind: 'pull', slave: 'eth1', holdSeconds: 1 },
      { kind: 'plug', slave: 'eth1', settleSeconds: 1 },
    ],
  };
}

/** The bond as the host shows it: what "restored" must bring back. */
async function bondState(session: SshSession): Promise<string> {
  const proc = await guest(session, 'cat /proc/net/bonding/bond0; ip -4 -br addr show bond0');
  return proc
    .split('\n')
    .filter((line) => /^(Bonding Mode|MII Polling Interval|Slave Interface|Primary Slave|.*bond0)/.test(line))
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n');
}

function fingerprintOf(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function httpStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

function wsStatus(path: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${url.port}${path}`);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => undefined);
  });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `e2e-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  // The renderer as browser mode serves it.
  const { build } = await import('vite');
  await build({ configFile: join(packageRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });

  runsDir = await mkdtemp(join(tmpdir(), 'bondbench-e2e-runs-'));
  profileDir = await mkdtemp(join(tmpdir(), 'bondbench-e2e-chromium-'));
  // A home of its own for the bench: an ~/.ssh/config with the alias, and an empty known_hosts.
  home = await mkdtemp(join(tmpdir(), 'bondbench-e2e-home-'));
  const labConfig = await readFile((await lab.status()).ssh!.sshConfig, 'utf8');
  const setting = (name: string) => labConfig.match(new RegExp(`^\\s*${name}\\s+(\\S+)`, 'm'))![1]!;
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await writeFile(
    join(home, '.ssh', 'config'),
    [
      `Host ${alias}`,
      `  HostName ${setting('HostName')}`,
      `  User ${setting('User')}`,
      `  IdentityFile ${setting('IdentityFile')}`,
      '  IdentitiesOnly yes',
      `  ProxyCommand ip netns exec ${namespaceName(instance)} socat - TCP:%h:%p`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // `bondbench serve` from the sources, as the installed command runs it from build/.
  serve = await startServe(runsDir, {
    args: ['--instance', instance],
    stopGraceMs: 60_000,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      BONDBENCH_CACHE: cacheDir(),
      BONDBENCH_LAB_INSTANCE: instance,
    },
  });
  url = serve.url;

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1680, height: 1050 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await serve?.stop();
  await rm(profileDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
  await rm(runsDir, { recursive: true, force: true });
  // Leave the lab as other lab tests expect it.
  await lab.plug('eth1').catch(() => undefined);
});

describe('the app in a browser, against the lab', () => {
  it('refuses requests without the token', async () => {
    expect(await httpStatus('/')).toBe(401);
    expect(await httpStatus('/?token=wrong')).toBe(401);
    expect(await wsStatus('/api')).toBe(401);
    expect(await wsStatus(`/api?token=${url.searchParams.get('token')}`)).toBe('open');
  });

  it('sets up the lab host, runs two modes with a pull each, fills the capture list and the matrix', async () => {
    await page.goto(url.href);
    await page.getByRole('button', { name: 'Setup', exact: true }).waitFor();
    const editor = page.getByRole('textbox', { name: 'Plan (YAML)' });
    await editor.waitFor();
    expect(await editor.inputValue()).toContain(`lab:${instance}`);

    // The host, first contact through an ssh_config alias: the bench shows the key, which must be the lab's own.
    const status = await lab.status();
    const hostPanel = page.getByRole('region', { name: 'Host under test' });
    const target = hostPanel.getByRole('textbox', { name: 'Target' });
    const checkHost = hostPanel.getByRole('button', { name: 'Check host' });
    const reached = hostPanel.getByText(/^✓ Reached:/);
    await target.fill(alias);
    await checkHost.click();
    const prompt = hostPanel.getByRole('alertdialog', { name: 'Unknown host key' });
    await prompt.waitFor({ timeout: 60_000 });
    expect(await prompt.locator('.fingerprint').textContent()).toBe(fingerprintOf(status.ssh!.hostKey));
    expect(await prompt.textContent()).toContain(`first connection to ${alias}`);
    await screenshot('host-key');
    await prompt.getByRole('button', { name: 'Accept this key' }).click();
    await reached.waitFor({ timeout: 60_000 });
    expect(await reached.textContent()).toMatch(/kernel 6\.1\./);
    expect(await hostPanel.getByRole('row', { name: /eth1/ }).textContent()).toContain('00:e0:4c:83:07:9c');
    expect(await readFile(join(home, '.config', 'bondbench', 'known_hosts'), 'utf8')).toContain(
      status.ssh!.hostKey.split(' ')[1]!,
    );

    // The run itself targets the lab by name (its key is pinned by the lab), where the tester shares its wires.
    await target.fill(`lab:${instance}`);
    await checkHost.click();
    await hostPanel.getByRole('button', { name: 'Checking…' }).waitFor({ state: 'detached', timeout: 60_000 });
    await reached.waitFor();
    expect(await editor.inputValue()).toContain(`target: lab:${instance}`);

    // The tester's interfaces, listed with addresses.
    const tester = page.getByRole('region', { name: 'Tester interface (capture and probes)' });
    const testerPort = tester.locator('label.choice', { hasText: 'tester0' });
    await testerPort.waitFor({ timeout: 60_000 });
    expect(await testerPort.textContent()).toContain('10.77.1.252');
    expect(await tester.getByRole('alert').count()).toBe(0);

    // The plan: type a short one; it validates as typed.
    await editor.fill(planToYaml(shortPlan()).replace('- balance-rr', '- balance-rrr'));
    await page.getByText(/✗ \d+ problems? to fix:/).waitFor();
    await editor.fill(planToYaml(shortPlan()));
    await page.getByText('✓ The plan is valid.').waitFor();

    // Check everything before the run.
    const checks = page.getByRole('region', { name: 'Before a run' });
    await checks.getByRole('button', { name: 'Check everything' }).click();
    await checks.locator('.checks li').first().waitFor({ timeout: 120_000 });
    const failing = await checks.locator('.check-fail').allTextContents();
    expect(failing).toEqual([]);
    await screenshot('setup');

    // Run: the capture list and the matrix fill as it goes.
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('region', { name: 'Capture' }).waitFor();
    const grid = page.getByRole('table', { name: 'Captured frames' });
    await until(
      'frames in the capture list',
      async () => (Number(await grid.getAttribute('aria-rowcount')) > 1 ? true : undefined),
      120_000,
    );
    const firstCells = page.locator('tr[data-mode="balance-rr"] td[data-verdict]');
    await until(
      'the balance-rr row to fill',
      async () => ((await firstCells.count()) >= 3 ? true : undefined),
      180_000,
    );
    await screenshot('run');
    await page
      .getByRole('status')
      .filter({ hasText: /completed/ })
      .first()
      .waitFor({ timeout: 300_000 });
    const banner = page.locator('p.banner.status-completed');
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.getAttribute('data-restored')).toBe('yes');

    // The matrix: both modes measured, MACs as the write-up saw them (all slaves on eth1's MAC).
    for (const mode of ['balance-rr', 'active-backup']) {
      const row = page.locator(`tr[data-mode="${mode}"]`);
      expect(await row.locator('td[data-column="eth1Mac"]').textContent()).toBe('83:07:9c');
      expect(await row.locator('td[data-column="eth2Mac"]').textContent()).toBe('83:07:9c');
      expect(await row.locator('td[data-column="failoverMs"]').getAttribute('title')).toBeTruthy();
    }
    expect(Number(await grid.getAttribute('aria-rowcount'))).toBeGreaterThan(50);
    expect(await page.locator('.capture-row.tag-echo-reply').count()).toBeGreaterThan(0);
    // The timeline has the pulls and plugs.
    expect(await page.locator('.timeline .marker-pull').count()).toBe(2);
    expect(await page.locator('.timeline .marker-plug').count()).toBe(2);

    // Evidence → frames: a cell that names frames filters the list to them (every cell explains itself; only
    // those with frames jump).
    const jump = page.locator('.matrix td[data-frames] button.jump').first();
    expect(await jump.count()).toBe(1);
    await jump.click();
    const filter = page.getByRole('searchbox', { name: 'Display filter' });
    expect(await filter.inputValue()).toMatch(/^mode:\S+ rep:1 no:[\d,-]+$/);
    await until('the jumped-to frames', async () =>
      (await page.locator('.capture-row').count()) > 0 ? true : undefined,
    );
    await page.locator('.capture-row').first().click();
    expect(await page.getByRole('region', { name: 'Frame detail' }).textContent()).toContain('Ethernet II');
    await filter.fill('');
    await screenshot('run-finished');

    // The same view in Chinese.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('button', { name: '运行', exact: true }).waitFor();
    await screenshot('run-zh-CN');
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  }, 600_000);

  it('cancels a second run and restores the host', async () => {
    const session = await lab.ssh();
    const before = await bondState(session);
    expect(before).toContain('Bonding Mode:');

    await page.getByRole('button', { name: 'Setup', exact: true }).click();
    await page.getByText('✓ The plan is valid.').waitFor();
    await page.getByRole('button', { name: 'Start run' }).click();
    // Cancel once the bench is into the first mode's steps.
    await page.getByText(/Step [2-9] of \d+/).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const banner = page.locator('p.banner.status-cancelled');
    await banner.waitFor({ timeout: 180_000 });
    expect(await banner.getAttribute('data-restored')).toBe('yes');
    expect(await banner.textContent()).toContain('the host was restored to its original configuration');
    await screenshot('cancelled');

    expect(await bondState(session)).toBe(before);
    expect(await guest(session, 'cat /sys/class/net/eth1/carrier /sys/class/net/eth2/carrier')).toBe('1\n1\n');
    session.close();

    // History: both runs, one completed and one cancelled; a report can be exported.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    const rows = page.locator('table.runs tbody tr');
    await until('two runs in History', async () => ((await rows.count()) === 2 ? true : undefined));
    expect((await readdir(runsDir)).length).toBe(2);
    expect(await page.locator('table.runs tr.status-completed').count()).toBe(1);
    expect(await page.locator('table.runs tr.status-cancelled').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Report format' }).selectOption('json');
    const download = page.waitForEvent('download');
    await page.locator('table.runs tr.status-completed').getByRole('button', { name: 'Export json' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.json$/);

    // Compare the two runs cell by cell.
    for (const box of await page.getByRole('checkbox', { name: /^Pick .+ for comparison$/ }).all()) await box.check();
    await page.getByRole('button', { name: 'Compare the two picked' }).click();
    const comparison = page.getByRole('region', { name: 'Comparison' });
    await comparison.waitFor();
    expect(await comparison.locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot('history');

    // Open the completed run: the matrix as recorded.
    await page.locator('table.runs tr.status-completed').getByRole('button', { name: 'Open' }).click();
    await page.getByText(/^Recorded run /).waitFor();
    expect(await page.locator('tr[data-mode="active-backup"] td[data-column="eth1Mac"]').textContent()).toBe(
      '83:07:9c',
    );
    await screenshot('recorded');

    // Delete the cancelled run, once confirmed.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.locator('table.runs tr.status-cancelled').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: /^Delete run .+ for good\?$/ });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await until('one run left in History', async () => ((await rows.count()) === 1 ? true : undefined));
    expect(await page.locator('table.runs tr.status-completed').count()).toBe(1);
    expect((await readdir(runsDir)).length).toBe(1);
  }, 600_000);

  it('runs the write-up’s way from the form: netifrc by power-cycle, then a power-cycle step; boots shown', async () => {
    await page.getByRole('button', { name: 'Setup', exact: true }).click();
    const editor = page.getByRole('textbox', { name: 'Plan (YAML)' });
    // One mode, so the two boots stay within the lab's time; the rest is set in the form, as a user would.
    await editor.fill(
      planToYaml({
        ...shortPlan(),
        name: 'e2e: power-cycle after the netifrc bring-up',
        modes: ['active-backup'],
        steps: [{ kind: 'read-macs' }],
      }),
    );
    await page.getByText('✓ The plan is valid.').waitFor();
    const form = page.getByRole('region', { name: 'Plan form' });
    const boots = form.getByRole('group', { name: 'Bring-up and boots' });
    await boots.getByRole('combobox', { name: 'how each mode is applied' }).selectOption('netifrc');
    await boots.getByRole('combobox', { name: 'a netifrc bring-up boots by' }).selectOption('power-cycle');
    await boots.getByRole('textbox', { name: 'power off for (s)' }).fill('1');
    await form.getByRole('button', { name: 'Add a step' }).click();
    await form.getByRole('combobox', { name: 'Step 2', exact: true }).selectOption('power-cycle');
    await form.getByRole('textbox', { name: 'off (s) of step 2' }).fill('1');
    await page.getByText('✓ The plan is valid.').waitFor();
    expect(await editor.inputValue()).toMatch(/boot: power-cycle\n {2}offSeconds: 1\n/);
    await screenshot('power-setup');

    await page.getByRole('button', { name: 'Start run' }).click();
    const banner = page.locator('p.banner.status-completed');
    await banner.waitFor({ timeout: 300_000 });
    expect(await banner.getAttribute('data-restored')).toBe('yes');
    // ARP at boot comes from the power-cycle step's boot (the last real boot), and says so.
    const arp = page.locator('tr[data-mode="active-backup"] td[data-column="arpAtBoot"]');
    expect(await arp.getAttribute('title')).toMatch(/measured across a power-cycle, SSH back after \d+ ms/);
    await screenshot('power-run');

    // The report exported from History lists both boots, each a power-cycle with 1 s off and its time.
    await page.getByRole('button', { name: 'History', exact: true }).click();
    const row = page.locator('table.runs tr', { hasText: 'power-cycle after the netifrc bring-up' });
    await row.waitFor();
    await page.getByRole('combobox', { name: 'Report format' }).selectOption('html');
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: 'Export html' }).click();
    const report = await readFile((await (await download).path())!, 'utf8');
    const bootsTable = report.match(/<section id="boots">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(bootsTable.match(/power-cycle, 1 s off/g)).toHaveLength(2);
    const folder = (await readdir(runsDir)).find((name) => name.includes('1modes'))!;
    const steps = (await readFile(join(runsDir, folder, 'steps.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; status: string; boot?: { via: string; bootMs?: number } });
    expect(steps.map((st) => `${st.kind} ${st.status} ${st.boot?.via ?? '-'}`)).toEqual([
      'bring-up ok power-cycle',
      'read-macs ok -',
      'power-cycle ok power-cycle',
    ]);
    for (const st of steps.filter((x) => x.boot)) expect(st.boot!.bootMs).toBeGreaterThan(1000);
  }, 600_000);

  it('saw no console error and no failed request', () => {
    expect(problems).toEqual([]);
  });
});
