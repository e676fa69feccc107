/**
 * What the SNMP power and link drivers share: where the agent answers and how to speak to it (a v2c community or a
 * v3 USM user, RFC 3414), as types, schema properties and checks. Pure.
 */
import { type DriverConfigIssue, type DriverField, driverIssue, hostName, type JsonSchema, ms } from './define.js';

export type SnmpVersion = '2c' | '3';
export const SNMP_AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type SnmpAuthProtocol = (typeof SNMP_AUTH_PROTOCOLS)[number];
export const SNMP_PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
export type SnmpPrivProtocol = (typeof SNMP_PRIV_PROTOCOLS)[number];

/** An SNMPv3 USM user: no auth = noAuthNoPriv, auth = authNoPriv, auth + priv = authPriv. */
export interface SnmpV3User {
  name: string;
  auth?: { protocol: SnmpAuthProtocol; password: string };
  priv?: { protocol: SnmpPrivProtocol; password: string };
}

/** Where an SNMP agent answers and how to speak to it: a community (v2c) or a user (v3). */
export interface SnmpAgentConfig {
  host: string;
  /** UDP port, 161 by default. */
  port?: number;
  version: SnmpVersion;
  /** v2c only; it must be a write community. */
  community?: string;
  /** v3 only. */
  user?: SnmpV3User;
  /** Per request, 2000 by default. */
  timeoutMs?: number;
  /** 1 by default. */
  retries?: number;
}
export const SNMP_AGENT_PROPERTIES: JsonSchema = {
  host: hostName,
  port: ms(1, 65535),
  version: { enum: ['2c', '3', 3], description: "'2c' (community) or '3' (user)" },
  community: { type: 'string', minLength: 1 },
  user: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      auth: {
        type: 'object',
        additionalProperties: false,
        required: ['protocol', 'password'],
        properties: { protocol: { enum: SNMP_AUTH_PROTOCOLS }, password: { type: 'string', minLength: 8 } },
      },
      priv: {
        type: 'object',
        additionalProperties: false,
        required: ['protocol', 'password'],
        properties: { protocol: { enum: SNMP_PRIV_PROTOCOLS }, password: { type: 'string', minLength: 8 } },
      },
    },
  },
  timeoutMs: ms(100, 60_000),
  retries: ms(0, 10),
};

/** v2c needs a community, v3 a user. */
export const SNMP_VERSION_RULES = [
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
  { if: { properties: { version: { const: '2c' } }, required: ['version'] }, then: { required: ['community'] } },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
  { if: { properties: { version: { enum: ['3', 3] } }, required: ['version'] }, then: { required: ['user'] } },
];

export function snmpAgentIssues(config: SnmpAgentConfig, issues: DriverConfigIssue[]): void {
  const v3 = String(config.version) === '3';
  if (v3 && config.community !== undefined) {
    issues.push(driverIssue('community', 'is for version 2c; version 3 authenticates with user', 'snmpCommunityV3'));
  }
  if (!v3 && config.user !== undefined) {
    issues.push(driverIssue('user', 'is for version 3; version 2c uses community', 'snmpUserV2c'));
  }
  if (config.user?.priv && !config.user.auth) {
    issues.push(
      driverIssue('user.priv', 'SNMPv3 privacy needs authentication too: add user.auth', 'snmpPrivNeedsAuth'),
    );
  }
}

/** The agent's settings in the setup form. */
export const SNMP_AGENT_FIELDS: readonly DriverField[] = [
  { key: 'host', input: 'text', label: { en: 'agent address', 'zh-CN': '代理地址' }, placeholder: '192.168.0.10' },
  { key: 'port', input: 'integer', label: { en: 'UDP port', 'zh-CN': 'UDP 端口' }, placeholder: '161' },
  { key: 'version', input: 'text', label: { en: 'SNMP version (2c or 3)', 'zh-CN': 'SNMP 版本（2c 或 3）' } },
  {
    key: 'community',
    input: 'text',
    label: { en: 'write community (v2c)', 'zh-CN': '写 community（v2c）' },
    placeholder: 'private',
  },
];
