/**
 * Credentials in plans (shared/plan/secrets.ts): plan check refuses them inside URLs; argv values marked secret
 * (after --password, --token…) and URL userinfo are masked in the report, the zip's plan.yaml, errors and the log.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkDriver } from '../../main/drivers/index.js';
import { RunWriter, readRunFolder, readRunLog } from '../../main/engine/store.js';
import { exportReport } from '../../main/report/export.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import {
  maskArgv,
  maskSecrets,
  planHasSecrets,
  planSecrets,
  redactPlan,
  urlCredentialIssues,
} from '../../shared/plan/secrets.js';
import { errorPart } from '../../shared/run/failure.js';
import { logEvent, stepPart, textLine } from '../../shared/run/log.js';
import { REPO } from './report-fixtures.js';

const withDrivers = (drivers: unknown): Plan => ({ ...defaultLabPlan('x'), drivers: drivers as Plan['drivers'] });

const secretPlan = withDrivers({
  power: { type: 'pdudaemon', url: 'http://admin:s3cr3t-pw@pdu.lan:16421', hostname: 'pdu1', port: 3 },
  link: {
    type: 'command',
    pull: ['/usr/local/bin/switch', '--user', 'bench', '--password', 'hunter2-link', '{slave}', 'down'],
    plug: ['/usr/local/bin/switch', '--api-token=tok-abcdef', '{slave}', 'up'],
  },
});

describe('plan check', () => {
  it('refuses credentials inside a URL, saying where they go instead (the issue’s example)', () => {
    const yaml = planToYaml(secretPlan);
    const errors = parsePlan(yaml).errors.filter((e) => /credentials inside the URL/.test(e.message));
    expect(errors).toEqual([
      expect.objectContaining({ path: 'drivers.power.url', message: expect.stringContaining('pdudaemon.conf') }),
    ]);
    expect(errors[0]!.message).not.toContain('s3cr3t-pw');
    expect(
      urlCredentialIssues(
        withDrivers({
          power: { type: 'lab' },
          link: { type: 'command', pull: ['curl', 'https://u:p@sw/x'], plug: ['x'] },
        }),
      ),
    ).toHaveLength(1);
    expect(urlCredentialIssues(defaultLabPlan('x'))).toEqual([]);
  });
});

describe('masking', () => {
  it('masks argv values of secret options and URL userinfo', () => {
    expect(maskArgv(['sw', '--password', 'pw1', '--token=abc', '--user', 'bench', 'http://a:b@h/'])).toEqual([
      'sw',
      '--password',
      '***',
      '--token=***',
      '--user',
      'bench',
      'http://***@h/',
    ]);
    expect(planSecrets(secretPlan)).toEqual(
      expect.arrayContaining(['admin:s3cr3t-pw', 's3cr3t-pw', 'hunter2-link', 'tok-abcdef']),
    );
    expect(planHasSecrets(secretPlan)).toBe(true);
    const shown = JSON.stringify(redactPlan(secretPlan));
    for (const secret of ['s3cr3t-pw', 'hunter2-link', 'tok-abcdef']) expect(shown).not.toContain(secret);
    expect(shown).toContain('pdu.lan');
    expect(
      maskSecrets('cannot reach http://admin:s3cr3t-pw@pdu.lan:16421 (hunter2-link)', planSecrets(secretPlan)),
    ).toBe('cannot reach http://***@pdu.lan:16421 (***)');
  });

  describe('in everything the bench writes', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bondbench-secrets-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a command driver’s argv in the run log: masked in log.txt, log.jsonl and what the UI reads', async () => {
      // The secretPlan's link driver, real (it runs `true` in place of the switch's program), logging into a run.
      const plan = withDrivers({
        ...secretPlan.drivers,
        link: {
          type: 'command',
          pull: ['true', '--user', 'bench', '--password', 'hunter2-link', '{slave}', 'down'],
          plug: ['true', '--api-token=tok-abcdef', '{slave}', 'up'],
        },
      });
      const writer = await RunWriter.create(dir, plan, planToYaml(plan), 1, '0.0.0');
      writer.secrets = planSecrets(plan);
      const driver = createLinkDriver(plan.drivers.link, { log: (part) => void writer.log(part) });
      await driver.pull('eth1');
      await driver.plug('eth1');
      await writer.log({ key: 'log.run.restored' });
      const records = await readRunLog(writer.dir);
      const commands = records.filter((r) => r.key === 'log.driver.command');
      expect(commands).toHaveLength(2);
      expect(commands[0]!.vars!.argv).toBe('["true","--user","bench","--password","***","eth1","down"]');
      expect(commands[1]!.vars!.argv).toBe('["true","--api-token=***","eth1","up"]');
      const files = [
        await readFile(join(writer.dir, 'log.txt'), 'utf8'),
        await readFile(join(writer.dir, 'log.jsonl'), 'utf8'),
        JSON.stringify(records),
      ];
      expect(files[0]).toContain('"--password","***"');
      for (const text of files)
        for (const secret of ['hunter2-link', 'tok-abcdef']) expect(text, text).not.toContain(secret);

      // An error that quotes the argv, nested in a log line, in the event the UI gets and in the step's parts.
      const error = errorPart(new Error('switch --password hunter2-link: connection refused'));
      const step = stepPart('balance-rr', { kind: 'pull', slave: 'eth1', holdSeconds: 5 });
      await writer.log({ key: 'log.step.failed', vars: { step, error } });
      const events = [
        writer.maskEvent(logEvent(writer.manifest.id, { key: 'log.step.failed', vars: { step, error } })),
        writer.maskEvent({
          type: 'step',
          runId: writer.manifest.id,
          matrix: [],
          step: { index: 0, kind: 'pull', mode: 'balance-rr', status: 'failed', errorParts: [error] } as never,
        }),
      ];
      const said = [await readFile(join(writer.dir, 'log.jsonl'), 'utf8'), JSON.stringify(events)];
      for (const text of said) {
        expect(text).toContain('switch --password ***: connection refused');
        expect(text).not.toContain('hunter2-link');
      }
    });

    it('log, errors and warnings of a run; the HTML/JSON reports and the zip’s plan.yaml', async () => {
      const writer = await RunWriter.create(dir, secretPlan, planToYaml(secretPlan), 1, '0.0.0');
      writer.secrets = planSecrets(secretPlan);
      await writer.log(textLine('pdudaemon: cannot reach http://admin:s3cr3t-pw@pdu.lan:16421'));
      await writer.warn('switch said: bad password hunter2-link');
      await writer.update({ status: 'failed', error: 'command failed: --api-token=tok-abcdef' });
      const run = writer.dir;
      // A step record from a fixture, failing with an error that quotes a secret.
      const fixture = (await readFile(join(REPO, 'test/fixtures/runs/lab-miimon100/steps.jsonl'), 'utf8')).split(
        '\n',
      )[0]!;
      await writer.appendStep({
        ...JSON.parse(fixture),
        status: 'failed',
        error: 'pull: switch --password hunter2-link failed',
      });
      const written = [
        await readFile(join(run, 'log.txt'), 'utf8'),
        await readFile(join(run, 'log.jsonl'), 'utf8'),
        await readFile(join(run, 'run.json'), 'utf8'),
        await readFile(join(run, 'steps.jsonl'), 'utf8'),
      ].join('\n');
      for (const secret of ['s3cr3t-pw', 'hunter2-link', 'tok-abcdef']) expect(written).not.toContain(secret);

      // An older run folder whose log and errors still hold them: the reports mask them on the way out.
      await writeFile(
        join(run, 'steps.jsonl'),
        `${JSON.stringify({ ...JSON.parse(fixture), status: 'failed', error: 'hunter2-link leaked' })}\n`,
      );
      await cp(join(REPO, 'test/fixtures/runs/lab-miimon100/capture'), join(run, 'capture'), { recursive: true });
      // The recorded plan is read without the URL's credentials (plan check refuses them now).
      expect((await readRunFolder(run)).plan.drivers.power).toMatchObject({ url: 'http://pdu.lan:16421' });
      for (const format of ['html', 'json', 'md', 'csv', 'zip'] as const) {
        const data = (await exportReport(run, format, 'en')).data;
        for (const secret of ['s3cr3t-pw', 'hunter2-link', 'tok-abcdef']) {
          expect(data.includes(Buffer.from(secret)), `${format} holds ${secret}`).toBe(false);
        }
      }
    });
  });
});
