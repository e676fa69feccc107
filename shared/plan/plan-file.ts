/**
 * Plan files: YAML in, a validated Plan out, every error pointing at its line. The schema checks shape
 * (ajv, JSON Schema 2020-12); the checks after it need the whole plan (same subnet, primary among the slaves…).
 */

import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, stringify } from 'yaml';
import type { Language } from '../api.js';
import { BONDING_MODES, type BondingMode } from '../bonding/modes.js';
import { BOND_OPTIONS_SCHEMA, type BondOptionIssue, checkBondRequest } from '../bonding/options.js';
import {
  type DriverKind,
  describeDriverSchemaError,
  driverDefinition,
  driverSchemaPart,
  LINK_DRIVER_SCHEMA,
  POWER_DRIVER_SCHEMA,
  SWITCH_DRIVER_SCHEMA,
} from '../drivers/config.js';
import { t } from '../i18n/catalogue.js';
import { LAB_MAX_PEERS, LAB_NETWORK, labLoadPeer } from '../lab/topology.js';
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, InvalidValueError } from '../net/names.js';
import { assertHostTarget } from '../net/ssh-destination.js';
import { sayReason } from '../oracle/failover.js';
import type { ReasonPart } from '../run/model.js';
import {
  applyMethodFor,
  DEFAULT_LOAD,
  DEFAULT_OFF_SECONDS,
  DEFAULT_PROBE,
  DEFAULT_STEPS,
  MAX_LOAD_FLOWS,
  MAX_LOAD_RATE,
  MODE_NAMES,
  modeRequest,
  type Plan,
  type StepSpec,
} from './plan.js';
import { urlCredentialIssues } from './secrets.js';
import { planAtPoint, pointLabel, SWEEP_SCHEMA, type SweepOption, type SweepValue, sweepPoints } from './sweep.js';

export interface PlanError {
  /** Where in the plan, e.g. `bond.slaves[1]`. */
  path: string;
  /** In English (the CLI prints it); `parts` says the same in any language. */
  message: string;
  /** The message as catalogue keys (`planCheck.*`, `yamlSyntax.*`, `driverCheck.*` …) and values, for the UI's
   * language; absent where a check says it only in English (a driver registered from outside the built-ins). */
  parts?: ReasonPart[];
  line?: number;
  column?: number;
}

/** A check's finding: the field it names, its English message and, where the check has keys, its parts. */
export interface PlanIssue {
  segments: Segment[];
  message: string;
  parts?: ReasonPart[];
}

type PartVars = ReasonPart['vars'];

/** A `planCheck.*` message as a part. */
const part = (key: string, vars?: PartVars): ReasonPart => ({ key: `planCheck.${key}`, ...(vars ? { vars } : {}) });

/** A finding at `segments` said by one `planCheck.*` message; its English is the catalogue's. */
function said(segments: Segment[], key: string, vars?: PartVars): PlanIssue {
  const parts = [part(key, vars)];
  return { segments, message: sayReason('en', parts), parts };
}

/** "eth1", "eth1 and eth2", "eth1 and eth2 and eth3" as a part, said in the reader's language. */
function andList(items: readonly string[]): string | ReasonPart {
  const [first, ...rest] = items;
  return rest.length ? part('and', { a: first ?? '', b: andList(rest) }) : (first ?? '');
}

export class PlanInvalidError extends Error {
  constructor(
    readonly errors: PlanError[],
    source = 'plan',
  ) {
    super(
      `${source} is not a valid plan:\n${errors.map((e) => `  ${source}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n')}`,
    );
    this.name = 'PlanInvalidError';
  }
}

const positiveInt = { type: 'integer', minimum: 1 } as const;
const ifname = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$' } as const;
/**
 * A capture device of the tester's platform: a Linux name, Npcap's "\\Device\\NPF_{GUID}" or a Windows friendly
 * name ("Ethernet 2"). Printable, no control characters; it reaches pcap_create only, never a shell or a path.
 */
const captureDevice = { type: 'string', pattern: '^[^\\u0000-\\u001f\\u007f]{1,256}$' } as const;
const seconds = { type: 'number', exclusiveMinimum: 0, maximum: 3600 } as const;

/** The YAML document's shape. Steps are written short: `read-macs`, `probe: 2`, `pull: eth1`, `plug: {slave: eth1}`. */
export const PLAN_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://bondbench.invalid/schema/plan-v1.json',
  title: 'BondBench plan',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'host', 'bond', 'modes'],
  properties: {
    version: { const: 1 },
    name: { type: 'string' },
    host: {
      type: 'object',
      additionalProperties: false,
      required: ['target'],
      properties: { target: { type: 'string', minLength: 1 }, management: ifname, sudo: { type: 'boolean' } },
    },
    tester: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interface: captureDevice,
        portMirrors: { type: 'object', propertyNames: ifname, additionalProperties: captureDevice },
      },
    },
    drivers: {
      type: 'object',
      additionalProperties: false,
      properties: { power: POWER_DRIVER_SCHEMA, link: LINK_DRIVER_SCHEMA, switch: SWITCH_DRIVER_SCHEMA },
    },
    bond: {
      type: 'object',
      additionalProperties: false,
      required: ['slaves', 'address', 'peer'],
      properties: {
        name: ifname,
        slaves: { type: 'array', items: ifname, minItems: 1, uniqueItems: true },
        address: { type: 'string' },
        peer: { type: 'string' },
        options: BOND_OPTIONS_SCHEMA,
        perMode: {
          type: 'object',
          propertyNames: { enum: BONDING_MODES },
          additionalProperties: BOND_OPTIONS_SCHEMA,
        },
      },
    },
    modes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: MODE_NAMES } },
    apply: {
      type: 'object',
      additionalProperties: false,
      properties: {
        method: { enum: ['runtime', 'netifrc'] },
        perMode: {
          type: 'object',
          propertyNames: { enum: MODE_NAMES },
          additionalProperties: { enum: ['runtime', 'netifrc'] },
        },
        netifrcStyle: { enum: ['writeup', 'modern'] },
        boot: { enum: ['reboot', 'power-cycle'] },
        offSeconds: { type: 'integer', minimum: 0, maximum: 600 },
      },
    },
    probe: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rate: { type: 'integer', minimum: 1, maximum: 1000 },
        pullRate: { type: 'integer', minimum: 1, maximum: 1000 },
        arpPolicy: { enum: ['passive', 'os-like'] },
        reaskAfterMs: { type: 'integer', minimum: 100, maximum: 60_000 },
      },
    },
    steps: {
      type: 'array',
      items: {
        oneOf: [
          { const: 'read-macs' },
          { type: 'object', additionalProperties: false, required: ['probe'], properties: { probe: seconds } },
          {
            type: 'object',
            additionalProperties: false,
            required: ['pull'],
            properties: {
              pull: {
                oneOf: [
                  ifname,
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['slave'],
                    properties: { slave: ifname, hold: seconds },
                  },
                ],
              },
            },
          },
          { const: 'reboot' },
          { const: 'power-cycle' },
          { const: 'load' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['load'],
            properties: {
              load: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  peers: { type: 'integer', minimum: 1, maximum: LAB_MAX_PEERS },
                  flows: { type: 'integer', minimum: 1, maximum: 16 },
                  seconds: { type: 'integer', minimum: 1, maximum: 60 },
                  rate: { type: 'integer', minimum: 1, maximum: 100 },
                },
              },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['power-cycle'],
            properties: {
              'power-cycle': {
                type: 'object',
                additionalProperties: false,
                properties: { off: { type: 'integer', minimum: 0, maximum: 600 } },
              },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['plug'],
            properties: {
              plug: {
                oneOf: [
                  ifname,
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['slave'],
                    properties: { slave: ifname, settle: seconds },
                  },
                ],
              },
            },
          },
        ],
      },
    },
    repeat: { ...positiveInt, maximum: 1000 },
    sweep: SWEEP_SCHEMA,
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        pullSeconds: seconds,
        rebootSeconds: seconds,
        powerCycles: { type: 'integer', minimum: 0, maximum: 5 },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv2020['compile']> | undefined;
function validateShape(value: unknown): ErrorObject[] {
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
  return validator(value) ? [] : (validator.errors ?? []);
}

export type Segment = string | number;

/** A field's path as errors name it: `bond.slaves[1]`, `drivers.power.url`. */
export function pathText(segments: readonly Segment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function decodePointer(pointer: string): Segment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ajv says what is wrong in its own words; say it in the plan's (the driver schemas have their own words). */
function describe(error: ErrorObject): { message: string; parts?: ReasonPart[] } {
  const parts = schemaParts(error);
  if (parts) return { message: sayReason('en', parts), parts };
  return { message: describeDriverSchemaError(error), parts: [driverSchemaPart(error)] };
}

const JSON_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'object', 'array', 'null']);
const LIMITS: Record<string, string> = { minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<' };

/**
 * An ajv error as `planCheck.schema.*` parts, in English exactly as describe() always said it (ajv's own words for
 * type and limits; the driver schemas' words from describeDriverSchemaError where they are generic); undefined for
 * a driver pattern and the like, which shared/drivers/config.ts says (driverSchemaPart).
 */
function schemaParts(error: ErrorObject): ReasonPart[] | undefined {
  const p = error.params as Record<string, unknown>;
  const schema = (key: string, vars?: PartVars) => [part(`schema.${key}`, vars)];
  const inDrivers = error.instancePath.startsWith('/drivers/');
  switch (error.keyword) {
    case 'const':
      return inDrivers ? undefined : schema('const', { value: JSON.stringify(p.allowedValue) });
    case 'pattern':
      return inDrivers ? undefined : schema('interfaceName');
    case 'oneOf':
      return inDrivers ? undefined : schema('oneOf');
    case 'additionalProperties':
      return schema('unknownField', { field: String(p.additionalProperty) });
    case 'required':
      return schema('missingField', { field: String(p.missingProperty) });
    case 'enum':
      return schema('oneOfValues', { values: (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ') });
    case 'anyOf':
      return inDrivers ? schema('wordOrNumber') : undefined;
    case 'propertyNames':
      return schema('notInterfaceName', { name: JSON.stringify(p.propertyName) });
    case 'type': {
      const type = String(p.type);
      return JSON_TYPES.has(type) ? schema('type', { type: part(`typeName.${type}`) }) : undefined;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return schema('limit', { comparison: String(p.comparison ?? LIMITS[error.keyword]), limit: Number(p.limit) });
    case 'minItems':
      return schema('minItems', { count: Number(p.limit) });
    case 'maxItems':
      return schema('maxItems', { count: Number(p.limit) });
    case 'minLength':
      return schema('minLength', { count: Number(p.limit) });
    case 'maxLength':
      return schema('maxLength', { count: Number(p.limit) });
    case 'uniqueItems':
      return schema('uniqueItems', { i: Number(p.i), j: Number(p.j) });
    default:
      return undefined;
  }
}

/** "on[0]" or "ports.eth1" → path segments. */
function segmentsOf(path: string): Segment[] {
  return path
    .split(/\.|(?=\[)/)
    .filter(Boolean)
    .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** Keeps the most useful error per place: ajv reports every branch of a oneOf. */
function schemaErrors(errors: ErrorObject[]): PlanIssue[] {
  const byPath = new Map<string, PlanIssue & { rank: number }>();
  for (const error of errors) {
    // An if/then that fails is said by the `then` branch's own errors ("must match "then" schema" says nothing).
    if (error.keyword === 'if') continue;
    const segments = decodePointer(error.instancePath);
    if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
      // Point at the field itself when it exists.
      const name = (error.params as Record<string, string>).additionalProperty;
      if (name) segments.push(name);
    }
    const key = pathText(segments);
    const rank = error.keyword === 'oneOf' ? 0 : error.keyword === 'type' ? 1 : 2;
    const current = byPath.get(key);
    if (!current || rank > current.rank) byPath.set(key, { segments, ...describe(error), rank });
  }
  return [...byPath.values()].map(({ rank: _, ...issue }) => issue);
}

/** One `steps` entry of a plan file (already schema-valid) as a StepSpec, defaults filled in. */
export function normaliseStep(raw: unknown): StepSpec {
  if (raw === 'read-macs') return { kind: 'read-macs' };
  if (raw === 'reboot') return { kind: 'reboot' };
  if (raw === 'power-cycle') return { kind: 'power-cycle', offSeconds: DEFAULT_OFF_SECONDS };
  if (raw === 'load') return { kind: 'load', ...DEFAULT_LOAD };
  const entry = raw as Record<string, unknown>;
  if ('power-cycle' in entry) {
    const off = (entry['power-cycle'] as { off?: number }).off;
    return { kind: 'power-cycle', offSeconds: off ?? DEFAULT_OFF_SECONDS };
  }
  if ('probe' in entry) return { kind: 'probe', seconds: entry.probe as number };
  if ('load' in entry) return { kind: 'load', ...DEFAULT_LOAD, ...(entry.load as object) };
  if ('pull' in entry) {
    const pull = entry.pull as string | { slave: string; hold?: number };
    return typeof pull === 'string'
      ? { kind: 'pull', slave: pull, holdSeconds: 2 }
      : { kind: 'pull', slave: pull.slave, holdSeconds: pull.hold ?? 2 };
  }
  const plug = entry.plug as string | { slave: string; settle?: number };
  return typeof plug === 'string'
    ? { kind: 'plug', slave: plug, settleSeconds: 1 }
    : { kind: 'plug', slave: plug.slave, settleSeconds: plug.settle ?? 1 };
}

/** A StepSpec in the plan file's shortest form (`pull: eth1` when the hold is the default 2 s). */
export function stepToYaml(step: StepSpec): unknown {
  switch (step.kind) {
    case 'read-macs':
      return 'read-macs';
    case 'probe':
      return { probe: step.seconds };
    case 'pull':
      return step.holdSeconds === 2 ? { pull: step.slave } : { pull: { slave: step.slave, hold: step.holdSeconds } };
    case 'plug':
      return step.settleSeconds === 1
        ? { plug: step.slave }
        : { plug: { slave: step.slave, settle: step.settleSeconds } };
    case 'reboot':
      return 'reboot';
    case 'power-cycle':
      return step.offSeconds === DEFAULT_OFF_SECONDS ? 'power-cycle' : { 'power-cycle': { off: step.offSeconds } };
    case 'load': {
      const { kind: _, ...load } = step;
      return JSON.stringify(load) === JSON.stringify(DEFAULT_LOAD) ? 'load' : { load };
    }
  }
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Where an option issue of one mode sits in the plan: the mode's own setting, else the common one. */
function issueSegments(plan: Plan, mode: BondingMode, issue: BondOptionIssue): Segment[] {
  const index = issue.index !== undefined ? [issue.index] : [];
  switch (issue.option) {
    case 'bond':
      return ['bond', 'name'];
    case 'slaves':
      return ['bond', 'slaves', ...index];
    case 'address':
      return ['bond', 'address'];
    case 'mode':
      return ['modes'];
    default:
      return plan.bond.perMode?.[mode]?.[issue.option] !== undefined
        ? ['bond', 'perMode', mode, issue.option, ...index]
        : ['bond', 'options', issue.option, ...index];
  }
}

/**
 * The option rules the run applies (checkBondRequest on each mode's request), for every mode the plan names: an
 * option refused in three modes is one error that names the three.
 */
export function bondOptionErrors(plan: Plan): PlanIssue[] {
  const grouped = new Map<string, { segments: Segment[]; message: string; part?: ReasonPart; modes: string[] }>();
  for (const mode of plan.modes) {
    if (mode === 'standalone') continue;
    for (const issue of checkBondRequest(modeRequest(plan, mode)).issues) {
      const segments = issueSegments(plan, mode, issue);
      const key = `${pathText(segments)}\n${issue.message}`;
      const entry = grouped.get(key) ?? { segments, message: issue.message, part: issue.part, modes: [] };
      entry.modes.push(mode);
      grouped.set(key, entry);
    }
  }
  const errors = [...grouped.values()].map(
    (e): PlanIssue => ({
      segments: e.segments,
      message: e.message.replaceAll('%mode', e.modes.join(', ')),
      ...(e.part ? { parts: [{ ...e.part, vars: { ...e.part.vars, modes: e.modes.join(', ') } }] } : {}),
    }),
  );
  for (const mode of Object.keys(plan.bond.perMode ?? {})) {
    if (!plan.modes.includes(mode as BondingMode)) {
      errors.push(said(['bond', 'perMode', mode], 'perModeUnused', { mode }));
    }
  }
  return errors;
}

/**
 * A sweep: the option rules at every point (an error caused by a swept value points at that value), and no
 * per-mode setting that would hide a swept option from its mode.
 */
function sweepErrors(plan: Plan): PlanIssue[] {
  const errors = new Map<string, PlanIssue>();
  const axes = Object.entries(plan.sweep ?? {}) as [SweepOption, SweepValue[]][];
  const points = sweepPoints(plan);
  // Which points each error shows at: one at every point is the plan's; one at some is a swept value's doing.
  const seen = new Map<string, { error: PlanIssue; points: Set<number> }>();
  for (const point of points) {
    for (const error of bondOptionErrors(planAtPoint(plan, point))) {
      const key = `${pathText(error.segments)}\n${error.message}`;
      const entry = seen.get(key) ?? { error, points: new Set<number>() };
      entry.points.add(point.index);
      seen.set(key, entry);
    }
  }
  for (const { error, points: at } of seen.values()) {
    if (at.size === points.length) {
      errors.set(pathText(error.segments), error);
      continue;
    }
    for (const index of at) {
      const point = points[index]!;
      // The axis value every point of which shows the error is its cause: point at it.
      const axis = axes.find(([option]) =>
        points.filter((p) => p.values[option] === point.values[option]).every((p) => at.has(p.index)),
      );
      const field = pathText(error.segments.slice(2));
      const segments = axis ? ['sweep', axis[0], axis[1].indexOf(point.values[axis[0]]!)] : error.segments;
      const where = axis ? `${axis[0]}=${point.values[axis[0]]}` : pointLabel(point);
      const inner = error.parts?.length === 1 ? error.parts[0]! : error.message;
      const atPoint = said(segments, 'sweepAt', {
        where,
        field: axis && field !== axis[0] ? `${field}: ` : '',
        message: inner,
      });
      const key = `${pathText(segments)}\n${atPoint.message}`;
      if (!errors.has(key)) errors.set(key, atPoint);
    }
  }
  for (const [mode, own] of Object.entries(plan.bond.perMode ?? {})) {
    for (const [option] of axes) {
      if (own && option in own) {
        errors.set(
          `perMode ${mode} ${option}`,
          said(['bond', 'perMode', mode, option], 'sweepHides', { option, mode }),
        );
      }
    }
  }
  return [...errors.values()];
}

/** A link driver that maps slaves to switch ports must map every slave a step pulls or plugs. */
function portCoverageErrors(plan: Plan): PlanIssue[] {
  const link = plan.drivers.link as { type: string; ports?: Record<string, unknown> } & Record<string, unknown>;
  const templates = JSON.stringify([link.pull, link.plug, link.state]);
  const mapsPorts = link.type === 'snmp' || (link.type === 'command' && templates.includes('{port}'));
  if (!mapsPorts) return [];
  const ports = link.ports ?? {};
  const used = [...new Set(plan.steps.flatMap((s) => (s.kind === 'pull' || s.kind === 'plug' ? [s.slave] : [])))];
  // Own keys only: a slave named like an Object property (constructor, toString) is not mapped by inheritance.
  const missing = used.filter((slave) => !Object.hasOwn(ports, slave));
  return missing.length
    ? [said(['drivers', 'link', 'ports'], 'linkPortsMissing', { slaves: andList(missing), count: missing.length })]
    : [];
}

/**
 * A load step's peers are made in the lab's namespace (labLoadPeer: 10.77.1.101 on), and its spread is read from
 * the slaves' port mirrors: refused for a host that is not a lab, a bond off the lab's subnet, mirrors that do not
 * cover every slave, or more traffic than the tester can send.
 */
function loadStepErrors(plan: Plan, index: number, step: Extract<StepSpec, { kind: 'load' }>): PlanIssue[] {
  const errors: PlanIssue[] = [];
  const at: Segment[] = ['steps', index];
  if (!/^lab(:|$)/.test(plan.host.target.trim())) {
    errors.push(said(at, 'load.notLab'));
  }
  const [address] = plan.bond.address.split('/');
  if (!address?.startsWith('10.77.1.') || plan.bond.address.split('/')[1] !== '24') {
    errors.push(said(at, 'load.subnet', { subnet: LAB_NETWORK.bondSubnet }));
  } else {
    const clash = Array.from({ length: step.peers }, (_, i) => labLoadPeer(i + 1).address).find(
      (a) => a === address || a === plan.bond.peer,
    );
    if (clash) errors.push(said(at, 'load.peerClash', { address: clash }));
  }
  const mirrors = plan.tester.portMirrors ?? {};
  const unmirrored = plan.bond.slaves.filter((s) => !Object.hasOwn(mirrors, s));
  if (unmirrored.length) {
    errors.push(said(at, 'load.unmirrored', { slaves: unmirrored.join(', ') }));
  }
  if (step.peers * step.flows > MAX_LOAD_FLOWS) {
    errors.push(said(at, 'load.flows', { peers: step.peers, flows: step.flows, max: MAX_LOAD_FLOWS }));
  }
  if (step.peers * step.flows * step.rate > MAX_LOAD_RATE) {
    errors.push(said(at, 'load.rate', { peers: step.peers, flows: step.flows, rate: step.rate, max: MAX_LOAD_RATE }));
  }
  return errors;
}

/**
 * A switch driver that cannot do its job for this plan: the lab's switch re-cables a lab, so the host must be that
 * lab (whether it was brought up with its LACP partner, `lab up --lacp`, the run's preflight checks); a command
 * run once per slave with `{port}` must know every slave's port.
 */
function switchErrors(plan: Plan): PlanIssue[] {
  const sw = plan.drivers.switch as
    | ({ type: string; instance?: string; ports?: object } & Record<string, unknown>)
    | undefined;
  if (!sw) return [];
  if (sw.type === 'lab') {
    const target = plan.host.target.trim();
    const lab = /^lab(?::(.+))?$/.exec(target);
    if (!lab) {
      return [said(['drivers', 'switch', 'type'], 'switch.notLab', { target: JSON.stringify(target) })];
    }
    if (lab[1] !== undefined && sw.instance !== undefined && lab[1] !== sw.instance) {
      return [said(['drivers', 'switch', 'instance'], 'switch.hostInstance', { instance: sw.instance, lab: lab[1] })];
    }
    const link = plan.drivers.link as { type: string; instance?: string };
    if (
      link.type === 'lab' &&
      link.instance !== undefined &&
      sw.instance !== undefined &&
      link.instance !== sw.instance
    ) {
      return [
        said(['drivers', 'switch', 'instance'], 'switch.linkInstance', { instance: sw.instance, link: link.instance }),
      ];
    }
    return [];
  }
  if (sw.type === 'command' && JSON.stringify(sw.configure).includes('{port}')) {
    const ports = sw.ports ?? {};
    const missing = plan.bond.slaves.filter((slave) => !Object.hasOwn(ports, slave));
    if (missing.length) {
      return [
        said(['drivers', 'switch', 'ports'], 'switch.portsMissing', {
          slaves: andList(missing),
          count: missing.length,
        }),
      ];
    }
  }
  return [];
}

/** Checks that need the plan as a whole; each error names its field. */
export function semanticErrors(plan: Plan): PlanIssue[] {
  const errors: PlanIssue[] = [];
  const check = (segments: Segment[], fn: () => void) => {
    try {
      fn();
    } catch (error) {
      const message = error instanceof InvalidValueError ? error.message.replace(/^\S+: /, '') : String(error);
      const part = error instanceof InvalidValueError ? error.part : undefined;
      errors.push({ segments, message, ...(part ? { parts: [part] } : {}) });
    }
  };
  const { bond } = plan;
  check(['bond', 'address'], () => assertIPv4Cidr(bond.address, 'bond.address'));
  check(['bond', 'peer'], () => assertIPv4(bond.peer, 'bond.peer'));
  if (errors.length === 0) {
    const [address, prefix] = bond.address.split('/') as [string, string];
    const mask = Number(prefix) === 0 ? 0 : (0xffffffff << (32 - Number(prefix))) >>> 0;
    if ((ipv4ToInt(address) & mask) >>> 0 !== (ipv4ToInt(bond.peer) & mask) >>> 0) {
      errors.push(said(['bond', 'peer'], 'peerSubnet', { peer: bond.peer, address: bond.address }));
    }
    if (address === bond.peer) errors.push(said(['bond', 'peer'], 'peerIsBond'));
  }
  if (plan.host.management && bond.slaves.includes(plan.host.management)) {
    errors.push(said(['bond', 'slaves'], 'managementSlave', { name: plan.host.management }));
  }
  errors.push(...(plan.sweep ? sweepErrors(plan) : bondOptionErrors(plan)));
  plan.steps.forEach((step, i) => {
    if ((step.kind === 'pull' || step.kind === 'plug') && !bond.slaves.includes(step.slave)) {
      errors.push(said(['steps', i], 'stepSlave', { slave: step.slave, slaves: bond.slaves.join(', ') }));
    }
    if (step.kind === 'load') errors.push(...loadStepErrors(plan, i, step));
    if (step.kind === 'power-cycle' || step.kind === 'reboot') {
      // A boot brings up what is on disk: a runtime change would be gone, and the step would measure the old bond.
      const runtime = plan.modes.filter((mode) => mode === 'standalone' || applyMethodFor(plan, mode) === 'runtime');
      if (runtime.length) {
        errors.push(
          said(['steps', i], 'bootRuntime', { kind: step.kind, modes: runtime.join(', '), count: runtime.length }),
        );
      }
    }
  });
  if (
    plan.apply.boot === 'power-cycle' &&
    !plan.modes.some((m) => m !== 'standalone' && applyMethodFor(plan, m) === 'netifrc')
  ) {
    errors.push(said(['apply', 'boot'], 'bootNoNetifrc'));
  }
  check(['bond', 'name'], () => assertInterfaceName(bond.name, 'bond.name'));
  // What the run would refuse when it connects (main/host/target.ts), refused here: root@$(reboot), lab:../../x.
  check(['host', 'target'], () => assertHostTarget(plan.host.target));
  errors.push(...portCoverageErrors(plan));
  errors.push(...switchErrors(plan));
  // What the driver schemas cannot say (templates, OIDs, SNMP credentials): each driver's own checks.
  const driverIssues = (['power', 'link', 'switch'] as const satisfies readonly DriverKind[]).flatMap((kind) => {
    const config = plan.drivers[kind];
    if (!config) return [];
    return (driverDefinition(kind, config.type)?.issues(config) ?? []).map((issue) => ({
      segments: ['drivers', kind, ...segmentsOf(issue.path)],
      message: issue.message,
      ...(issue.part ? { parts: [issue.part] } : {}),
    }));
  });
  errors.push(...driverIssues);
  for (const { segments, url } of urlCredentialIssues(plan)) {
    const parts = [{ key: 'driverCheck.urlCredentials', vars: { url: JSON.stringify(url) } }];
    errors.push({ segments, message: sayReason('en', parts), parts });
  }
  return errors;
}

/** Fills the defaults a plan file may leave out. */
function withDefaults(raw: Record<string, unknown>): Plan {
  const r = raw as unknown as Partial<Plan> & { steps?: unknown[]; bond: Plan['bond'] };
  return {
    version: 1,
    name: r.name ?? 'untitled plan',
    host: r.host!,
    tester: { interface: r.tester?.interface ?? 'auto', portMirrors: r.tester?.portMirrors },
    drivers:
      r.drivers?.power && r.drivers.link ? r.drivers : { power: { type: 'lab' }, link: { type: 'lab' }, ...r.drivers },
    bond: {
      name: r.bond.name ?? 'bond0',
      slaves: r.bond.slaves,
      address: r.bond.address,
      peer: r.bond.peer,
      options: r.bond.options ?? {},
      ...(r.bond.perMode ? { perMode: r.bond.perMode } : {}),
    },
    modes: r.modes!,
    apply: {
      method: r.apply?.method ?? 'runtime',
      perMode: r.apply?.perMode,
      netifrcStyle: r.apply?.netifrcStyle ?? 'writeup',
      ...(r.apply?.boot ? { boot: r.apply.boot } : {}),
      ...(r.apply?.offSeconds !== undefined ? { offSeconds: r.apply.offSeconds } : {}),
    },
    probe: {
      rate: r.probe?.rate ?? DEFAULT_PROBE.rate,
      pullRate: r.probe?.pullRate ?? DEFAULT_PROBE.pullRate,
      arpPolicy: r.probe?.arpPolicy ?? DEFAULT_PROBE.arpPolicy,
      ...(r.probe?.reaskAfterMs !== undefined ? { reaskAfterMs: r.probe.reaskAfterMs } : {}),
    },
    steps: r.steps ? r.steps.map(normaliseStep) : DEFAULT_STEPS,
    repeat: r.repeat ?? 1,
    timeouts: r.timeouts,
    ...(r.sweep ? { sweep: r.sweep } : {}),
  };
}

/** The `yaml` parser's sentence, without the position it appends (the finding carries line and column). */
function yamlDetail(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * A YAML syntax error as parts (`yamlSyntax.*`): in English the parser's own sentence (as `plan check` always
 * printed it), in other languages what its code (yaml's ErrorCode) means and how to fix it, refined by the
 * sentence where one code covers several mistakes (MISSING_CHAR: a quote, a value, a comma).
 */
function yamlSyntaxPart(code: string, detail: string): ReasonPart {
  const kind =
    code === 'MISSING_CHAR' && /closing .?quote/.test(detail)
      ? 'missingQuote'
      : code === 'MISSING_CHAR' && /followed by map values/.test(detail)
        ? 'missingValue'
        : code === 'MISSING_CHAR' && /^Missing ,/.test(detail)
          ? 'missingComma'
          : code === 'BAD_INDENT' && /^Flow (sequence|mapping)/.test(detail)
            ? 'unclosedFlow'
            : YAML_CODES.has(code)
              ? code
              : 'other';
  return { key: 'yamlSyntax.said', vars: { detail, what: { key: `yamlSyntax.kind.${kind}` } } };
}

/** yaml 2.x's ErrorCode values, each with a `yamlSyntax.kind.*` message. */
const YAML_CODES = new Set([
  'ALIAS_PROPS',
  'BAD_ALIAS',
  'BAD_COLLECTION_TYPE',
  'BAD_DIRECTIVE',
  'BAD_DQ_ESCAPE',
  'BAD_INDENT',
  'BAD_PROP_ORDER',
  'BAD_SCALAR_START',
  'BLOCK_AS_IMPLICIT_KEY',
  'BLOCK_IN_FLOW',
  'DUPLICATE_KEY',
  'IMPOSSIBLE',
  'KEY_OVER_1024_CHARS',
  'MISSING_CHAR',
  'MULTILINE_IMPLICIT_KEY',
  'MULTIPLE_ANCHORS',
  'MULTIPLE_DOCS',
  'MULTIPLE_TAGS',
  'NON_STRING_KEY',
  'RESOURCE_EXHAUSTION',
  'TAB_AS_INDENT',
  'TAG_RESOLVE_FAILED',
  'UNEXPECTED_TOKEN',
]);

export interface ParsedPlan {
  plan?: Plan;
  errors: PlanError[];
}

/**
 * Parses and validates a plan file; never throws on bad input. `more`: checks of the caller's (e.g. the CLI's look
 * at a lab's state), reported at their field's line like the plan's own.
 */
export function parsePlan(text: string, options: { more?: (plan: Plan) => PlanIssue[] } = {}): ParsedPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const at = (node: Node | null | undefined): { line?: number; column?: number } => {
    if (!node?.range) return {};
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => ({
        path: '',
        message: yamlDetail(e.message),
        parts: [yamlSyntaxPart(e.code, yamlDetail(e.message))],
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
      })),
    };
  }
  const nodeAt = (segments: Segment[]): Node | undefined => {
    // The deepest node that exists: a missing field is reported where its parent is.
    for (let n = segments.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
      if (node && (isMap(node) || isSeq(node) || isScalar(node))) {
        if (n === segments.length && isMap(doc.getIn(segments.slice(0, n - 1), true))) {
          // For a key, point at the key itself rather than its value.
          const parent = doc.getIn(segments.slice(0, n - 1), true);
          const pair = isMap(parent)
            ? parent.items.find((item) => isScalar(item.key) && item.key.value === segments[n - 1])
            : undefined;
          if (pair && isScalar(pair.key)) return pair.key;
        }
        return node as Node;
      }
    }
    return undefined;
  };
  const value = doc.toJS() as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      errors: [planError(said([], 'notMapping'), { line: 1, column: 1 })],
    };
  }
  const shape = schemaErrors(validateShape(value));
  if (shape.length > 0) {
    return {
      errors: shape.map((e) => planError(e, at(nodeAt(e.segments)))),
    };
  }
  const plan = withDefaults(value as Record<string, unknown>);
  const semantic = [...semanticErrors(plan), ...(options.more?.(plan) ?? [])];
  if (semantic.length > 0) {
    return {
      errors: semantic.map((e) => planError(e, at(nodeAt(e.segments)))),
    };
  }
  return { plan, errors: [] };
}

/** A finding as the API and CLI report it: path text, English message, its parts when it has them, line. */
function planError(issue: PlanIssue, at: { line?: number; column?: number }): PlanError {
  return {
    path: pathText(issue.segments),
    message: issue.message,
    ...(issue.parts ? { parts: issue.parts } : {}),
    ...at,
  };
}

/** Parses a plan or throws PlanInvalidError listing every problem. */
export function loadPlan(text: string, source = 'plan'): Plan {
  const { plan, errors } = parsePlan(text);
  if (!plan) throw new PlanInvalidError(errors, source);
  return plan;
}

/** Validates a Plan built in code (the UI's form, the built-in default) the same way a file is validated. */
export function checkPlan(plan: Plan): PlanError[] {
  return parsePlan(planToYaml(plan)).errors;
}

/**
 * A plan as YAML, with a syntax reminder in `language` as comments above it (the UI's editor, a run folder's
 * plan.yaml in English, a report's plan section in the report's language). Parses back to the same plan.
 */
export function planToYaml(plan: Plan, language: Language = 'en'): string {
  const doc = {
    version: plan.version,
    name: plan.name,
    host: plan.host,
    tester: plan.tester,
    drivers: plan.drivers,
    bond: plan.bond,
    modes: plan.modes,
    apply: plan.apply,
    probe: plan.probe,
    steps: plan.steps.map(stepToYaml),
    repeat: plan.repeat,
    ...(plan.sweep ? { sweep: plan.sweep } : {}),
    ...(plan.timeouts ? { timeouts: plan.timeouts } : {}),
  };
  // The syntax reminder above the plan, in the reader's language: one `# ` line per catalogue line.
  const header = `${t(language, 'planFile.header')
    .split('\n')
    .map((line) => `# ${line}`)
    .join('\n')}\n`;
  return header + stringify(JSON.parse(JSON.stringify(doc)), { lineWidth: 120 });
}
