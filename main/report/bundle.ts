/**
 * The bundle: one zip to hand on — the HTML report, the plan, the host readings (run.json, steps.jsonl), the log
 * and every pcapng of the run (Wireshark opens them from the zip's folder), all under a folder named after the run.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { planToYaml } from '../../shared/plan/plan-file.js';
import { planHasSecrets, redactPlan } from '../../shared/report/build.js';
import type { RunFolder } from '../engine/store.js';

/** Files of the run folder that go into the bundle besides the report, in this order. */
export const BUNDLED_RUN_FILES = ['run.json', 'steps.jsonl', 'log.txt'] as const;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The names inside the zip, relative to its top folder (for listing and tests). */
export async function bundleEntries(run: RunFolder): Promise<string[]> {
  const names = ['report.html', 'plan.yaml'];
  for (const file of BUNDLED_RUN_FILES) if (await exists(join(run.dir, file))) names.push(file);
  const captures = await readdir(join(run.dir, 'capture')).catch(() => [] as string[]);
  names.push(
    ...captures
      .filter((f) => f.endsWith('.pcapng'))
      .sort()
      .map((f) => `capture/${f}`),
  );
  return names;
}

export async function buildBundle(run: RunFolder, reportHtml: string): Promise<Buffer> {
  const zip = new ZipFile();
  const top = run.manifest.id;
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
        : await readFile(join(run.dir, 'plan.yaml'));
    } else data = await readFile(join(run.dir, name));
    zip.addBuffer(data, `${top}/${name}`, options);
  }
  zip.end();
  return done;
}
