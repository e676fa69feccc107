/**
 * Run folders on disk (layout in shared/run/model.ts). Written as the run goes — the manifest atomically, steps
 * appended a line at a time — so an interrupted run keeps every step it finished.
 */

import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunSummary as ApiRunSummary } from '../../shared/api.js';
import type { Plan } from '../../shared/plan/plan.js';
import { loadPlan } from '../../shared/plan/plan-file.js';
import { runsDirFor } from '../../shared/platform/paths.js';
import { RUN_FORMAT, type RunManifest, type StepRecord } from '../../shared/run/model.js';

/** Run folders: $BONDBENCH_RUNS, %LOCALAPPDATA%\bondbench\runs on Windows, else XDG data (runsDirFor). */
export function defaultRunsDir(): string {
  return resolve(runsDirFor(process.platform, process.env, homedir()));
}

export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** A run being written. */
export class RunWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly manifest: RunManifest & { pid?: number },
  ) {}

  static async create(root: string, plan: Plan, planYaml: string, totalSteps: number, benchVersion: string) {
    const started = new Date();
    const id = `${started
      .toISOString()
      .replace(/[:.]/g, '-')
      .replace(/-\d{3}Z$/, 'Z')}-${plan.modes.length}modes`;
    const dir = join(root, id);
    await mkdir(join(dir, 'capture'), { recursive: true });
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
    const text = `${JSON.stringify(this.manifest, null, 2)}\n`;
    return this.enqueue(() => writeFileAtomic(join(this.dir, 'run.json'), text));
  }

  warn(message: string): Promise<void> {
    this.manifest.warnings.push(message);
    return Promise.all([this.update({}), this.log(`warning: ${message}`)]).then(() => undefined);
  }

  appendStep(step: StepRecord): Promise<void> {
    const line = `${JSON.stringify(step)}\n`;
    return this.enqueue(() => appendFile(join(this.dir, 'steps.jsonl'), line));
  }

  log(line: string): Promise<void> {
    const text = `${new Date().toISOString()} ${line}\n`;
    return this.enqueue(() => appendFile(join(this.dir, 'log.txt'), text));
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

/** Reads a run folder; a run whose writer died says so (status interrupted). */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const manifestText = await readFile(join(dir, 'run.json'), 'utf8').catch(() => {
    throw new Error(`${dir} is not a BondBench run folder (no run.json)`);
  });
  const manifest = JSON.parse(manifestText) as RunManifest & { pid?: number };
  if (manifest.format !== RUN_FORMAT) throw new Error(`${dir}: run format ${manifest.format} is not supported`);
  if (manifest.status === 'running' && !pidAlive(manifest.pid)) manifest.status = 'interrupted';
  const plan = loadPlan(await readFile(join(dir, 'plan.yaml'), 'utf8'), join(dir, 'plan.yaml'));
  const steps: StepRecord[] = [];
  const lines = (await readFile(join(dir, 'steps.jsonl'), 'utf8').catch(() => '')).split('\n');
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      steps.push(JSON.parse(line) as StepRecord);
    } catch {
      // A line cut short by a crash: the steps before it still count.
      break;
    }
  }
  return { dir, manifest, plan, steps };
}

/** A run as the history lists it: the API's summary plus where its folder is. */
export interface RunSummary extends ApiRunSummary {
  dir: string;
}

export async function listRuns(root = defaultRunsDir()): Promise<RunSummary[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const runs: RunSummary[] = [];
  for (const name of entries) {
    const dir = join(root, name);
    if (!(await stat(join(dir, 'run.json')).catch(() => undefined))) continue;
    try {
      const run = await readRunFolder(dir);
      runs.push({
        id: run.manifest.id,
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
    } catch {
      // Not readable as a run: leave it out of the history rather than fail the listing.
    }
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A run by id (in root) or by folder path. */
export async function resolveRun(idOrDir: string, root = defaultRunsDir()): Promise<string> {
  for (const candidate of [resolve(idOrDir), join(root, idOrDir)]) {
    if (await stat(join(candidate, 'run.json')).catch(() => undefined)) return candidate;
  }
  throw new Error(`no run "${idOrDir}": give a run folder or an id from "bondbench runs"`);
}

export async function deleteRun(idOrDir: string, root = defaultRunsDir()): Promise<void> {
  const dir = await resolveRun(idOrDir, root);
  await rm(dir, { recursive: true, force: true });
}
