/**
 * Brings the virtual lab up once for the whole lab project and always takes it down again, also when tests fail.
 * BONDBENCH_TEST_INSTANCE picks the instance (default "test"), so a developer's own lab is never touched;
 * BONDBENCH_TEST_KEEP_LAB=1 leaves it running for the next run.
 */
import type { TestProject } from 'vitest/node';
import { VirtualLab } from '../../main/lab/lab.js';
import { type LogSink, logText } from '../../shared/run/log.js';

declare module 'vitest' {
  export interface ProvidedContext {
    labInstance: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const instance = process.env.BONDBENCH_TEST_INSTANCE ?? 'test';
  const lab = new VirtualLab(instance);
  const log: LogSink = (part) => console.log(`[lab ${instance}] ${logText('en', part)}`);
  await lab.up({ log });
  project.provide('labInstance', instance);
  return async () => {
    if (process.env.BONDBENCH_TEST_KEEP_LAB === '1') return;
    await lab.down(log);
  };
}
