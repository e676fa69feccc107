/**
 * What a driver is, as data: the shape every driver module (`shared/drivers/<name>.ts`) exports, and the schema
 * building blocks they share. A definition is pure (the plan check and the UI use it); the Node half that acts on a
 * device is its factory in `main/drivers/<name>.ts`, which exports the definition and the factory as one unit.
 * See ARCHITECTURE.md, "Adding a driver". Pure.
 */
import type { Language } from '../api.js';
import { InvalidValueError } from '../net/names.js';
import type { ReasonPart } from '../run/model.js';
import { TEMPLATE_WORD, TemplateError } from './template.js';

export type JsonSchema = Record<string, unknown>;

/** What a driver drives: the host's power, the slaves' cables, or the switch ports they end in (told each mode). */
export type DriverKind = 'power' | 'link' | 'switch';

/** A word in every language the catalogue has. */
export type Label = Readonly<Record<Language, string>>;

/** One setting the setup form shows for the driver (scalars only; lists and maps are edited in the plan). */
export interface DriverField {
  /** The setting's key under `drivers.<kind>`. */
  key: string;
  /** How the form writes it back: a number field is written as a YAML number. */
  input: 'text' | 'integer';
  label: Label;
  /** An example value shown in the empty field. */
  placeholder?: string;
}

export interface DriverConfigIssue {
  /** Inside the driver's object, e.g. `on[0]` or `ports.eth1`. */
  path: string;
  /** In English (the CLI prints it). */
  message: string;
  /**
   * The same as a catalogue key (`driverCheck.*`, `value.said`) and values, for the reader's language; its English
   * is `message`. Absent only for a driver registered from outside the built-ins that says it in English alone.
   */
  part?: ReasonPart;
}

/**
 * An issue said by a `driverCheck.*` message. `message` is its English, written here because the catalogue mounts
 * the drivers' labels (a catalogue import from here would be a cycle); test/unit/plan-check-i18n.test.ts holds
 * `message` equal to the catalogue's English.
 */
export function driverIssue(
  path: string,
  message: string,
  key: string,
  vars?: Record<string, string>,
): DriverConfigIssue {
  return { path, message, part: { key: `driverCheck.${key}`, ...(vars ? { vars } : {}) } };
}

/**
 * One driver type, as the plan, the plan check and the UI know it.
 *
 * @typeParam C the settings' type; `C['type']` is the driver's type name.
 */
export interface DriverDefinition<C extends { type: string } = { type: string }> {
  readonly kind: DriverKind;
  readonly type: C['type'];
  /**
   * JSON Schema of the settings: a closed object whose `type` is this type (build it with `variant`). It must
   * compile under ajv's strict mode in draft 2020-12 and draft-07 alike (no $schema, $id, $ref, tuple items), so
   * the plan schema can embed it.
   */
  readonly schema: JsonSchema;
  /** What the schema cannot say (templates, OIDs, fields that exclude each other); [] when fine. */
  issues(config: C): DriverConfigIssue[];
  /** The driver's name in the UI's list (catalogue key `drivers.<kind>.<type>.label`). */
  readonly label: Label;
  /** The settings the setup form shows (catalogue keys `drivers.<kind>.<type>.field.<key>`). */
  readonly fields: readonly DriverField[];
  /** Settings the UI writes when the user picks this type: valid, with the device's usual defaults. */
  readonly example: C;
}

/** Declares a definition with its settings' type checked against the example and the checks. */
export function defineDriver<C extends { type: string }>(definition: DriverDefinition<C>): DriverDefinition<C> {
  return definition;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema building blocks

export const ms = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
export const delaySeconds = { type: 'integer', minimum: 0, maximum: 600, description: 'seconds between off and on' };
export const instanceSchema = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9-]{0,15}$',
  description: 'lab instance name',
};
export const slaveName = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$' };
/** A host name, an IPv4 address or an IPv6 address (letters, digits, . - :). */
export const hostName = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9.:-]*$' };
/** An outlet or a switch port for a command: a word or a number (no union `type`: ajv's strict mode wants none). */
export const wordOrNumber = { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] };

export function argvSchema(placeholders: readonly string[], description: string): JsonSchema {
  return {
    type: 'array',
    minItems: 1,
    items: { type: 'string', pattern: TEMPLATE_WORD(placeholders) },
    description: `${description}; argv words, program first; placeholders ${placeholders.map((p) => `{${p}}`).join(' ')}`,
  };
}

/** A closed object for one `type`. */
export function variant(type: string, required: string[], properties: JsonSchema, extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, ...properties },
    ...extra,
  };
}

/** Runs one check, turning a TemplateError or InvalidValueError into an issue at `path`. */
export function collect(issues: DriverConfigIssue[], path: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof TemplateError) issues.push({ path: error.path, message: error.reason, part: error.part });
    else if (error instanceof InvalidValueError) {
      issues.push({
        path,
        message: error.message.replace(`${error.field}: `, ''),
        ...(error.part ? { part: error.part } : {}),
      });
    } else throw error;
  }
}

export const noIssues = (): DriverConfigIssue[] => [];
