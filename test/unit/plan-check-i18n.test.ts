/**
 * The plan check's findings are catalogue keys with values (PlanError.parts): said in English they are exactly the
 * message `plan check` prints, said in Chinese they hold no English beyond the plan's own names (fields, values,
 * modes, interface names) that the user typed or must type.
 */
import { describe, expect, it } from 'vitest';
import { t } from '../../shared/i18n/catalogue.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { type PlanError, parsePlan } from '../../shared/plan/plan-file.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { MINIMAL_PLAN } from '../support/plans.js';

const minimal = MINIMAL_PLAN;

/** Plans each broken in one way (or a few), named by the check they trip. */
const BROKEN: Record<string, string> = {
  notMapping: '- a\n- b\n',
  unknownField: `${minimal}colour: red\n`,
  missingField: minimal.replace('modes: [balance-rr, active-backup]\n', ''),
  type: `${minimal}repeat: two\n`,
  limit: `${minimal}repeat: 0\n`,
  const: minimal.replace('version: 1', 'version: 2'),
  interfaceName: minimal.replace('[eth1, eth2]', '["eth 1", eth2]'),
  peerSubnet: minimal.replace('peer: 192.168.1.252', 'peer: 10.0.0.1'),
  peerIsBond: minimal.replace('peer: 192.168.1.252', 'peer: 192.168.1.253'),
  managementSlave: minimal.replace('target: root@192.168.0.253', 'target: root@192.168.0.253\n  management: eth1'),
  stepSlave: `${minimal}steps:\n  - pull: eth3\n`,
  bootRuntime: `${minimal}steps:\n  - reboot\n`,
  bootNoNetifrc: `${minimal}apply:\n  boot: power-cycle\n`,
  perModeUnused: minimal.replace(
    '  peer: 192.168.1.252\n',
    '  peer: 192.168.1.252\n  perMode:\n    balance-xor: { miimon: 100 }\n',
  ),
  sweepHides: `${minimal.replace('  peer: 192.168.1.252\n', '  peer: 192.168.1.252\n  perMode:\n    balance-rr: { miimon: 100 }\n')}sweep:\n  miimon: [50, 100]\n`,
  load: `${minimal}steps:\n  - load: { peers: 32, flows: 4, seconds: 3, rate: 20 }\n`,
  switchNotLab: `${minimal}drivers:\n  switch:\n    type: lab\n`,
  // Values refused by the validators the run uses too (shared/net).
  cidr: minimal.replace('address: 192.168.1.253/24', 'address: 192.168.1.253'),
  noHost: minimal.replace('target: root@192.168.0.253', 'target: "root@"'),
  user: minimal.replace('target: root@192.168.0.253', 'target: "ro ot@gentoo-1"'),
  // The driver's option rules, one error naming every mode it hits, and inside a sweep point.
  delayNeedsMiimon: minimal.replace(
    '  peer: 192.168.1.252\n',
    '  peer: 192.168.1.252\n  options: { miimon: 0, updelay: 100 }\n',
  ),
  onlyIn: minimal.replace(
    '  peer: 192.168.1.252\n',
    '  peer: 192.168.1.252\n  perMode:\n    balance-rr: { lacp_rate: fast }\n',
  ),
  arpRules: minimal.replace(
    '  peer: 192.168.1.252\n',
    '  peer: 192.168.1.252\n  options: { miimon: 100, arp_interval: 100, arp_ip_target: [10.0.0.1, 10.0.0.1] }\n',
  ),
  // YAML syntax, as the parser finds it: each said by its code (and, for MISSING_CHAR, by what is missing).
  yamlTab: minimal.replace('  slaves: [eth1, eth2]', '\tslaves: [eth1, eth2]'),
  yamlDuplicate: `${minimal}modes: [broadcast]\n`,
  yamlQuote: minimal.replace('peer: 192.168.1.252', 'peer: "192.168.1.252'),
  yamlCompact: minimal.replace('peer: 192.168.1.252', 'peer: 192.168.1.252: x'),
  yamlFlow: minimal.replace('[eth1, eth2]', '[eth1, eth2'),
  // A driver's settings: its schema's patterns and its own checks (templates, SNMP versions, OIDs), and secrets.
  driverPattern: `${minimal}drivers:\n  power: { type: lab, instance: Bad_Name }\n  link: { type: lab }\n`,
  driverBrace: `${minimal}drivers:\n  power: { type: lab }\n  link:\n    type: command\n    pull: [ip, link, set, '{port', down]\n    plug: [ip, link, set, x, up]\n`,
  driverPorts: `${minimal}steps:\n  - pull: eth1\ndrivers:\n  power: { type: lab }\n  link:\n    type: command\n    pull: [ip, link, set, '{port}', down]\n    plug: [ip, link, set, '{port}', up]\n`,
  driverProgram: `${minimal}drivers:\n  power: { type: command, outlet: 3, on: ['{outlet}'], off: [pdu, off] }\n  link: { type: lab }\n`,
  driverSnmp: `${minimal}drivers:\n  power: { type: lab }\n  link:\n    type: snmp\n    host: 192.168.0.2\n    version: '3'\n    community: private\n    user: { name: bench, priv: { protocol: aes, password: abcdefgh } }\n    ports: { eth1: { ifName: a }, eth2: { ifName: b } }\n`,
  driverOnePort: `${minimal}drivers:\n  power: { type: lab }\n  link:\n    type: snmp\n    host: 192.168.0.2\n    version: 2c\n    community: private\n    ports: { eth1: { ifName: a, ifIndex: 3 }, eth2: { ifName: b } }\n`,
  driverSwitchMode: `${minimal}drivers:\n  power: { type: lab }\n  link: { type: lab }\n  switch: { type: command, configure: [sw, '{port}'] }\n`,
  urlCredentials: `${minimal}drivers:\n  power: { type: pdudaemon, url: 'http://admin:pw@pdu:16421', hostname: pdu1, port: 1 }\n  link: { type: lab }\n`,
  sweepRule: `${minimal.replace('  peer: 192.168.1.252\n', '  peer: 192.168.1.252\n  options: { updelay: 200 }\n')}sweep:\n  miimon: [0, 100]\n`,
};

/** Every string value in parts, nested parts included: what the plan supplied. */
function values(parts: readonly ReasonPart[]): string[] {
  return parts.flatMap((part) =>
    Object.values(part.vars ?? {}).flatMap((v) =>
      typeof v === 'object' ? values([v]) : typeof v === 'string' ? [v] : [],
    ),
  );
}

/** Names a user types into a plan, left in Latin in Chinese: dotted fields, sysfs options, keywords, commands, paths. */
const PLAN_WORDS =
  /\/etc\/conf\.d\/net|`bondbench plan init`|lab:<instance>|user@host\[:port\]|[a-z]+(\.[a-zA-Z]+)+(: [a-z-]+)?|[A-Za-z]+(_[A-Za-z]+)+|\b(version|host|bond|modes|netifrc|standalone|lab|command|YAML|SSH|eth\d|miimon|MII|ARP|IPv4|Linux|root|gentoo-1|TCP|MAC)\b|\/s\b/g;

/** A driver's own words the user types: placeholders, its fields and values, the device's software and files. */
const DRIVER_WORDS =
  /\{[a-z]+\}|user:password@|\b(pdudaemon\.conf|pdudaemon|user\.auth|oid\.state|stateOn|stateOff|ifDescr|ifName|ifAlias|ifIndex|community|user|profile|priv|lacp|static|none|version|SNMPv3|OID|URL|PDU|IP|a-z|http\(s\)|https?:\/\/[\w:@.-]+|ip link set)\b/g;

function errorsOf(name: string): PlanError[] {
  const { plan, errors } = parsePlan(BROKEN[name]!);
  expect(plan, name).toBeUndefined();
  expect(errors.length, name).toBeGreaterThan(0);
  return errors;
}

describe('plan check findings in the reader’s language', () => {
  it('carry parts whose English is the printed message, and whose Chinese has no English sentence', () => {
    const keys = new Set<string>();
    for (const name of Object.keys(BROKEN)) {
      for (const error of errorsOf(name)) {
        expect(error.parts, `${name}: ${error.message}`).toBeDefined();
        const parts = error.parts!;
        for (const part of parts) {
          keys.add(part.key);
          for (const value of Object.values(part.vars ?? {})) if (typeof value === 'object') keys.add(value.key);
        }
        expect(sayReason('en', parts)).toBe(error.message);
        const zh = sayReason('zh-CN', parts);
        expect(zh, zh).toMatch(/[\u4e00-\u9fff]/);
        let left = zh;
        for (const value of values(parts).sort((a, b) => b.length - a.length)) left = left.replaceAll(value, '');
        left = left.replace(PLAN_WORDS, '').replace(DRIVER_WORDS, '');
        expect(left, `${name}: ${zh}`).not.toMatch(/[a-z]{2,}/i);
      }
    }
    for (const key of [
      'planCheck.notMapping',
      'planCheck.schema.unknownField',
      'planCheck.schema.missingField',
      'planCheck.schema.type',
      'planCheck.schema.limit',
      'planCheck.schema.const',
      'planCheck.schema.interfaceName',
      'planCheck.peerSubnet',
      'planCheck.peerIsBond',
      'planCheck.managementSlave',
      'planCheck.stepSlave',
      'planCheck.bootRuntime',
      'planCheck.bootNoNetifrc',
      'planCheck.perModeUnused',
      'planCheck.sweepHides',
      'planCheck.load.notLab',
      'planCheck.load.subnet',
      'planCheck.load.unmirrored',
      'planCheck.load.flows',
      'planCheck.switch.notLab',
      'planCheck.sweepAt',
      'bondRule.delayNeedsMiimon',
      'bondRule.onlyIn',
      'bondRule.targetTwice',
      'bondRule.arpAndMiimon',
      'yamlSyntax.said',
      'yamlSyntax.kind.TAB_AS_INDENT',
      'yamlSyntax.kind.DUPLICATE_KEY',
      'yamlSyntax.kind.missingQuote',
      'yamlSyntax.kind.BLOCK_AS_IMPLICIT_KEY',
      'yamlSyntax.kind.unclosedFlow',
      'driverCheck.pattern.instance',
      'driverCheck.schema.brace',
      'driverCheck.commandsUsePort',
      'driverCheck.template.placeholderProgram',
      'driverCheck.snmpCommunityV3',
      'driverCheck.snmpPrivNeedsAuth',
      'driverCheck.schema.onePortRef',
      'driverCheck.commandNoMode',
      'driverCheck.commandUsesPort',
      'driverCheck.urlCredentials',
      'value.cidr',
      'value.noHost',
      'value.user',
    ]) {
      expect(keys, key).toContain(key);
    }
  });

  it('keep the English the CLI prints, field and line included', () => {
    const [error] = errorsOf('peerIsBond');
    expect(error).toEqual({
      path: 'bond.peer',
      message: 'is the bond’s own address',
      parts: [{ key: 'planCheck.peerIsBond' }],
      line: 7,
      column: 3,
    });
    const [runtime] = errorsOf('bootRuntime');
    expect(runtime!.message).toBe(
      'a reboot boots what /etc/conf.d/net holds, but balance-rr, active-backup are applied at runtime (standalone always is): set apply.method: netifrc, or leave those modes out',
    );
    expect(t('zh-CN', runtime!.parts![0]!.key, runtime!.parts![0]!.vars as Record<string, string | number>)).toContain(
      '去掉这些模式',
    );
  });

  it('say a swept value’s finding inside the point it shows at, and list slaves in the reader’s words', () => {
    const { errors } = parsePlan(
      `${minimal}drivers:\n  power: { type: lab }\n  link:\n    type: command\n    pull: [ip, link, set, '{port}', down]\n    plug: [ip, link, set, '{port}', up]\n    state: [ip, link, show, '{port}']\n    ports: {}\n`,
    );
    const missing = errors.find((e) => e.path === 'drivers.link.ports');
    expect(missing?.message).toBe(
      'does not say which switch port eth1 and eth2 are cabled to, and the steps pull them',
    );
    expect(sayReason('zh-CN', missing!.parts!)).toBe('未说明 eth1 和 eth2 接在哪些交换机端口上，而步骤会拔它们的网线');
  });

  it('say a YAML syntax error in Chinese at its line, and keep the parser’s English for the CLI', () => {
    const [tab] = errorsOf('yamlTab');
    expect(tab).toMatchObject({ path: '', message: 'Tabs are not allowed as indentation', line: 5, column: 1 });
    expect(sayReason('zh-CN', tab!.parts!)).toBe('YAML 语法错误：YAML 不能用制表符缩进：请改用空格');
    const [quote] = errorsOf('yamlQuote');
    expect(quote!.message).toBe('Missing closing "quote');
    expect(sayReason('zh-CN', quote!.parts!)).toBe('YAML 语法错误：带引号的值没有闭合：请补上结尾的引号');
    // Every code the parser can report has its sentence in both languages.
    for (const code of ['ALIAS_PROPS', 'MULTIPLE_DOCS', 'UNEXPECTED_TOKEN', 'RESOURCE_EXHAUSTION', 'other']) {
      for (const language of ['en', 'zh-CN'] as const)
        expect(t(language, `yamlSyntax.kind.${code}`)).not.toBe(`yamlSyntax.kind.${code}`);
    }
  });
});
