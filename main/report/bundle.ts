/**
 * The bundle: one zip to hand on — the HTML report, the plan, the host readings (run.json, steps.jsonl), the log
 * and every pcapng of the run (Wireshark opens them from the zip's folder), all under a folder named after the run.
 * Only regular files inside the run folder go in: never what a symlink in it points at.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { planHasSecrets, redactPlan } from '../../shared/report/build.js';
import { safeFileStem } from '../../shared/report/escape.js';
import { type RunFolder, readRegularFile } from '../engine/store.js';

/** Files of the run folder that go into the bundle besides the report, in this order. */
export const BUNDLED_RUN_FILES = ['run.json', 'steps.jsonl', 'log.txt', 'log.jsonl'] as const;

/** Whether `path` is a regular file itself (lstat: a symlink is not, wherever it points). */
async function isRegularFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * The names inside the zip, relative to its top folder (for listing and tests). Only regular files inside the
 * run folder: a symlink (to a file, or as the capture folder) is left out, whatever it points at.
 */
export async function bundleEntries(run: RunFolder): Promise<string[]> {
  const names = ['report.html', 'plan.yaml'];
  for (const file of BUNDLED_RUN_FILES) if (await isRegularFile(join(run.dir, file))) names.push(file);
  const captureDir = join(run.dir, 'capture');
  const captureIsDir = await lstat(captureDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const captures = captureIsDir ? await readdir(captureDir).catch(() => [] as string[]) : [];
  for (const f of captures.filter((name) => name.endsWith('.pcapng')).sort()) {
    if (await isRegularFile(join(captureDir, f))) names.push(`capture/${f}`);
  }
  return names;
}

export async function buildBundle(run: RunFolder, reportHtml: string): Promise<Buffer> {
  const zip = new ZipFile();
  const top = safeFileStem(run.manifest.id);
  // The run's start as every entry's time: the same run gives the same zip.
  const mtime = new Date(run.manifest.startedAt);
  const options = { mtime: Number.isNaN(mtime.getTime()) ? new Date(0) : mtime, mode: 0o644 };
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.on('error', reject);
  });
  for (const name of await bundleEntries(run)) {
    let data: Buffer;
    if (name === 'report.html') data = Buffer.from(reportHtml);
    else if (name === 'plan.yaml') {
      // The plan as run, unless it holds driver credentials: those never leave the bench.
      data = planHasSecrets(run.plan)
        ? Buffer.from(planToYaml(redactPlan(run.plan)))
        : await readRegularFile(join(run.dir, 'plan.yaml'));
    } else data = await readRegularFile(join(run.dir, name));
    zip.addBuffer(data, `${top}/${name}`, options);
  }
  zip.end();
  return done;
}
