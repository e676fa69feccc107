/**
 * pdudaemon, the PDU broker LAVA and labgrid use, through its HTTP listener (`/power/control/{on,off,reboot}`).
 * The worked example of ARCHITECTURE.md, "Adding a driver". Pure.
 */
import { InvalidValueError } from '../net/names.js';
import { collect, type DriverConfigIssue, defineDriver, delaySeconds, ms, variant } from './define.js';

export interface PduDaemonPowerConfig {
  type: 'pdudaemon';
  /** Base URL of pdudaemon's HTTP listener, e.g. http://pdu-server:16421 */
  url: string;
  /** The PDU's name in pdudaemon.conf ("pdus" key). */
  hostname: string;
  /** The outlet number on that PDU. */
  port: number;
  /** Seconds between off and on for a power cycle (pdudaemon's reboot delay; it defaults to 5). */
  delay?: number;
  timeoutMs?: number;
}

export const PDUDAEMON_POWER = defineDriver<PduDaemonPowerConfig>({
  kind: 'power',
  type: 'pdudaemon',
  schema: variant('pdudaemon', ['url', 'hostname', 'port'], {
    url: { type: 'string', pattern: '^https?://[^\\s?#]+$', description: 'e.g. http://pdu-server:16421' },
    hostname: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'the PDU in pdudaemon.conf' },
    port: ms(0, 65535),
    delay: delaySeconds,
    timeoutMs: ms(100, 600_000),
  }),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    collect(issues, 'url', () => {
      let url: URL;
      try {
        url = new URL(config.url);
      } catch {
        throw new InvalidValueError('url', config.url, { key: 'pdudaemonUrl' });
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
        throw new InvalidValueError('url', config.url, { key: 'pdudaemonUrlForm' });
      }
    });
    return issues;
  },
  label: { en: 'pdudaemon (HTTP)', 'zh-CN': 'pdudaemon（HTTP）' },
  fields: [
    {
      key: 'url',
      input: 'text',
      label: { en: 'pdudaemon URL', 'zh-CN': 'pdudaemon 地址' },
      placeholder: 'http://pdu-server:16421',
    },
    {
      key: 'hostname',
      input: 'text',
      label: { en: 'PDU (in pdudaemon.conf)', 'zh-CN': 'PDU（pdudaemon.conf 中的名称）' },
    },
    { key: 'port', input: 'integer', label: { en: 'outlet', 'zh-CN': '插座' } },
    {
      key: 'delay',
      input: 'integer',
      label: { en: 'off time in a cycle (s)', 'zh-CN': '重启断电时长（秒）' },
      placeholder: '5',
    },
  ],
  example: { type: 'pdudaemon', url: 'http://localhost:16421', hostname: 'pdu', port: 1 },
});
