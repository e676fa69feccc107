/**
 * The bench as one object: the typed API of shared/api.ts over the engine, the store, host control, the tester
 * agent and the report exporters. Electron's IPC and the browser-mode WebSocket both serve this class.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  BenchApi,
  BenchEvent,
  CaptureFileInfo,
  CapturePage,
  CaptureQuery,
  CheckItem,
  Comparison,
  FrameLayers,
  HostCheck,
  Language,
  PullTraffic,
  ReportFormat,
  RunSummary,
  RunView,
  TesterInterface,
} from '../../shared/api.js';
import type { DoctorReport } from '../../shared/doctor/doctor.js';
import { isLanguage, LANGUAGES, t } from '../../shared/i18n/catalogue.js';
import { namespaceName } from '../../shared/lab/topology.js';
import { assertIPv4 } from '../../shared/net/names.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { judgeRun } from '../../shared/oracle/oracle.js';
import { defaultLabPlan, type Plan } from '../../shared/plan/plan.js';
import { type PlanError, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { compareRuns } from '../../shared/run/compare.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import type { LogRecord } from '../../shared/run/log.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { runDoctor } from '../doctor/doctor.js';
import { createLinkDriver, createPowerDriver, createSwitchDriver } from '../drivers/index.js';
import { HostControl } from '../host/control.js';
import { parseHostTarget } from '../host/target.js';
import { VirtualLab } from '../lab/lab.js';
import { exportReport } from '../report/export.js';
import type { PdfPrinter } from '../report/pdf.js';
import { UnknownHostKeyError } from '../ssh/known-hosts.js';
import { TesterClient } from '../tester/client.js';
import { RecordedCaptures } from './captures.js';
import { LiveFrameDetails } from './live-details.js';
import { type RunHandle, startRun } from './session.js';
import { labInstanceOf } from './sides.js';
import {
  defaultRunsDir,
  deleteRun,
  listRuns,
  type RunFolder,
  readRegularFile,
  readRunFolder,
  readRunLog,
  runDirOf,
} from './store.js';

export interface BenchOptions {
  runsDir?: string;
  /** The virtual lab instance the default plan points at. */
  labInstance?: string;
  /** Where engine logs go besides the events (each line in English, as log.txt has it). */
  log?: (line: string) => void;
  /** How PDFs are printed: the desktop app hands in Electron's printToPDF; headless Chromium otherwise. */
  printer?: PdfPrinter;
}

export class Bench implements BenchApi {
  readonly runsDir: string;
  private readonly labInstance: string;
  private readonly printer: PdfPrinter | undefined;
  private readonly listeners = new Set<(event: BenchEvent) => void>();
  private readonly active = new Map<string, RunHandle>();
  private readonly captures = new RecordedCaptures();
  private readonly liveDetails = new LiveFrameDetails();
  /** Run folders read for capture browsing, by folder, while unchanged (every window of rows would re-read them). */
  private readonly folders = new Map<string, { stamp: string; run: Promise<RunFolder> }>();

  constructor(options: BenchOptions = {}) {
    this.runsDir = options.runsDir ?? defaultRunsDir();
    this.labInstance = options.labInstance ?? process.env.BONDBENCH_LAB_INSTANCE ?? 'default';
    this.printer = options.printer;
    if (options.log) {
      const log = options.log;
      this.onEvent((event) => {
        if (event.type === 'log') log(event.line);
      });
    }
  }

  onEvent(listener: (event: BenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(original: BenchEvent): void {
    // Live rows go without their layers (the detail pane asks for one frame's: frameDetail).
    const event = original.type === 'frames' ? this.liveDetails.keep(original) : original;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the run.
      }
    }
  }

  async defaultPlan(language: Language): Promise<string> {
    const said = checkedLanguage(language);
    return planToYaml({ ...defaultLabPlan(this.labInstance), name: t(said, 'planDefault.name') }, said);
  }

  async checkPlan(yaml: string): Promise<PlanError[]> {
    return parsePlan(yaml).errors;
  }

  private loadPlan(yaml: string): Plan {
    const { plan, errors } = parsePlan(yaml);
    if (!plan) {
      const parts = [item('planInvalid', { findings: joinParts(errors.map(planError)) })];
      throw saidError(parts);
    }
    return plan;
  }

  async checkHost(target: string): Promise<HostCheck> {
    let control: HostControl | undefined;
    try {
      control = await HostControl.open(target, { acceptNewHostKey: false, readyTimeoutMs: 15_000 });
      const probe = await control.probe();
      return {
        ok: true,
        kernel: probe.kernel,
        distribution: probe.distribution.prettyName ?? probe.distribution.name ?? 'unknown',
        bonding: `${probe.bonding.available}${probe.bonding.loaded ? ', loaded' : ''}`,
        bondingPart: {
          key: `checkItem.bonding.${probe.bonding.available === 'built-in' ? 'builtIn' : probe.bonding.available}${probe.bonding.loaded ? 'Loaded' : ''}`,
        },
        interfaces: probe.interfaces
          .filter((i) => i.name !== 'lo')
          .map((i) => ({ name: i.name, mac: i.mac ?? '', addresses: i.addresses })),
      };
    } catch (error) {
      const errorParts = [{ key: 'failure.hostCheck', vars: { target, cause: errorPart(error) } }];
      if (error instanceof UnknownHostKeyError) {
        return {
          ok: false,
          error: error.message,
          errorParts,
          hostKey: { target, keyType: error.key.type, fingerprint: error.key.fingerprint },
        };
      }
      return { ok: false, error: (error as Error).message, errorParts };
    } finally {
      control?.close();
    }
  }

  async acceptHostKey(target: string, fingerprint: string): Promise<void> {
    const control = await HostControl.open(target, {
      // Only the key the user saw and accepted; anything else is still refused.
      acceptNewHostKey: (key) => key.fingerprint === fingerprint,
      readyTimeoutMs: 15_000,
    });
    control.close();
  }

  private async withTester<T>(plan: Plan | undefined, work: (client: TesterClient) => Promise<T>): Promise<T> {
    const instance = plan ? labInstanceOf(plan) : this.labInstance;
    const netns = instance && (await new VirtualLab(instance).isUp()) ? namespaceName(instance) : undefined;
    const client = await TesterClient.start({ netns, log: () => undefined });
    try {
      return await work(client);
    } finally {
      await client.close().catch(() => client.kill());
    }
  }

  async testerInterfaces(): Promise<TesterInterface[]> {
    return this.withTester(undefined, async (client) =>
      (await client.interfaces())
        .filter((i) => !i.loopback)
        .map((i) => ({
          name: i.name,
          ...(i.friendlyName ? { friendlyName: i.friendlyName } : {}),
          ...(i.mac ? { mac: i.mac } : {}),
          description: i.description,
          addresses: i.addresses.map((a) => a.cidr ?? a.address),
        })),
    );
  }

  async doctor(probeTarget = ''): Promise<DoctorReport> {
    // The API's argument check (API_PARAMS) has made it a string; '' = no probe.
    if (probeTarget) assertIPv4(probeTarget, 'probe target');
    const instance = this.labInstance;
    const netns = (await new VirtualLab(instance).isUp()) ? namespaceName(instance) : undefined;
    return runDoctor({ netns, probe: probeTarget || undefined, printToPdf: this.printer !== undefined });
  }

  async checkEverything(yaml: string): Promise<CheckItem[]> {
    const items: CheckItem[] = [];
    const { plan, errors } = parsePlan(yaml);
    items.push(
      plan
        ? checkItem(
            true,
            item('plan'),
            item('planOk', {
              modes: plan.modes.length,
              steps: plan.steps.length + 1,
              repeat: plan.repeat,
            }),
          )
        : checkItem(
            false,
            item('plan'),
            item('planProblems', { count: errors.length }),
            joinParts(errors.map(planError)),
          ),
    );
    if (!plan) return items;
    const target = parseHostTarget(plan.host.target);
    if (target.kind === 'lab') {
      const up = await new VirtualLab(target.instance).isUp();
      const lab = item('lab', { instance: target.instance });
      items.push(
        up
          ? checkItem(true, lab, item('labUp'))
          : checkItem(false, lab, item('labDown'), item('labFix', { instance: target.instance })),
      );
      if (!up) return items;
    }
    const host = await this.checkHost(plan.host.target);
    const hostWhat = item('host', { target: plan.host.target });
    items.push(
      host.ok
        ? checkItem(
            true,
            hostWhat,
            item('hostOk', {
              distribution: host.distribution,
              kernel: host.kernel,
              bonding: host.bondingPart ?? host.bonding,
            }),
          )
        : checkItem(
            false,
            hostWhat,
            host.errorParts
              ? joinParts(host.errorParts)
              : { key: 'failure.cause.other', vars: { message: host.error } },
            host.hostKey ? item('hostKeyFix', { fingerprint: host.hostKey.fingerprint }) : item('hostFix'),
          ),
    );
    if (host.ok) {
      const missing = plan.bond.slaves.filter((s) => !host.interfaces.some((i) => i.name === s));
      items.push(
        missing.length
          ? checkItem(
              false,
              item('slaves'),
              item('slavesMissing', { slaves: missing.join(', ') }),
              item('slavesFix', { interfaces: host.interfaces.map((i) => i.name).join(', ') }),
            )
          : checkItem(true, item('slaves'), item('list', { items: plan.bond.slaves.join(', ') })),
      );
    }
    try {
      const names = await this.withTester(plan, async (client) => (await client.interfaces()).map((i) => i.name));
      const wanted = plan.tester.interface;
      const ok = wanted === 'auto' || names.includes(wanted);
      items.push(
        ok
          ? checkItem(true, item('testerInterface'), item('list', { items: wanted }))
          : checkItem(
              false,
              item('testerInterface'),
              item('testerMissing', { wanted, names: names.join(', ') }),
              item('testerFix'),
            ),
      );
    } catch (error) {
      items.push(checkItem(false, item('testerAgent'), errorPart(error), item('agentFix')));
    }
    const switchConfig = plan.drivers.switch;
    for (const [kind, create] of [
      ['power', async () => createPowerDriver(plan.drivers.power, { log: () => undefined })],
      ['link', async () => createLinkDriver(plan.drivers.link, { log: () => undefined })],
      ...(switchConfig
        ? ([
            [
              'switch',
              async () => {
                // Built and asked whether it can do its job (the lab switch: is the LACP partner there?).
                const driver = createSwitchDriver(switchConfig, { log: () => undefined });
                await driver.check();
                return driver;
              },
            ],
          ] as const)
        : []),
    ] as const) {
      try {
        const driver = await create();
        items.push(checkItem(true, item(`driver.${kind}`), item('list', { items: driver.name })));
      } catch (error) {
        items.push(checkItem(false, item(`driver.${kind}`), errorPart(error), item('driverFix', { kind })));
      }
    }
    return items;
  }

  async startRun(yaml: string): Promise<{ runId: string }> {
    const plan = this.loadPlan(yaml);
    const handle = await startRun(plan, { runsDir: this.runsDir, emit: (event) => this.emit(event) });
    this.active.set(handle.id, handle);
    void handle.finished.then(
      () => this.active.delete(handle.id),
      () => this.active.delete(handle.id),
    );
    return { runId: handle.id };
  }

  async cancelRun(runId: string): Promise<void> {
    const handle = this.active.get(runId);
    if (!handle) throw saidError([item('notRunning', { runId })]);
    handle.cancel();
    await handle.finished;
  }

  async listRuns(): Promise<RunSummary[]> {
    return (await listRuns(this.runsDir)).map(({ dir: _dir, ...summary }) => summary);
  }

  async getRun(runId: string): Promise<RunView> {
    const dir = await runDirOf(runId, this.runsDir);
    const run = await readRunFolder(dir);
    return {
      manifest: run.manifest,
      planYaml: (await readRegularFile(join(dir, 'plan.yaml'))).toString('utf8'),
      steps: run.steps,
      matrix: judgeRun(run.plan, run.steps),
    };
  }

  async deleteRun(runId: string): Promise<void> {
    if (this.active.has(runId)) throw saidError([item('stillRunning', { runId })]);
    await deleteRun(runId, this.runsDir);
  }

  private async browsedRun(runId: string): Promise<RunFolder> {
    const dir = await runDirOf(runId, this.runsDir);
    const stamps = await Promise.all(
      ['run.json', 'steps.jsonl'].map((name) =>
        stat(join(dir, name)).then(
          (s) => `${s.size}:${s.mtimeMs}`,
          () => '-',
        ),
      ),
    );
    const stamp = stamps.join('/');
    const cached = this.folders.get(dir);
    if (cached?.stamp === stamp) return cached.run;
    const run = readRunFolder(dir);
    this.folders.set(dir, { stamp, run });
    run.catch(() => this.folders.delete(dir));
    return run;
  }

  async listCaptures(runId: string): Promise<CaptureFileInfo[]> {
    const run = await this.browsedRun(runId);
    return this.captures.list(run.dir, run.plan, run.manifest);
  }

  async readCapture(runId: string, query: CaptureQuery): Promise<CapturePage> {
    const run = await this.browsedRun(runId);
    return this.captures.page(run.dir, run.plan, run.manifest, query);
  }

  async pullTraffic(runId: string, step: number): Promise<PullTraffic> {
    if (!Number.isInteger(step) || step < 0) {
      throw new SaidError('ApiArgumentsError', 'error.api.stepIndex', { step: String(step) });
    }
    const run = await this.browsedRun(runId);
    return this.captures.pullTraffic(run.dir, run.plan, run.manifest, run.steps, step);
  }

  async frameDetail(runId: string, ref: number): Promise<FrameLayers | null> {
    return this.liveDetails.get(runId, ref);
  }

  async readRunLog(runId: string): Promise<LogRecord[]> {
    return readRunLog(await runDirOf(runId, this.runsDir));
  }

  async compareRuns(a: string, b: string, language: Language): Promise<Comparison> {
    checkedLanguage(language);
    // Both folders first: a read started before the second id is refused would reject with no one listening.
    const [dirA, dirB] = await Promise.all([runDirOf(a, this.runsDir), runDirOf(b, this.runsDir)]);
    const [runA, runB] = await Promise.all([readRunFolder(dirA), readRunFolder(dirB)]);
    return compareRuns(runA, runB, language);
  }

  async exportReport(
    runId: string,
    format: ReportFormat,
    language: Language,
  ): Promise<{ fileName: string; mime: string; base64: string }> {
    const report = await exportReport(await runDirOf(runId, this.runsDir), format, language, {
      printer: this.printer,
    });
    return { fileName: report.fileName, mime: report.mime, base64: report.data.toString('base64') };
  }

  /** Cancels every running run and waits for the hosts to be restored. */
  async shutdown(): Promise<void> {
    const running = [...this.active.values()];
    for (const handle of running) handle.cancel();
    await Promise.all(running.map((handle) => handle.finished.catch(() => undefined)));
  }
}

/** `language` when it is one the catalogue has; else throws an Error naming the ones it has. */
function checkedLanguage(language: unknown): Language {
  if (!isLanguage(language))
    throw new SaidError('ApiArgumentsError', 'error.api.language', {
      languages: LANGUAGES.join(', '),
      language: String(JSON.stringify(language)),
    });
  return language;
}

/** A `checkItem.*` message as a part. */
function item(key: string, vars?: Record<string, string | number | ReasonPart>): ReasonPart {
  return { key: `checkItem.${key}`, ...(vars ? { vars } : {}) };
}

/** A line of "Check everything": its English (as the CLI and older clients read it) and its parts. */
function checkItem(ok: boolean, what: ReasonPart, detail: ReasonPart, fix?: ReasonPart): CheckItem {
  const en = (part: ReasonPart) => sayReason('en', [part]);
  return {
    what: en(what),
    ok,
    detail: en(detail),
    ...(fix ? { fix: en(fix) } : {}),
    parts: { what, detail, ...(fix ? { fix } : {}) },
  };
}

/** A plan check finding as a part: its line and field when it has them ("line 9: bond.peer: …"). */
function planError(e: PlanError): ReasonPart {
  const message = e.parts?.length ? joinParts(e.parts) : e.message;
  if (e.line && e.path) return item('planErrorAt', { line: e.line, path: e.path, message });
  // A YAML syntax error names no field, only its line.
  if (e.line) return item('planErrorLine', { line: e.line, message });
  return e.path ? item('planError', { path: e.path, message }) : item('planErrorOnly', { message });
}

/** An Error said in parts: its message is their English; the server sends the parts to the page. */
function saidError(parts: ReasonPart[]): Error & { parts: ReasonPart[] } {
  return Object.assign(new Error(sayReason('en', parts)), { parts });
}
