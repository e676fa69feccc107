/**
 * What is derived from the driver definitions (./builtin.ts lists them): the plan's `drivers.power`,
 * `drivers.link` and `drivers.switch` schemas (unions discriminated by `type`) and parsing with every problem listed by field.
 * Pure.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { t } from '../i18n/catalogue.js';
import type { ReasonPart } from '../run/model.js';
import { SaidError } from '../run/said-error.js';
import {
  DRIVERS,
  driverDefinition,
  LINK_DRIVER_TYPES,
  type LinkDriverConfig,
  POWER_DRIVER_TYPES,
  type PowerDriverConfig,
  SWITCH_DRIVER_TYPES,
  type SwitchDriverConfig,
} from './builtin.js';
import type { DriverConfigIssue, DriverDefinition, DriverKind, JsonSchema } from './define.js';

export {
  DRIVERS,
  type DriverMessages,
  driverDefinition,
  driverMessages,
  LINK_DRIVER_TYPES,
  LINK_DRIVERS,
  type LinkDriverConfig,
  type LinkDriverType,
  POWER_DRIVER_TYPES,
  POWER_DRIVERS,
  type PowerDriverConfig,
  type PowerDriverType,
  SWITCH_DRIVER_TYPES,
  SWITCH_DRIVERS,
  type SwitchDriverConfig,
  type SwitchDriverType,
} from './builtin.js';
export type { CommandLinkConfig, CommandPowerConfig, CommandSwitchConfig } from './command.js';
export type { DriverConfigIssue, DriverDefinition, DriverField, DriverKind, JsonSchema, Label } from './define.js';
export type { HostIfdownLinkConfig } from './host-ifdown.js';
export type { LabLinkConfig, LabPowerConfig, LabSwitchConfig } from './lab.js';
export type { PduDaemonPowerConfig } from './pdudaemon.js';
export {
  PDU_PROFILES,
  type PduProfile,
  type SnmpLinkConfig,
  type SnmpPowerConfig,
  type SnmpRawOutlet,
  type SwitchPortRef,
} from './snmp.js';
export {
  SNMP_AUTH_PROTOCOLS,
  SNMP_PRIV_PROTOCOLS,
  type SnmpAgentConfig,
  type SnmpAuthProtocol,
  type SnmpPrivProtocol,
  type SnmpV3User,
  type SnmpVersion,
} from './snmp-agent.js';
export {
  assertPlaceholderValue,
  checkCommandTemplate,
  expandCommandTemplate,
  expandOidTemplate,
  LINK_PLACEHOLDERS,
  type LinkAction,
  OID_PLACEHOLDERS,
  POWER_PLACEHOLDERS,
  type PowerAction,
  parseTemplateWord,
  SWITCH_PLACEHOLDERS,
  TemplateError,
} from './template.js';

// ---------------------------------------------------------------------------------------------------------------
// Schemas

/**
 * A union discriminated by `type`, written as if/then so that a mistake yields the errors of its own variant
 * only (oneOf would report every variant's).
 */
function discriminated(definitions: readonly DriverDefinition[], description: string): JsonSchema {
  return {
    type: 'object',
    description,
    required: ['type'],
    properties: { type: { enum: definitions.map((d) => d.type) } },
    allOf: definitions.map((d) => ({
      if: { properties: { type: { const: d.type } }, required: ['type'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
      then: d.schema,
    })),
  };
}

export const POWER_DRIVER_SCHEMA: JsonSchema = discriminated(
  DRIVERS.power,
  `what switches the host’s power: ${POWER_DRIVER_TYPES.join(', ')}`,
);

export const LINK_DRIVER_SCHEMA: JsonSchema = discriminated(
  DRIVERS.link,
  `what pulls the slaves’ cables: ${LINK_DRIVER_TYPES.join(', ')}`,
);

export const SWITCH_DRIVER_SCHEMA: JsonSchema = discriminated(
  DRIVERS.switch,
  `what configures the switch ports for each mode: ${SWITCH_DRIVER_TYPES.join(', ')}`,
);

// ---------------------------------------------------------------------------------------------------------------
// Checks beyond the schema, and parsing

/**
 * A driver's settings that are not valid, every problem by field (`error.driverConfig.*`: the field as the plan
 * names it, the problem in the issue's own part, or its English quoted for a driver that has none).
 */
export class DriverConfigError extends SaidError {
  constructor(
    readonly kind: DriverKind,
    readonly issues: DriverConfigIssue[],
  ) {
    const lines = issues.map(
      (i): ReasonPart => ({
        key: 'error.driverConfig.issue',
        vars: {
          field: `${kind}${i.path ? `.${i.path}` : ''}`,
          problem: i.part ?? { key: 'failure.cause.other', vars: { message: i.message } },
        },
      }),
    );
    const list = lines.reduceRight<ReasonPart | undefined>(
      (rest, line) => (rest ? { key: 'error.driverConfig.lines', vars: { a: line, b: rest } } : line),
      undefined,
    );
    super('DriverConfigError', 'error.driverConfig.invalid', {
      kind: { key: `error.driverConfig.kind.${kind}` },
      issues: list ?? '',
    });
  }
}

/** What the schema cannot say about a built-in power driver: templates, OIDs, profile fields. Empty when fine. */
export function powerDriverIssues(config: PowerDriverConfig): DriverConfigIssue[] {
  return driverDefinition('power', config.type)?.issues(config) ?? [];
}

/** What the schema cannot say about a built-in link driver. Empty when fine. */
export function linkDriverIssues(config: LinkDriverConfig): DriverConfigIssue[] {
  return driverDefinition('link', config.type)?.issues(config) ?? [];
}

/** What the schema cannot say about a built-in switch driver. Empty when fine. */
export function switchDriverIssues(config: SwitchDriverConfig): DriverConfigIssue[] {
  return driverDefinition('switch', config.type)?.issues(config) ?? [];
}

type Validator = ((v: unknown) => boolean) & { errors?: ErrorObject[] | null };
let ajv: Ajv2020 | undefined;
const validators = new WeakMap<object, Validator>();

function validatorOf(schema: JsonSchema): Validator {
  let validate = validators.get(schema);
  if (!validate) {
    ajv ??= new Ajv2020({ allErrors: true, strict: false });
    validate = ajv.compile(schema) as Validator;
    validators.set(schema, validate);
  }
  return validate;
}

function schemaIssues(schema: JsonSchema, value: unknown): DriverConfigIssue[] {
  const validate = validatorOf(schema);
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  // An anyOf failure says it once for the field, instead of once per alternative.
  const anyOf = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === 'anyOf' || !anyOf.has(e.instancePath))
    .map((e) => ({ path: pathOf(e.instancePath), message: describeDriverSchemaError(e), part: driverSchemaPart(e) }));
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

/** What a pattern stands for, by the field it applies to: a `driverCheck.pattern.*` key. */
const PATTERN_MEANING = new Set(['host', 'instance', 'hostname', 'url', 'control', 'state']);

/**
 * An ajv error inside a driver's object as a message part, in the plan's words (their patterns mean host names,
 * OIDs, placeholders…): `driverCheck.*`, or the plan check's own `planCheck.schema.*` where the words are the same.
 * ajv's own sentence is kept, quoted in other languages, only for a keyword no driver schema is expected to fail.
 */
export function driverSchemaPart(error: ErrorObject): { key: string; vars?: Record<string, string> } {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { key: 'planCheck.schema.unknownField', vars: { field: String(p.additionalProperty) } };
    case 'required':
      return { key: 'planCheck.schema.missingField', vars: { field: String(p.missingProperty) } };
    case 'enum':
      return {
        key: 'planCheck.schema.oneOfValues',
        vars: { values: (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ') },
      };
    case 'pattern': {
      if (/\/(on|off|cycle|state|pull|plug|configure)\/\d+$/.test(error.instancePath)) {
        return { key: 'driverCheck.schema.brace', vars: { open: '{{', close: '}}' } };
      }
      const field = error.instancePath.split('/').pop() ?? '';
      return PATTERN_MEANING.has(field)
        ? { key: `driverCheck.pattern.${field}` }
        : ajvSaid(error, 'has the wrong form');
    }
    case 'anyOf':
      return { key: 'planCheck.schema.wordOrNumber' };
    case 'propertyNames':
      return { key: 'planCheck.schema.notInterfaceName', vars: { name: JSON.stringify(p.propertyName) } };
    case 'minProperties':
    case 'maxProperties':
      return /\/ports\/[^/]+$/.test(error.instancePath) ? { key: 'driverCheck.schema.onePortRef' } : ajvSaid(error);
    default:
      return ajvSaid(error);
  }
}

/** ajv's own sentence (English) as `driverCheck.schema.ajv`. */
function ajvSaid(error: ErrorObject, fallback = error.keyword): { key: string; vars: Record<string, string> } {
  return { key: 'driverCheck.schema.ajv', vars: { message: error.message ?? fallback } };
}

/**
 * An ajv error inside a driver's object, in the plan's words, in English. A plan validator that embeds the driver
 * schemas should use this (or driverSchemaPart, for the reader's language) for errors under its drivers.
 */
export function describeDriverSchemaError(error: ErrorObject): string {
  const part = driverSchemaPart(error);
  return t('en', part.key, part.vars);
}

/** YAML reads `version: 3` as a number. */
function normalizeSnmpVersion<T extends object>(config: T): T {
  return (config as { version?: unknown }).version === 3 ? { ...config, version: '3' } : config;
}

/**
 * One definition's settings: its schema first, then what the schema cannot say; the settings typed, or
 * DriverConfigError listing every problem by field. Also for definitions registered from outside the built-ins.
 */
export function parseDriverSettings<C extends { type: string }>(definition: DriverDefinition<C>, value: unknown): C {
  const shape = schemaIssues(definition.schema, value);
  if (shape.length) throw new DriverConfigError(definition.kind, shape);
  const config = normalizeSnmpVersion(value as C);
  const more = definition.issues(config);
  if (more.length) throw new DriverConfigError(definition.kind, more);
  return config;
}

function parseBuiltIn(kind: DriverKind, value: unknown, schema: JsonSchema): unknown {
  const definition = driverDefinition(kind, (value as { type?: unknown } | null)?.type);
  if (!definition) {
    // The union's schema names the known types.
    throw new DriverConfigError(kind, schemaIssues(schema, value));
  }
  return parseDriverSettings(definition, value);
}

/** Validates a power driver (schema, then templates and fields) and returns it typed; DriverConfigError if not. */
export function parsePowerDriverConfig(value: unknown): PowerDriverConfig {
  return parseBuiltIn('power', value, POWER_DRIVER_SCHEMA) as PowerDriverConfig;
}

/** Validates a link driver and returns it typed; DriverConfigError if not. */
export function parseLinkDriverConfig(value: unknown): LinkDriverConfig {
  return parseBuiltIn('link', value, LINK_DRIVER_SCHEMA) as LinkDriverConfig;
}

/** Validates a switch driver and returns it typed; DriverConfigError if not. */
export function parseSwitchDriverConfig(value: unknown): SwitchDriverConfig {
  return parseBuiltIn('switch', value, SWITCH_DRIVER_SCHEMA) as SwitchDriverConfig;
}
