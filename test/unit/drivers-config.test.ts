/** Driver configurations as data: the schemas (both JSON Schema drafts), templates, and what each check refuses. */
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  assertPlaceholderValue,
  checkCommandTemplate,
  DriverConfigError,
  expandCommandTemplate,
  expandOidTemplate,
  LINK_DRIVER_SCHEMA,
  LINK_PLACEHOLDERS,
  type LinkDriverConfig,
  linkDriverIssues,
  POWER_DRIVER_SCHEMA,
  POWER_PLACEHOLDERS,
  type PowerDriverConfig,
  parseLinkDriverConfig,
  parsePowerDriverConfig,
  TemplateError,
} from '../../shared/drivers/config.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { englishSentences } from '../support/english.js';

const GOOD_POWER: PowerDriverConfig[] = [
  { type: 'lab' },
  { type: 'lab', instance: 'h5' },
  { type: 'pdudaemon', url: 'http://pdu-server:16421', hostname: 'apc-rack2', port: 4, delay: 10 },
  { type: 'snmp', host: '192.168.0.10', version: '2c', community: 'private', outlet: 3, profile: 'apc-powernet' },
  {
    type: 'snmp',
    host: 'pdu.lab.example',
    port: 1161,
    version: '3',
    user: {
      name: 'bench',
      auth: { protocol: 'sha256', password: 'auth-secret' },
      priv: { protocol: 'aes', password: 'priv-secret' },
    },
    outlet: 8,
    profile: 'raritan-pdu2',
  },
  {
    type: 'snmp',
    host: '10.0.0.9',
    version: '2c',
    community: 'rw',
    outlet: 2,
    profile: 'oid',
    oid: {
      control: '1.3.6.1.4.1.9999.1.{outlet}',
      on: 1,
      off: 0,
      state: '.1.3.6.1.4.1.9999.2.{outlet}',
      stateOn: 1,
      stateOff: 0,
    },
  },
  {
    type: 'command',
    outlet: 'A3',
    on: ['/usr/local/bin/pdu', '{outlet}', '{action}'],
    off: ['pdu', 'off', '{outlet}'],
  },
];

const GOOD_LINK: LinkDriverConfig[] = [
  { type: 'lab', instance: 'h5' },
  { type: 'lab', linkDownMs: 750 },
  { type: 'host-ifdown' },
  {
    type: 'snmp',
    host: 'switch1',
    version: '2c',
    community: 'private',
    ports: { eth1: { ifDescr: 'GigabitEthernet1/0/1' }, eth2: { ifAlias: 'host eth2' } },
  },
  { type: 'snmp', host: 'fe80::1', version: '3', user: { name: 'ro' }, ports: { eth1: { ifIndex: 10101 } } },
  {
    type: 'command',
    pull: ['swctl', 'shut', '{port}'],
    plug: ['swctl', 'no-shut', '{port}'],
    ports: { eth1: 'Gi1/0/1' },
  },
];

describe('driver schemas', () => {
  for (const [draft, ajv] of [
    ['2020-12', new Ajv2020({ allErrors: true })],
    ['draft-07', new Ajv({ allErrors: true })],
  ] as const) {
    it(`compile under ajv's default strict mode,  ${draft} and accept every documented form`, () => {
      const power = ajv.compile(POWER_DRIVER_SCHEMA);
      const link = ajv.compile(LINK_DRIVER_SCHEMA);
      for (const config of GOOD_POWER) expect(power(config), JSON.stringify(power.errors)).toBe(true);
      for (const config of GOOD_LINK) expect(link(config), JSON.stringify(link.errors)).toBe(true);
      expect(power({ type: 'snmp', host: 'x', version: '2c', outlet: 1, profile: 'apc-powernet' })).toBe(false);
      expect(link({ type: 'host-ifdown', slave: 'eth1' })).toBe(false);
    });
  }

  it('embed in a larger schema as they are (no $id, $schema or $ref of their own)', () => {
    const text = JSON.stringify([POWER_DRIVER_SCHEMA, LINK_DRIVER_SCHEMA]);
    expect(text).not.toMatch(/"\$(id|schema|ref|defs)"/);
    const plan = new Ajv2020({ strict: false }).compile({
      type: 'object',
      properties: { drivers: { type: 'object', properties: { power: POWER_DRIVER_SCHEMA, link: LINK_DRIVER_SCHEMA } } },
    });
    expect(plan({ drivers: { power: GOOD_POWER[2], link: GOOD_LINK[2] } })).toBe(true);
    expect(plan({ drivers: { power: { type: 'pdu' } } })).toBe(false);
  });
});

describe('parsing driver configurations', () => {
  it('returns the documented forms, with YAML’s `version: 3` read as "3"', () => {
    for (const config of GOOD_POWER) expect(parsePowerDriverConfig(config)).toEqual(config);
    for (const config of GOOD_LINK) expect(parseLinkDriverConfig(config)).toEqual(config);
    const v3 = parseLinkDriverConfig({
      type: 'snmp',
      host: 's',
      version: 3,
      user: { name: 'u' },
      ports: { eth1: { ifIndex: 1 } },
    });
    expect(v3).toMatchObject({ version: '3' });
  });

  // An SNMP PDU that is fine but for the change each row makes.
  const apc = { type: 'snmp', host: 'p', version: '2c', community: 'c', outlet: 1, profile: 'apc-powernet' };
  const v3 = { ...apc, version: '3', community: undefined };
  const raw = { ...apc, profile: 'oid' };
  it.each([
    [{ type: 'pdu' }, 'power.type: must be one of "lab", "pdudaemon", "snmp", "command"'],
    [{ type: 'lab', instance: 'My Lab' }, 'power.instance: must be a lab instance name'],
    [{ type: 'lab', host: 'x' }, 'power: unknown field "host"'],
    [{ ...apc, community: undefined }, 'power: missing field "community"'],
    [v3, 'power: missing field "user"'],
    [{ ...apc, version: '1' }, 'power.version: must be one of "2c", "3", 3'],
    [{ ...apc, profile: 'eaton' }, 'power.profile: must be one of'],
    [raw, 'power: missing field "oid"'],
    [{ ...apc, host: 'p q' }, 'power.host: must be a host name or an IP address'],
    [
      { ...v3, user: { name: 'u', priv: { protocol: 'aes', password: 'p-secret1' } } },
      'power.user.priv: SNMPv3 privacy needs authentication too',
    ],
    [{ ...v3, community: 'c', user: { name: 'u' } }, 'power.community: is for version 2c'],
    [{ ...apc, oid: { control: '1.2.{outlet}', on: 1, off: 2 } }, 'power.oid: is only for profile "oid"'],
    [
      { ...raw, oid: { control: '1.2.{outlet}', on: 1, off: 2, state: '1.3.{outlet}' } },
      'power.oid: with oid.state, give the values it reads',
    ],
    [
      { ...raw, oid: { control: 'sPDUOutletCtl.{outlet}', on: 1, off: 2 } },
      'power.oid.control: must be an OID of digits and dots',
    ],
    [
      { ...v3, user: { name: 'u', auth: { protocol: 'sha', password: 'short' } } },
      'power.user.auth.password: must NOT have fewer than 8 characters',
    ],
    [
      { type: 'pdudaemon', url: 'http://pdu:16421/?x=1', hostname: 'p', port: 1 },
      'power.url: must be pdudaemon’s base URL',
    ],
    [
      { type: 'pdudaemon', url: 'http://pdu:16421', hostname: 'p; reboot', port: 1 },
      'power.hostname: must be the PDU’s name',
    ],
  ])('refuses power %j: %s', (config, message) => {
    expect(() => parsePowerDriverConfig(config)).toThrow(DriverConfigError);
    expect(() => parsePowerDriverConfig(config)).toThrow(message);
  });

  const sw = { type: 'snmp', host: 's', version: '2c', community: 'c' };
  it.each([
    [{ type: 'lab', linkDownMs: 2001 }, 'link.linkDownMs: must be <= 2000'],
    [{ type: 'lab', linkDownMs: 0.5 }, 'link.linkDownMs: must be integer'],
    [{ ...sw, ports: {} }, 'link.ports: must NOT have fewer than 1 properties'],
    [{ ...sw, ports: { eth1: {} } }, 'link.ports.eth1: give exactly one of ifDescr, ifName, ifAlias or ifIndex'],
    [{ ...sw, ports: { eth1: { ifDescr: 'a', ifIndex: 2 } } }, 'link.ports.eth1: give exactly one'],
    [{ ...sw, ports: { eth1: { ifNumber: 2 } } }, 'link.ports.eth1: unknown field "ifNumber"'],
    [{ ...sw, ports: { '-eth1': { ifIndex: 2 } } }, 'link.ports: "-eth1" is not an interface name'],
    [
      { type: 'command', pull: ['sw', '{outlet}'], plug: ['sw'] },
      'link.pull[1]: has a brace that is not a known placeholder',
    ],
    [{ type: 'command', pull: ['sw', '{port}'], plug: ['sw'] }, 'link.ports: the commands use {port}'],
    [{ type: 'host-ifdown', physical: true }, 'link: unknown field "physical"'],
  ])('refuses link %j: %s', (config, message) => {
    expect(() => parseLinkDriverConfig(config)).toThrow(message);
  });

  it('lists every problem of a configuration at once', () => {
    const issues = linkDriverIssues({
      type: 'command',
      pull: ['{slave}'],
      plug: ['sw', '{outlet}'],
      ports: { eth1: 'a b' },
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'pull[0]',
        message: 'the program must be written out: a placeholder cannot choose which program runs',
      }),
      expect.objectContaining({ path: 'plug[1]', message: expect.stringContaining('unknown placeholder {outlet}') }),
      expect.objectContaining({
        path: 'ports.eth1',
        message: expect.stringContaining('"a b" must be 1–64 characters'),
      }),
    ]);
    // Each is also a message part: the same English, and Chinese without an English sentence.
    for (const issue of issues) {
      expect(sayReason('en', [issue.part!])).toBe(issue.message);
      expect(englishSentences(sayReason('zh-CN', [issue.part!])), issue.message).toEqual([]);
    }
    expect(sayReason('zh-CN', [issues[1]!.part!])).toBe(
      '"{outlet}" 中的占位符 {outlet} 未知：可用的有 {port}, {slave}, {action}',
    );
  });
});

describe('command templates', () => {
  it('expand each word on its own, with {{ and }} for literal braces', () => {
    const argv = ['/opt/pdu/bin/ctl', '--outlet={outlet}', '{action}', '{{json}}', 'x{outlet}y'];
    expect(checkCommandTemplate(argv, POWER_PLACEHOLDERS)).toEqual(new Set(['outlet', 'action']));
    expect(expandCommandTemplate(argv, { outlet: 12, action: 'cycle' })).toEqual([
      '/opt/pdu/bin/ctl',
      '--outlet=12',
      'cycle',
      '{json}',
      'x12y',
    ]);
  });

  it('refuse what could choose the program or is not a placeholder', () => {
    expect(() => checkCommandTemplate(['{port}', 'down'], LINK_PLACEHOLDERS, 'pull')).toThrow(
      'pull[0]: the program must be written out',
    );
    expect(() => checkCommandTemplate([''], LINK_PLACEHOLDERS, 'pull')).toThrow(TemplateError);
    expect(() => checkCommandTemplate(['sw', '{port'], LINK_PLACEHOLDERS, 'pull')).toThrow('opens no placeholder');
    expect(() => checkCommandTemplate(['sw', '{PORT}'], LINK_PLACEHOLDERS, 'pull')).toThrow('opens no placeholder');
    expect(() => checkCommandTemplate(['sw', 'port}'], LINK_PLACEHOLDERS, 'pull')).toThrow('stray "}"');
    expect(() => checkCommandTemplate('sw {port} down', LINK_PLACEHOLDERS, 'pull')).toThrow('must be a list of words');
  });

  it('refuse values that are not one safe word', () => {
    for (const bad of [
      '1;reboot',
      '$(id)',
      '`id`',
      'a b',
      '-x',
      '--all',
      '',
      'a'.repeat(65),
      'x\ny',
      "o'k",
      'a|b',
      '~root',
      'a>b',
    ]) {
      expect(() => assertPlaceholderValue('outlet', bad), bad).toThrow(/must be 1–64 characters/);
    }
    for (const good of ['1', 'A3', 'Gi1/0/1', 'pdu2:outlet.4', 'rack@2', 'x+y', 'a-b_c']) {
      expect(assertPlaceholderValue('port', good)).toBe(good);
    }
    expect(assertPlaceholderValue('outlet', 7)).toBe('7');
    expect(() => assertPlaceholderValue('outlet', -7)).toThrow();
    expect(() => assertPlaceholderValue('slave', 'eth1;x')).toThrow(/may contain only/);
    expect(() => expandCommandTemplate(['sw', '{slave}'], { slave: 'eth1 eth2' })).toThrow(/slave/);
    expect(() => expandCommandTemplate(['sw', '{port}'], { port: undefined })).toThrow('{port} has no value here');
  });

  it('expand OID templates for one outlet', () => {
    expect(expandOidTemplate('.1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}', 5)).toBe('1.3.6.1.4.1.318.1.1.4.4.2.1.3.5');
    expect(expandOidTemplate('1.3.6.1.4.1.13742.6.4.1.2.1.2.1.{outlet}', 24)).toBe(
      '1.3.6.1.4.1.13742.6.4.1.2.1.2.1.24',
    );
    expect(() => expandOidTemplate('1.3.{outlet}', 1.5)).toThrow(/outlet/);
    expect(() => expandOidTemplate('1.3.{port}', 1)).toThrow(/unknown placeholder \{port\}/);
    expect(() => expandOidTemplate('1.3.x{outlet}', 1)).toThrow(/is not an OID/);
  });
});
