/**
 * pdudaemon (the lab-automation PDU broker LAVA and labgrid use) through its HTTP listener:
 * GET /power/control/{on|off|reboot}?hostname=<pdu>&port=<outlet>[&delay=<s>]. It answers 200 once the job ran and
 * 500 for a request it cannot place (unknown PDU, missing field). It has no state query: outlets cannot be read back.
 */
import { PDUDAEMON_POWER, type PduDaemonPowerConfig } from '../../shared/drivers/pdudaemon.js';
import { type DriverContext, DriverError, type PowerDriver, powerDriverModule } from './types.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** pdudaemon's own default between off and on. */
const PDUDAEMON_REBOOT_DELAY_S = 5;

function pduDaemonPowerDriver(config: PduDaemonPowerConfig, context: DriverContext): PowerDriver {
  const base = config.url.replace(/\/+$/, '');
  const name = `pdudaemon ${config.hostname} port ${config.port} at ${base}`;

  async function request(action: 'on' | 'off' | 'reboot'): Promise<void> {
    const url = new URL(`${base}/power/control/${action}`);
    url.searchParams.set('hostname', config.hostname);
    url.searchParams.set('port', String(config.port));
    // pdudaemon applies delay to on/off as well (and warns it is deprecated there): only a reboot gets one.
    const delay = config.delay ?? PDUDAEMON_REBOOT_DELAY_S;
    if (action === 'reboot') url.searchParams.set('delay', String(delay));
    const timeoutMs = (config.timeoutMs ?? DEFAULT_TIMEOUT_MS) + (action === 'reboot' ? delay * 1000 : 0);
    context.log({
      key: 'log.driver.http',
      vars: { driver: name, method: 'GET', path: `${url.pathname}${url.search}` },
    });
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (error as Error).name === 'TimeoutError'
          ? { key: 'driverFailure.noAnswer', vars: { ms: timeoutMs } }
          : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new DriverError(name, { key: 'pdudaemonUnreachable', vars: { why, base } }, { cause: error });
    }
    const body = (await response.text().catch(() => '')).trim();
    if (response.status !== 200) {
      const vars = { action, status: response.status, hostname: config.hostname, port: config.port };
      throw new DriverError(
        name,
        body ? { key: 'pdudaemonRefusedBody', vars: { ...vars, body } } : { key: 'pdudaemonRefused', vars },
      );
    }
  }

  return {
    name,
    readable: false,
    set: (state) => request(state),
    cycle: () => request('reboot'),
    get: async () => 'unknown',
  };
}

/** The pdudaemon power driver: definition (shared/drivers/pdudaemon.ts) and factory. */
export const pdudaemonPower = powerDriverModule(PDUDAEMON_POWER, pduDaemonPowerDriver);
