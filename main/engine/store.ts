/**
 * Run folders on disk (layout in shared/run/model.ts). Written as the run goes — the manifest atomically, steps
 * appended a line at a time — so an interrupted run keeps every step it finished.
 */
import { constants } from 'node:fs';
import { appendFile, mkdir, open, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import type { RunSummary as ApiRunSummary, BenchEvent } from '../../shared/api.js';
import { mapPartText } from '../../shared/oracle/failover.js';
import type { Plan } from '../../shared/plan/plan.js';
import { loadPlan } from '../../shared/plan/plan-file.js';
import { maskSecrets, stripUrlCredentials } from '../../shared/plan/secrets.js';
import { runsDirFor } from '../../shared/platform/paths.js';
import { errorPart, joinParts } from '../../shared/run/failure.js';
import { type LogRecord, logText, textLine } from '../../shared/run/log.js';
import { type ReasonPart, RUN_FORMAT, type RunManifest, type StepRecord } from '../../shared/run/model.js';
import { SaidError } from '../../shared/run/said-error.js';
import { parseLogRecord, parseRunManifest, parseStepRecord } from '../../shared/run/schema.js';

/** Run folders: $BONDBENCH_RUNS, %LOCALAPPDATA%\bondbench\runs on Windows, else XDG data (runsDirFor). */
export function defaultRunsDir(): string {
  return resolve(runsDirFor(process.platform, process.env, homedir()));
}

export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * A run id is the name of its folder in the runs folder: 1–128 of `A-Z a-z 0-9 . _ -`, not starting with a dot
 * (so never `.`, `..` or a hidden file). The id written inside run.json is never used to find a folder.
 */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(id);
}

/** A run folder that cannot be found, named or read as asked; `key` is an `error.store.*` message. */
export class RunStoreError extends SaidError {
  constructor(key: string, vars: Record<string, string> = {}) {
    super('RunStoreError', `error.store.${key}`, vars);
  }
}

function printable(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * The folder of run `id` inside `root`, after resolving symlinks: refused (Error) when the id is not a folder
 * name, when the folder resolves outside the runs folder, or when it holds no run.json.
 */
export async function runDirOf(id: unknown, root = defaultRunsDir()): Promise<string> {
  if (!isRunId(id)) {
    throw new RunStoreError('notRunId', { id: printable(String(id)) });
  }
  const notFound = () => new RunStoreError('noRun', { id, root });
  const realRoot = await realpath(root).catch(() => {
    throw notFound();
  });
  const real = await realpath(join(realRoot, id)).catch(() => {
    throw notFound();
  });
  if (!real.startsWith(realRoot + sep)) throw new RunStoreError('outside', { id, root });
  if (!(await stat(join(real, 'run.json')).catch(() => undefined))?.isFile()) throw notFound();
  return real;
}

/** Makes a fresh run folder `base` (or `base-2`, `base-3`… when taken) in root; mkdir is exclusive, so two runs
 * started in the same second never share one. */
async function makeRunFolder(root: string, base: string): Promise<{ id: string; dir: string }> {
  await mkdir(root, { recursive: true });
  for (let n = 1; n < 10_000; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    const dir = join(root, id);
    try {
      await mkdir(dir);
      return { id, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new RunStoreError('noFreeName', { root, base });
}

/** A run being written. */
export class RunWriter {
  private chain: Promise<void> = Promise.resolve();
  /** Told each log line as it is written, masked (the session sends it to the UI as a `log` event). */
  onLog?: (part: ReasonPart) => void;
  /** Credential values of the plan (planSecrets): masked in every line, warning, error and step this writes. */
  secrets: readonly string[] = [];

  /** `text` with the plan's credentials and any URL userinfo masked. */
  mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  constructor(
    readonly dir: string,
    readonly manifest: RunManifest & { pid?: number },
  ) {}

  static async create(root: string, plan: Plan, planYaml: string, totalSteps: number, benchVersion: string) {
    const started = new Date();
    const base = `${started
      .toISOString()
      .replace(/[:.]/g, '-')
      .replace(/-\d{3}Z$/, 'Z')}-${plan.modes.length}modes`;
    const { id, dir } = await makeRunFolder(root, base);
    await mkdir(join(dir, 'capture'));
    await writeFile(join(dir, 'plan.yaml'), planYaml);
    await writeFile(join(dir, 'steps.jsonl'), '');
    const writer = new RunWriter(dir, {
      format: RUN_FORMAT,
      id,
      benchVersion,
      planName: plan.name,
      startedAt: started.toISOString(),
      status: 'running',
      totalSteps,
      warnings: [],
      pid: process.pid,
    });
    await writer.update({});
    return writer;
  }

  /** Serialises writes so a crash never leaves a half-written manifest or interleaved lines. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work, work);
    return this.chain;
  }

  update(patch: Partial<RunManifest>): Promise<void> {
    Object.assign(this.manifest, patch);
    if (this.manifest.error) this.manifest.error = this.mask(this.manifest.error);
    if (this.manifest.errorParts) this.manifest.errorParts = mapPartText(this.manifest.errorParts, (s) => this.mask(s));
    const text = `${JSON.stringify(this.manifest, null, 2)}\n`;
    return this.enqueue(() => writeFileAtomic(join(this.dir, 'run.json'), text));
  }

  /** Records a warning (English, also in log.txt) and, when given, its message parts for the reader's language. */
  warn(message: string, parts?: ReasonPart[]): Promise<void> {
    const { manifest } = this;
    if (parts || manifest.warningParts) {
      const before = manifest.warningParts ?? manifest.warnings.map(() => null);
      manifest.warningParts = [...before, parts ? mapPartText(parts, (s) => this.mask(s)) : null];
    }
    manifest.warnings.push(this.mask(message));
    const said = parts?.length ? joinParts(parts) : textLine(message);
    return Promise.all([this.update({}), this.log({ key: 'log.warning', vars: { warning: said } })]).then(
      () => undefined,
    );
  }

  /** A step record with its error masked, in English and in parts. */
  private maskStep(step: StepRecord): StepRecord {
    if (!step.error && !step.errorParts) return step;
    return {
      ...step,
      ...(step.error ? { error: this.mask(step.error) } : {}),
      ...(step.errorParts ? { errorParts: mapPartText(step.errorParts, (s) => this.mask(s)) } : {}),
    };
  }

  /**
   * An event for the UI with the plan's credentials masked wherever it carries text: a log line (its English and
   * every value of its parts), a step's error (English and parts), a run's error.
   */
  maskEvent(event: BenchEvent): BenchEvent {
    switch (event.type) {
      case 'log':
        return {
          ...event,
          line: this.mask(event.line),
          ...(event.part ? { part: mapPartText([event.part], (s) => this.mask(s))[0] } : {}),
        };
      case 'run-finished':
        return event.error ? { ...event, error: this.mask(event.error) } : event;
      case 'step':
        return { ...event, step: this.maskStep(event.step) };
      default:
        return event;
    }
  }

  appendStep(step: StepRecord): Promise<void> {
    const line = `${JSON.stringify(this.maskStep(step))}\n`;
    return this.enqueue(() => appendFile(join(this.dir, 'steps.jsonl'), line));
  }

  /**
   * Appends a log line: its English to log.txt (`<ISO time> <line>`, the technical record, as always) and its parts
   * to log.jsonl (a LogRecord, for the reader's language). Every value is masked (the plan's credentials, URL
   * userinfo), nested parts too, and the English once more as a whole.
   */
  log(part: ReasonPart): Promise<void> {
    const at = new Date().toISOString();
    const [safe] = mapPartText([part], (s) => this.mask(s)) as [ReasonPart];
    const text = `${at} ${this.mask(logText('en', safe))}\n`;
    const record: LogRecord = { at, key: safe.key, ...(safe.vars ? { vars: safe.vars } : {}) };
    const json = `${JSON.stringify(record)}\n`;
    this.onLog?.(safe);
    return this.enqueue(async () => {
      await appendFile(join(this.dir, 'log.txt'), text);
      await appendFile(join(this.dir, 'log.jsonl'), json);
    });
  }

  /**
   * A folder written before log.jsonl existed, now resumed: its log.txt lines become `log.text` records first, so
   * the structured log reads whole. Does nothing when log.jsonl exists.
   */
  async keepTextLog(): Promise<void> {
    if (await stat(join(this.dir, 'log.jsonl')).catch(() => undefined)) return;
    const old = await readRunLog(this.dir);
    const json = old.map((record) => `${JSON.stringify(record)}\n`).join('');
    await this.enqueue(() => writeFile(join(this.dir, 'log.jsonl'), json));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }
}

export interface RunFolder {
  dir: string;
  manifest: RunManifest;
  plan: Plan;
  steps: StepRecord[];
}

function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a file of a run folder refusing symlinks (O_NOFOLLOW on the last component, then fstat): a run folder
 * from elsewhere cannot make the bench read a file outside it. Throws when `path` is a link or not a regular file.
 */
export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ELOOP' ? new RunStoreError('symlink', { path }) : error;
  });
  try {
    if (!(await handle.stat()).isFile()) throw new RunStoreError('notRegular', { path });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Reads a run folder and validates every file before use (shared/run/schema.ts): run.json and each line of
 * steps.jsonl against their schemas, plan.yaml through the plan's own validation. Throws RunFileError (or the
 * plan's error) naming the file and line. The run's id is its folder's name, whatever run.json says. A run whose
 * writer died says so (status interrupted); a last steps line cut short by a crash is dropped.
 */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const manifestFile = join(dir, 'run.json');
  const manifestText = (
    await readRegularFile(manifestFile).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new RunStoreError('notRunFolder', { dir }) : error;
    })
  ).toString('utf8');
  const manifest = parseRunManifest(manifestText, manifestFile);
  manifest.id = basename(resolve(dir));
  if (manifest.status === 'running' && !pidAlive(manifest.pid)) manifest.status = 'interrupted';
  const planFile = join(dir, 'plan.yaml');
  // Credentials inside URLs are refused in plans now; a run recorded before keeps its plan readable without them.
  const plan = loadPlan(stripUrlCredentials((await readRegularFile(planFile)).toString('utf8')), planFile);
  const stepsFile = join(dir, 'steps.jsonl');
  const steps = (await readJsonLines(stepsFile, parseStepRecord)) ?? [];
  return { dir, manifest, plan, steps };
}

/**
 * The records of a JSON-lines file of a run folder, each line through `parse` (file, 1-based line), or undefined
 * when there is no such file. A last line cut short by a crash is dropped: the lines before it still count;
 * anything else that does not parse throws.
 */
async function readJsonLines<T>(
  file: string,
  parse: (text: string, file: string, line: number) => T,
): Promise<T[] | undefined> {
  const text = await readRegularFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!text) return undefined;
  const lines = text.toString('utf8').split('\n');
  const last = lines.findLastIndex((line) => line.trim() !== '');
  const records: T[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      records.push(parse(line, file, i + 1));
    } catch (error) {
      if (i === last && !line.endsWith('}') && /not JSON/.test((error as Error).message)) break;
      throw error;
    }
  }
  return records;
}

/** A run as the history lists it: the API's summary plus where its folder is. */
export interface RunSummary extends ApiRunSummary {
  dir: string;
}

/**
 * Every run folder in root, newest first. A folder that cannot be read is listed too, with `unreadable` saying
 * why (and the file and line), so one bad folder never hides the others.
 */
export async function listRuns(root = defaultRunsDir()): Promise<RunSummary[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const runs: RunSummary[] = [];
  for (const name of entries) {
    if (!isRunId(name)) continue;
    if (!(await stat(join(root, name, 'run.json')).catch(() => undefined))) continue;
    let dir = join(root, name);
    try {
      dir = await runDirOf(name, root);
      const run = await readRunFolder(dir);
      runs.push({
        id: name,
        dir,
        startedAt: run.manifest.startedAt,
        status: run.manifest.status,
        planName: run.manifest.planName,
        host: run.manifest.host?.target,
        kernel: run.manifest.host?.kernel,
        modes: [...new Set(run.steps.map((s) => s.mode))],
        steps: run.steps.length,
        totalSteps: run.manifest.totalSteps,
      });
    } catch (error) {
      const info = await stat(dir).catch(() => undefined);
      runs.push({
        id: name,
        dir,
        startedAt: info ? info.mtime.toISOString() : '',
        status: 'unreadable',
        unreadable: (error as Error).message.replaceAll(`${dir}${sep}`, ''),
        // Paths inside the folder said relative to it, as in the English.
        unreadableParts: mapPartText([errorPart(error)], (text) => text.replaceAll(`${dir}${sep}`, '')),
        planName: '',
        modes: [],
        steps: 0,
        totalSteps: 0,
      });
    }
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * For the command line, where the user names a run: an id from "bondbench runs" (resolved by runDirOf), or else
 * a run folder's path as typed. The API takes ids only (runDirOf).
 */
export async function resolveRun(idOrDir: string, root = defaultRunsDir()): Promise<string> {
  if (isRunId(idOrDir)) {
    const dir = await runDirOf(idOrDir, root).catch(() => undefined);
    if (dir) return dir;
  }
  const candidate = resolve(idOrDir);
  if ((await stat(join(candidate, 'run.json')).catch(() => undefined))?.isFile()) return candidate;
  throw new RunStoreError('noRunGiven', { run: printable(idOrDir) });
}

/** Deletes run `id` from root (ids only, resolved and checked by runDirOf). */
export async function deleteRun(id: string, root = defaultRunsDir()): Promise<void> {
  const dir = await runDirOf(id, root);
  await rm(dir, { recursive: true, force: true });
}

/** An old run's log.txt line: `<ISO time> <text>`. */
const TEXT_LOG_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/;

/**
 * The run log of a run folder, line by line, for the reader's language: log.jsonl, each line validated
 * (parseLogRecord; a last line cut short by a crash is dropped, any other bad line throws RunFileError naming file
 * and line). A folder written before log.jsonl existed gives its log.txt, each line as it was written (`log.text`,
 * English), its time taken from the line. No log at all: no lines. Files are read as regular files only.
 */
export async function readRunLog(dir: string): Promise<LogRecord[]> {
  const records = await readJsonLines(join(dir, 'log.jsonl'), parseLogRecord);
  if (records) return records;
  const text = await readRegularFile(join(dir, 'log.txt')).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!text) return [];
  return text
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = TEXT_LOG_LINE.exec(line);
      return { at: match?.[1] ?? '', ...textLine(match ? match[2]! : line) };
    });
}
