/**
 * Runs the drivers inside the SNMP test's network namespace (started with `ip netns exec NS node --import tsx …`),
 * where snmpd answers on 127.0.0.1 and the "host" NICs are veths whose other ends are the "switch" ports. One JSON
 * request a line on stdin — {id, kind, config, method, args, deadlineMs} — one JSON answer a line on stdout.
 * The MII status the link check reads is the carrier of the host-side veth named like the slave.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createLinkDriver, createPowerDriver, type DriverContext, type MiiStatus } from '../../main/drivers/index.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { errorPart } from '../../shared/run/failure.js';
import { logText } from '../../shared/run/log.js';

interface Request {
  id: number;
  kind: 'power' | 'link';
  config: { type: string };
  method: string;
  args: string[];
  deadlineMs?: number;
}

async function carrier(slave: string): Promise<MiiStatus> {
  const value = await readFile(`/sys/class/net/${slave}/carrier`, 'utf8').catch(() => '');
  return value.trim() === '1' ? 'up' : value.trim() === '0' ? 'down' : 'unknown';
}

// The drivers are loaded: tell the test it may send requests.
process.stdout.write(`${JSON.stringify({ id: 0, ok: true, value: 'ready', logged: [] })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as Request;
  const logged: string[] = [];
  const context: DriverContext = {
    log: (entry) => logged.push(logText('en', entry)),
    miiStatus: carrier,
    linkDeadlineMs: request.deadlineMs,
    powerDeadlineMs: request.deadlineMs,
  };
  let answer: Record<string, unknown>;
  try {
    const driver =
      request.kind === 'power' ? createPowerDriver(request.config, context) : createLinkDriver(request.config, context);
    const method = (driver as unknown as Record<string, (...args: string[]) => Promise<unknown>>)[request.method];
    if (typeof method !== 'function') throw new Error(`no method ${request.method}`);
    const value = await method.apply(driver, request.args);
    answer = { id: request.id, ok: true, value, name: driver.name, logged };
  } catch (error) {
    answer = {
      id: request.id,
      ok: false,
      error: (error as Error).message,
      // The same in Chinese, as the UI and reports say it (shared/run/failure.ts).
      errorZh: sayReason('zh-CN', [errorPart(error)]),
      errorName: (error as Error).name,
      logged,
    };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
