/**
 * SNMP as a PDU (an outlet's control OID: APC PowerNet-MIB, Raritan PDU2-MIB, or OIDs of your own) and as a managed
 * switch (IF-MIB ifAdminStatus, RFC 2863, of the port each slave's cable goes to). Pure.
 */

import { assertInterfaceName } from '../net/names.js';
import {
  collect,
  type DriverConfigIssue,
  defineDriver,
  delaySeconds,
  driverIssue,
  ms,
  slaveName,
  variant,
} from './define.js';
import {
  SNMP_AGENT_FIELDS,
  SNMP_AGENT_PROPERTIES,
  SNMP_VERSION_RULES,
  type SnmpAgentConfig,
  snmpAgentIssues,
} from './snmp-agent.js';
import { expandOidTemplate } from './template.js';

export const PDU_PROFILES = ['apc-powernet', 'raritan-pdu2', 'oid'] as const;
export type PduProfile = (typeof PDU_PROFILES)[number];

/** A PDU not covered by a profile: OID templates with `{outlet}` and the INTEGER values to write and read. */
export interface SnmpRawOutlet {
  /** e.g. 1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet} */
  control: string;
  on: number;
  off: number;
  /** Written for a power cycle; without it a cycle is off, `delay` seconds, on. */
  cycle?: number;
  /** Read back to verify; without it the outlet's state is unknown. */
  state?: string;
  stateOn?: number;
  stateOff?: number;
}

export interface SnmpPowerConfig extends SnmpAgentConfig {
  type: 'snmp';
  outlet: number;
  profile: PduProfile;
  /** Required with profile `oid`, refused otherwise. */
  oid?: SnmpRawOutlet;
  /** Seconds between off and on when the PDU cannot cycle by itself (profile `oid` without `cycle`). */
  delay?: number;
}

/** Finds a switch port's ifIndex: exactly one of these. */
export type SwitchPortRef = { ifDescr: string } | { ifName: string } | { ifAlias: string } | { ifIndex: number };

export interface SnmpLinkConfig extends SnmpAgentConfig {
  type: 'snmp';
  /** Slave on the host → the switch port its cable goes to. */
  ports: Record<string, SwitchPortRef>;
}

const oidTemplate = { type: 'string', pattern: '^\\.?\\d+(\\.(\\d+|\\{outlet\\}))+$' };
const snmpInteger = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };

export const SNMP_POWER = defineDriver<SnmpPowerConfig>({
  kind: 'power',
  type: 'snmp',
  schema: variant(
    'snmp',
    ['host', 'version', 'outlet', 'profile'],
    {
      ...SNMP_AGENT_PROPERTIES,
      outlet: ms(0, 2147483647),
      profile: { enum: PDU_PROFILES },
      oid: {
        type: 'object',
        additionalProperties: false,
        required: ['control', 'on', 'off'],
        properties: {
          control: oidTemplate,
          on: snmpInteger,
          off: snmpInteger,
          cycle: snmpInteger,
          state: oidTemplate,
          stateOn: snmpInteger,
          stateOff: snmpInteger,
        },
      },
      delay: delaySeconds,
    },
    {
      allOf: [
        ...SNMP_VERSION_RULES,
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
        { if: { properties: { profile: { const: 'oid' } }, required: ['profile'] }, then: { required: ['oid'] } },
      ],
    },
  ),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    snmpAgentIssues(config, issues);
    if (config.profile === 'oid') {
      const oid = config.oid;
      if (oid) {
        collect(issues, 'oid.control', () => expandOidTemplate(oid.control, config.outlet, 'oid.control'));
        if (oid.state !== undefined) {
          const state = oid.state;
          collect(issues, 'oid.state', () => expandOidTemplate(state, config.outlet, 'oid.state'));
          if (oid.stateOn === undefined || oid.stateOff === undefined) {
            issues.push(
              driverIssue('oid', 'with oid.state, give the values it reads: stateOn and stateOff', 'oidStateValues'),
            );
          }
        }
      }
    } else if (config.oid !== undefined) {
      issues.push(
        driverIssue('oid', `is only for profile "oid"; profile "${config.profile}" knows its OIDs`, 'oidNotProfile', {
          profile: config.profile,
        }),
      );
    }
    return issues;
  },
  label: { en: 'SNMP PDU', 'zh-CN': 'SNMP PDU' },
  fields: [
    ...SNMP_AGENT_FIELDS,
    { key: 'outlet', input: 'integer', label: { en: 'outlet', 'zh-CN': '插座' } },
    {
      key: 'profile',
      input: 'text',
      label: { en: 'profile (apc-powernet, raritan-pdu2, oid)', 'zh-CN': '型号（apc-powernet、raritan-pdu2、oid）' },
    },
  ],
  example: {
    type: 'snmp',
    host: '192.168.0.10',
    version: '2c',
    community: 'private',
    outlet: 1,
    profile: 'apc-powernet',
  },
});

const switchPort = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  description: 'exactly one of ifDescr, ifName, ifAlias, ifIndex',
  properties: {
    ifDescr: { type: 'string', minLength: 1 },
    ifName: { type: 'string', minLength: 1 },
    ifAlias: { type: 'string', minLength: 1 },
    ifIndex: ms(1, 2147483647),
  },
};

export const SNMP_LINK = defineDriver<SnmpLinkConfig>({
  kind: 'link',
  type: 'snmp',
  schema: variant(
    'snmp',
    ['host', 'version', 'ports'],
    {
      ...SNMP_AGENT_PROPERTIES,
      ports: { type: 'object', minProperties: 1, propertyNames: slaveName, additionalProperties: switchPort },
    },
    { allOf: SNMP_VERSION_RULES },
  ),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    snmpAgentIssues(config, issues);
    for (const slave of Object.keys(config.ports ?? {})) {
      collect(issues, `ports.${slave}`, () => assertInterfaceName(slave, `ports.${slave}`));
    }
    return issues;
  },
  label: { en: 'SNMP managed switch (IF-MIB)', 'zh-CN': 'SNMP 网管交换机（IF-MIB）' },
  fields: SNMP_AGENT_FIELDS,
  example: {
    type: 'snmp',
    host: '192.168.0.2',
    version: '2c',
    community: 'private',
    ports: { eth1: { ifName: 'Gi1/0/1' }, eth2: { ifName: 'Gi1/0/2' } },
  },
});
