/**
 * Power and link drivers as data: what a plan file says about the PDU that powers the host and the thing that pulls
 * its cables. Discriminated by `type`; each union has a JSON Schema (ajv, draft 2020-12 and draft-07 alike: no
 * $schema, $id, $ref or tuple items, so the plan schema can embed it) and checks the schema cannot express.
 * Command templates are argv arrays with `{placeholder}`s, expanded word by word from validated values: no shell.
 * Pure.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { assertInterfaceName, InvalidValueError } from '../net/names.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

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

export interface LabPowerConfig {
  type: 'lab';
  /** The lab instance; the default lab when omitted. */
  instance?: string;
}

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

export interface SnmpPowerConfig extends SnmpAgentConfig {
  type: 'snmp';
  outlet: number;
  profile: PduProfile;
  /** Required with profile `oid`, refused otherwise. */
  oid?: SnmpRawOutlet;
  /** Seconds between off and on when the PDU cannot cycle by itself (profile `oid` without `cycle`). */
  delay?: number;
}

export interface CommandPowerConfig {
  type: 'command';
  /** Substituted for `{outlet}`. */
  outlet?: string | number;
  on: string[];
  off: string[];
  /** Without it a cycle is off, `delay` seconds, on. */
  cycle?: string[];
  /** Prints `on` or `off`; anything else reads as unknown. */
  state?: string[];
  delay?: number;
  timeoutMs?: number;
}

export type PowerDriverConfig = LabPowerConfig | PduDaemonPowerConfig | SnmpPowerConfig | CommandPowerConfig;
export type PowerDriverType = PowerDriverConfig['type'];

export interface LabLinkConfig {
  type: 'lab';
  instance?: string;
}

/** Finds a switch port's ifIndex: exactly one of these. */
export type SwitchPortRef = { ifDescr: string } | { ifName: string } | { ifAlias: string } | { ifIndex: number };

export interface SnmpLinkConfig extends SnmpAgentConfig {
  type: 'snmp';
  /** Slave on the host → the switch port its cable goes to. */
  ports: Record<string, SwitchPortRef>;
}

export interface CommandLinkConfig {
  type: 'command';
  pull: string[];
  plug: string[];
  /** Prints `plugged`/`up` or `pulled`/`down`; anything else reads as unknown. */
  state?: string[];
  /** Slave → switch port, substituted for `{port}`. */
  ports?: Record<string, string | number>;
  /** False when the script does not drop carrier on both sides (e.g. it runs ip link set down on the host). */
  physical?: boolean;
  timeoutMs?: number;
}

/** `ip link set <slave> down` on the host itself: not a cable pull, the switch side keeps its carrier. */
export interface HostIfdownLinkConfig {
  type: 'host-ifdown';
}

export type LinkDriverConfig = LabLinkConfig | SnmpLinkConfig | CommandLinkConfig | HostIfdownLinkConfig;
export type LinkDriverType = LinkDriverConfig['type'];

// ---------------------------------------------------------------------------------------------------------------
// Placeholders

export type PowerAction = 'on' | 'off' | 'cycle' | 'state';
export type LinkAction = 'pull' | 'plug' | 'state';

export const POWER_PLACEHOLDERS = ['outlet', 'action'] as const;
export const LINK_PLACEHOLDERS = ['port', 'slave', 'action'] as const;
export const OID_PLACEHOLDERS = ['outlet'] as const;

/** One word of a template: literal text, `{{`/`}}` for braces, `{name}` for a placeholder. */
const TEMPLATE_WORD = (names: readonly string[]) => `^(?:[^{}]|\\{\\{|\\}\\}|\\{(?:${names.join('|')})\\})*$`;

/**
 * Placeholder values are one argv word each, never seen by a shell; still they are held to a narrow alphabet
 * (no white space, quotes, $ ; | & ` \ * ? ~ < > ( ) [ ]) and may not start with "-", where a program would
 * take them for an option.
 */
const SAFE_VALUE = /^[A-Za-z0-9_.:@+/][A-Za-z0-9_.:@+/-]{0,63}$/;

export class TemplateError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'TemplateError';
  }
}

type TemplatePart = { text: string } | { name: string };

/** Splits one template word into text and placeholders; throws on stray braces or unknown names. */
export function parseTemplateWord(word: string, allowed: readonly string[], path = 'template'): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if ((c === '{' || c === '}') && word[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = word.indexOf('}', i);
      const name = end < 0 ? '' : word.slice(i + 1, end);
      if (end < 0 || !/^[a-z]+$/.test(name)) {
        throw new TemplateError(
          path,
          `${JSON.stringify(word)} has a "{" that opens no placeholder: write {${allowed[0]}}, or {{ for a literal brace`,
        );
      }
      if (!allowed.includes(name)) {
        throw new TemplateError(
          path,
          `unknown placeholder {${name}} in ${JSON.stringify(word)}: use ${allowed.map((a) => `{${a}}`).join(', ')}`,
        );
      }
      if (text) parts.push({ text });
      text = '';
      parts.push({ name });
      i = end;
    } else if (c === '}') {
      throw new TemplateError(path, `${JSON.stringify(word)} has a stray "}": write }} for a literal brace`);
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** The placeholders a template uses. Throws TemplateError when it is not a valid argv template. */
export function checkCommandTemplate(argv: unknown, allowed: readonly string[], path = 'command'): Set<string> {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((w) => typeof w === 'string')) {
    throw new TemplateError(path, 'must be a list of words, program first, e.g. ["/usr/local/bin/pdu", "{outlet}"]');
  }
  const used = new Set<string>();
  argv.forEach((word: string, index) => {
    const parts = parseTemplateWord(word, allowed, `${path}[${index}]`);
    for (const part of parts) if ('name' in part) used.add(part.name);
    if (index === 0 && (word.length === 0 || parts.some((p) => 'name' in p))) {
      throw new TemplateError(
        `${path}[0]`,
        'the program must be written out: a placeholder cannot choose which program runs',
      );
    }
  });
  return used;
}

/** A value for a placeholder; throws InvalidValueError naming the field when it is not safe as one argv word. */
export function assertPlaceholderValue(name: string, value: unknown, field = name): string {
  if (name === 'slave') return assertInterfaceName(value, field);
  const text = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : value;
  if (typeof text !== 'string' || !SAFE_VALUE.test(text)) {
    throw new InvalidValueError(
      field,
      value,
      'must be 1–64 characters of letters, digits and . _ : @ + / - (no spaces or shell characters), not starting with "-"',
    );
  }
  return text;
}

/** Expands a checked template: every word stays one word, whatever the values hold. */
export function expandCommandTemplate(
  argv: readonly string[],
  values: Readonly<Record<string, string | number | undefined>>,
  path = 'command',
): string[] {
  const allowed = Object.keys(values);
  return argv.map((word, index) =>
    parseTemplateWord(word, allowed, `${path}[${index}]`)
      .map((part) => {
        if ('text' in part) return part.text;
        const value = values[part.name];
        if (value === undefined) {
          throw new TemplateError(`${path}[${index}]`, `{${part.name}} has no value here`);
        }
        return assertPlaceholderValue(part.name, value);
      })
      .join(''),
  );
}

const OID = /^\.?\d+(\.\d+)+$/;

/** An OID template (`1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}`) expanded for one outlet, without a leading dot. */
export function expandOidTemplate(template: string, outlet: number, path = 'oid'): string {
  if (!Number.isInteger(outlet) || outlet < 0) throw new InvalidValueError('outlet', outlet, 'must be an integer ≥ 0');
  const oid = parseTemplateWord(template, OID_PLACEHOLDERS, path)
    .map((part) => ('text' in part ? part.text : String(outlet)))
    .join('');
  if (!OID.test(oid)) {
    throw new TemplateError(
      path,
      `${JSON.stringify(template)} is not an OID such as 1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}`,
    );
  }
  return oid.replace(/^\./, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

type JsonSchema = Record<string, unknown>;

const ms = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
const delaySeconds = { type: 'integer', minimum: 0, maximum: 600, description: 'seconds between off and on' };
const instance = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,15}$', description: 'lab instance name' };
const slaveName = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$' };
/** A host name, an IPv4 address or an IPv6 address (letters, digits, . - :). */
const hostName = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9.:-]*$' };

function argvSchema(placeholders: readonly string[], description: string): JsonSchema {
  return {
    type: 'array',
    minItems: 1,
    items: { type: 'string', pattern: TEMPLATE_WORD(placeholders) },
    description: `${description}; argv words, program first; placeholders ${placeholders.map((p) => `{${p}}`).join(' ')}`,
  };
}

/** A closed object for one `type`. */
function variant(type: string, required: string[], properties: JsonSchema, extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, ...properties },
    ...extra,
  };
}

/**
 * A union discriminated by `type`, written as if/then so that a mistake yields the errors of its own variant
 * only (oneOf would report every variant's).
 */
function discriminated(variants: Record<string, JsonSchema>, description: string): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['type'],
    properties: { type: { enum: Object.keys(variants) } },
    allOf: Object.entries(variants).map(([type, schema]) => ({
      if: { properties: { type: { const: type } }, required: ['type'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
      then: schema,
    })),
  };
}

const SNMP_AGENT_PROPERTIES: JsonSchema = {
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
const SNMP_VERSION_RULES = [
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
  { if: { properties: { version: { const: '2c' } }, required: ['version'] }, then: { required: ['community'] } },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
  { if: { properties: { version: { enum: ['3', 3] } }, required: ['version'] }, then: { required: ['user'] } },
];

/** An outlet or a switch port for a command: a word or a number (no union `type`: ajv's strict mode wants none). */
const wordOrNumber = { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] };
const oidTemplate = { type: 'string', pattern: '^\\.?\\d+(\\.(\\d+|\\{outlet\\}))+$' };
const snmpInteger = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };

export const POWER_DRIVER_SCHEMA: JsonSchema = discriminated(
  {
    lab: variant('lab', [], { instance }),
    pdudaemon: variant('pdudaemon', ['url', 'hostname', 'port'], {
      url: { type: 'string', pattern: '^https?://[^\\s?#]+$', description: 'e.g. http://pdu-server:16421' },
      hostname: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'the PDU in pdudaemon.conf' },
      port: ms(0, 65535),
      delay: delaySeconds,
      timeoutMs: ms(100, 600_000),
    }),
    snmp: variant(
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
    command: variant('command', ['on', 'off'], {
      outlet: wordOrNumber,
      on: argvSchema(POWER_PLACEHOLDERS, 'switches the outlet on'),
      off: argvSchema(POWER_PLACEHOLDERS, 'switches the outlet off'),
      cycle: argvSchema(POWER_PLACEHOLDERS, 'power-cycles the outlet'),
      state: argvSchema(POWER_PLACEHOLDERS, 'prints on or off'),
      delay: delaySeconds,
      timeoutMs: ms(100, 600_000),
    }),
  },
  'what switches the host’s power: lab, pdudaemon, snmp or command',
);

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

export const LINK_DRIVER_SCHEMA: JsonSchema = discriminated(
  {
    lab: variant('lab', [], { instance }),
    snmp: variant(
      'snmp',
      ['host', 'version', 'ports'],
      {
        ...SNMP_AGENT_PROPERTIES,
        ports: { type: 'object', minProperties: 1, propertyNames: slaveName, additionalProperties: switchPort },
      },
      { allOf: SNMP_VERSION_RULES },
    ),
    command: variant('command', ['pull', 'plug'], {
      pull: argvSchema(LINK_PLACEHOLDERS, 'pulls the cable of {slave}'),
      plug: argvSchema(LINK_PLACEHOLDERS, 'plugs it back'),
      state: argvSchema(LINK_PLACEHOLDERS, 'prints plugged or pulled'),
      ports: {
        type: 'object',
        propertyNames: slaveName,
        additionalProperties: wordOrNumber,
      },
      physical: { type: 'boolean', description: 'false when the switch side keeps its carrier; true by default' },
      timeoutMs: ms(100, 600_000),
    }),
    'host-ifdown': variant('host-ifdown', [], {}),
  },
  'what pulls the slaves’ cables: lab, snmp (a managed switch), command or host-ifdown (not physical)',
);

// ---------------------------------------------------------------------------------------------------------------
// Checks beyond the schema, and parsing

export interface DriverConfigIssue {
  /** Inside the driver's object, e.g. `on[0]` or `ports.eth1`. */
  path: string;
  message: string;
}

export class DriverConfigError extends Error {
  constructor(
    readonly kind: 'power' | 'link',
    readonly issues: DriverConfigIssue[],
  ) {
    super(
      `the ${kind} driver is not valid:\n${issues.map((i) => `  ${kind}${i.path ? `.${i.path}` : ''}: ${i.message}`).join('\n')}`,
    );
    this.name = 'DriverConfigError';
  }
}

function collect(issues: DriverConfigIssue[], path: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof TemplateError) issues.push({ path: error.path, message: error.reason });
    else if (error instanceof InvalidValueError) {
      issues.push({ path, message: error.message.replace(`${error.field}: `, '') });
    } else throw error;
  }
}

function snmpAgentIssues(config: SnmpAgentConfig, issues: DriverConfigIssue[]): void {
  const v3 = String(config.version) === '3';
  if (v3 && config.community !== undefined) {
    issues.push({ path: 'community', message: 'is for version 2c; version 3 authenticates with user' });
  }
  if (!v3 && config.user !== undefined) {
    issues.push({ path: 'user', message: 'is for version 3; version 2c uses community' });
  }
  if (config.user?.priv && !config.user.auth) {
    issues.push({ path: 'user.priv', message: 'SNMPv3 privacy needs authentication too: add user.auth' });
  }
}

/** What the schema cannot say about a power driver: templates, OIDs, profile fields. Empty when fine. */
export function powerDriverIssues(config: PowerDriverConfig): DriverConfigIssue[] {
  const issues: DriverConfigIssue[] = [];
  switch (config.type) {
    case 'pdudaemon': {
      collect(issues, 'url', () => {
        let url: URL;
        try {
          url = new URL(config.url);
        } catch {
          throw new InvalidValueError('url', config.url, 'is not a URL such as http://pdu-server:16421');
        }
        if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
          throw new InvalidValueError('url', config.url, 'must be http(s)://host:port of pdudaemon, no query');
        }
      });
      break;
    }
    case 'snmp': {
      snmpAgentIssues(config, issues);
      if (config.profile === 'oid') {
        const oid = config.oid;
        if (oid) {
          collect(issues, 'oid.control', () => expandOidTemplate(oid.control, config.outlet, 'oid.control'));
          if (oid.state !== undefined) {
            const state = oid.state;
            collect(issues, 'oid.state', () => expandOidTemplate(state, config.outlet, 'oid.state'));
            if (oid.stateOn === undefined || oid.stateOff === undefined) {
              issues.push({ path: 'oid', message: 'with oid.state, give the values it reads: stateOn and stateOff' });
            }
          }
        }
      } else if (config.oid !== undefined) {
        issues.push({ path: 'oid', message: `is only for profile "oid"; profile "${config.profile}" knows its OIDs` });
      }
      break;
    }
    case 'command': {
      const used = new Set<string>();
      for (const key of ['on', 'off', 'cycle', 'state'] as const) {
        const argv = config[key];
        if (argv === undefined) continue;
        collect(issues, key, () => {
          for (const name of checkCommandTemplate(argv, POWER_PLACEHOLDERS, key)) used.add(name);
        });
      }
      if (config.outlet !== undefined) {
        collect(issues, 'outlet', () => assertPlaceholderValue('outlet', config.outlet, 'outlet'));
      } else if (used.has('outlet')) {
        issues.push({ path: 'outlet', message: 'the commands use {outlet}: say which outlet' });
      }
      break;
    }
    case 'lab':
      break;
  }
  return issues;
}

/** What the schema cannot say about a link driver. Empty when fine. */
export function linkDriverIssues(config: LinkDriverConfig): DriverConfigIssue[] {
  const issues: DriverConfigIssue[] = [];
  switch (config.type) {
    case 'snmp':
      snmpAgentIssues(config, issues);
      for (const slave of Object.keys(config.ports ?? {})) {
        collect(issues, `ports.${slave}`, () => assertInterfaceName(slave, `ports.${slave}`));
      }
      break;
    case 'command': {
      const used = new Set<string>();
      for (const key of ['pull', 'plug', 'state'] as const) {
        const argv = config[key];
        if (argv === undefined) continue;
        collect(issues, key, () => {
          for (const name of checkCommandTemplate(argv, LINK_PLACEHOLDERS, key)) used.add(name);
        });
      }
      for (const [slave, port] of Object.entries(config.ports ?? {})) {
        collect(issues, `ports.${slave}`, () => {
          assertInterfaceName(slave, `ports.${slave}`);
          assertPlaceholderValue('port', port, `ports.${slave}`);
        });
      }
      if (used.has('port') && !config.ports) {
        issues.push({ path: 'ports', message: 'the commands use {port}: map each slave to its switch port' });
      }
      break;
    }
    case 'lab':
    case 'host-ifdown':
      break;
  }
  return issues;
}

let validators: { power: (v: unknown) => boolean; link: (v: unknown) => boolean } | undefined;

function schemaIssues(kind: 'power' | 'link', value: unknown): DriverConfigIssue[] {
  validators ??= (() => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    return { power: ajv.compile(POWER_DRIVER_SCHEMA), link: ajv.compile(LINK_DRIVER_SCHEMA) };
  })();
  const validate = validators[kind] as ((v: unknown) => boolean) & { errors?: ErrorObject[] | null };
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  // An anyOf failure says it once for the field, instead of once per alternative.
  const anyOf = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === 'anyOf' || !anyOf.has(e.instancePath))
    .map((e) => ({ path: pathOf(e.instancePath), message: describeDriverSchemaError(e) }));
}

/** `/on/2` → `on[2]`, `/ports/eth1` → `ports.eth1`. */
function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

/** What a pattern stands for, by the field it applies to. */
const PATTERN_MEANING: Record<string, string> = {
  host: 'must be a host name or an IP address',
  instance: 'must be a lab instance name: 1–16 characters of a-z, 0-9 and "-"',
  hostname: 'must be the PDU’s name in pdudaemon.conf: letters, digits, ".", "_" and "-"',
  url: 'must be pdudaemon’s base URL, e.g. http://pdu-server:16421 (no query)',
  control: 'must be an OID of digits and dots, with {outlet} where the outlet number goes',
  state: 'must be an OID of digits and dots, with {outlet} where the outlet number goes',
};

/**
 * An ajv error inside a driver's object, in the plan's words. A plan validator that embeds the driver schemas
 * should use this for errors under its drivers (their patterns mean host names, OIDs, placeholders…).
 */
export function describeDriverSchemaError(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${p.additionalProperty}"`;
    case 'required':
      return `missing field "${p.missingProperty}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': {
      if (/\/(on|off|cycle|state|pull|plug)\/\d+$/.test(error.instancePath)) {
        return 'has a brace that is not a known placeholder (write {{ or }} for a literal brace)';
      }
      return PATTERN_MEANING[error.instancePath.split('/').pop() ?? ''] ?? error.message ?? 'has the wrong form';
    }
    case 'anyOf':
      return 'must be a word (letters, digits, . _ : @ + / -) or a number ≥ 0';
    case 'propertyNames':
      return `${JSON.stringify(p.propertyName)} is not an interface name such as eth1`;
    case 'minProperties':
    case 'maxProperties':
      return /\/ports\/[^/]+$/.test(error.instancePath)
        ? 'give exactly one of ifDescr, ifName, ifAlias or ifIndex'
        : (error.message ?? error.keyword);
    default:
      return error.message ?? error.keyword;
  }
}

/** YAML reads `version: 3` as a number. */
function normalizeSnmpVersion<T extends object>(config: T): T {
  return (config as { version?: unknown }).version === 3 ? { ...config, version: '3' } : config;
}

/** Schema first, then what the schema cannot say; the config typed, or DriverConfigError listing every problem. */
function parseDriverConfig<T extends object>(
  kind: 'power' | 'link',
  value: unknown,
  moreIssues: (config: T) => DriverConfigIssue[],
): T {
  const shape = schemaIssues(kind, value);
  if (shape.length) throw new DriverConfigError(kind, shape);
  const config = normalizeSnmpVersion(value as T);
  const more = moreIssues(config);
  if (more.length) throw new DriverConfigError(kind, more);
  return config;
}

/** Validates a power driver (schema, then templates and fields) and returns it typed; DriverConfigError if not. */
export function parsePowerDriverConfig(value: unknown): PowerDriverConfig {
  return parseDriverConfig('power', value, powerDriverIssues);
}

export function parseLinkDriverConfig(value: unknown): LinkDriverConfig {
  return parseDriverConfig('link', value, linkDriverIssues);
}

/** The built-in types, for messages and the UI. */
export const POWER_DRIVER_TYPES: readonly PowerDriverType[] = ['lab', 'pdudaemon', 'snmp', 'command'];
export const LINK_DRIVER_TYPES: readonly LinkDriverType[] = ['lab', 'snmp', 'command', 'host-ifdown'];
