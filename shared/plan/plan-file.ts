/**
 * Plan files: YAML in, a validated Plan out, every error pointing at its line. The schema checks shape
 * (ajv, JSON Schema 2020-12); the checks after it need the whole plan (same subnet, primary among the slaves…).
 */

import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, stringify } from 'yaml';
import { BONDING_MODES, type BondingMode } from '../bonding/modes.js';
import { BOND_OPTIONS_SCHEMA, type BondOptionIssue, checkBondRequest } from '../bonding/options.js';
import {
  type DriverKind,
  describeDriverSchemaError,
  driverDefinition,
  LINK_DRIVER_SCHEMA,
  POWER_DRIVER_SCHEMA,
  SWITCH_DRIVER_SCHEMA,
} from '../drivers/config.js';
import { LAB_MAX_PEERS, LAB_NETWORK, labLoadPeer } from '../lab/topology.js';
import { assertInterfaceName, assertIPv4, assertIPv4Cidr, InvalidValueError } from '../net/names.js';
import { assertHostTarget } from '../net/ssh-destination.js';
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
  message: string;
  line?: number;
  column?: number;
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
function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  if (error.instancePath.startsWith('/drivers/')) return describeDriverSchemaError(error);
  switch (error.keyword) {
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return 'must be an interface name (letters, digits, . _ -, at most 15 characters)';
    case 'oneOf':
      return 'is none of the accepted forms (see `bondbench plan init` for examples)';
    default:
      return describeDriverSchemaError(error);
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
function schemaErrors(errors: ErrorObject[]): { segments: Segment[]; message: string }[] {
  const byPath = new Map<string, { segments: Segment[]; message: string; rank: number }>();
  for (const error of errors) {
    const segments = decodePointer(error.instancePath);
    if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
      // Point at the field itself when it exists.
      const name = (error.params as Record<string, string>).additionalProperty;
      if (name) segments.push(name);
    }
    const key = pathText(segments);
    const rank = error.keyword === 'oneOf' ? 0 : error.keyword === 'type' ? 1 : 2;
    const current = byPath.get(key);
    if (!current || rank > current.rank) byPath.set(key, { segments, message: describe(error), rank });
  }
  return [...byPath.values()];
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
export function bondOptionErrors(plan: Plan): { segments: Segment[]; message: string }[] {
  const grouped = new Map<string, { segments: Segment[]; message: string; modes: string[] }>();
  for (const mode of plan.modes) {
    if (mode === 'standalone') continue;
    for (const issue of checkBondRequest(modeRequest(plan, mode)).issues) {
      const segments = issueSegments(plan, mode, issue);
      const key = `${pathText(segments)}\n${issue.message}`;
      const entry = grouped.get(key) ?? { segments, message: issue.message, modes: [] };
      entry.modes.push(mode);
      grouped.set(key, entry);
    }
  }
  const errors = [...grouped.values()].map((e) => ({
    segments: e.segments,
    message: e.message.replaceAll('%mode', e.modes.join(', ')),
  }));
  for (const mode of Object.keys(plan.bond.perMode ?? {})) {
    if (!plan.modes.includes(mode as BondingMode)) {
      errors.push({
        segments: ['bond', 'perMode', mode],
        message: `${mode} is not in modes: these settings would never be used`,
      });
    }
  }
  return errors;
}

/**
 * A sweep: the option rules at every point (an error caused by a swept value points at that value), and no
 * per-mode setting that would hide a swept option from its mode.
 */
function sweepErrors(plan: Plan): { segments: Segment[]; message: string }[] {
  const errors = new Map<string, { segments: Segment[]; message: string }>();
  const axes = Object.entries(plan.sweep ?? {}) as [SweepOption, SweepValue[]][];
  const points = sweepPoints(plan);
  // Which points each error shows at: one at every point is the plan's; one at some is a swept value's doing.
  const seen = new Map<string, { error: { segments: Segment[]; message: string }; points: Set<number> }>();
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
      const message = `at ${where}: ${axis && field !== axis[0] ? `${field}: ` : ''}${error.message}`;
      const key = `${pathText(segments)}\n${message}`;
      if (!errors.has(key)) errors.set(key, { segments, message });
    }
  }
  for (const [mode, own] of Object.entries(plan.bond.perMode ?? {})) {
    for (const [option] of axes) {
      if (own && option in own) {
        errors.set(`perMode ${mode} ${option}`, {
          segments: ['bond', 'perMode', mode, option],
          message: `sets ${option}, which the sweep varies: ${mode} would never see the swept values`,
        });
      }
    }
  }
  return [...errors.values()];
}

/** A link driver that maps slaves to switch ports must map every slave a step pulls or plugs. */
function portCoverageErrors(plan: Plan): { segments: Segment[]; message: string }[] {
  const link = plan.drivers.link as { type: string; ports?: Record<string, unknown> } & Record<string, unknown>;
  const templates = JSON.stringify([link.pull, link.plug, link.state]);
  const mapsPorts = link.type === 'snmp' || (link.type === 'command' && templates.includes('{port}'));
  if (!mapsPorts) return [];
  const ports = link.ports ?? {};
  const used = [...new Set(plan.steps.flatMap((s) => (s.kind === 'pull' || s.kind === 'plug' ? [s.slave] : [])))];
  // Own keys only: a slave named like an Object property (constructor, toString) is not mapped by inheritance.
  const missing = used.filter((slave) => !Object.hasOwn(ports, slave));
  return missing.length
    ? [
        {
          segments: ['drivers', 'link', 'ports'],
          message: `does not say which switch port ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} cabled to, and the steps pull ${missing.length > 1 ? 'them' : 'it'}`,
        },
      ]
    : [];
}

/**
 * A load step's peers are made in the lab's namespace (labLoadPeer: 10.77.1.101 on), and its spread is read from
 * the slaves' port mirrors: refused for a host that is not a lab, a bond off the lab's subnet, mirrors that do not
 * cover every slave, or more traffic than the tester can send.
 */
function loadStepErrors(
  plan: Plan,
  index: number,
  step: Extract<StepSpec, { kind: 'load' }>,
): { segments: Segment[]; message: string }[] {
  const errors: { segments: Segment[]; message: string }[] = [];
  const at: Segment[] = ['steps', index];
  if (!/^lab(:|$)/.test(plan.host.target.trim())) {
    errors.push({
      segments: at,
      message: 'a load step makes its peers in the virtual lab’s namespace: host.target must be lab or lab:<instance>',
    });
  }
  const [address] = plan.bond.address.split('/');
  if (!address?.startsWith('10.77.1.') || plan.bond.address.split('/')[1] !== '24') {
    errors.push({
      segments: at,
      message: `the load peers live on the lab’s ${LAB_NETWORK.bondSubnet}: bond.address must be in it`,
    });
  } else {
    const clash = Array.from({ length: step.peers }, (_, i) => labLoadPeer(i + 1).address).find(
      (a) => a === address || a === plan.bond.peer,
    );
    if (clash)
      errors.push({ segments: at, message: `peer address ${clash} is the bond’s or the tester’s: use fewer peers` });
  }
  const mirrors = plan.tester.portMirrors ?? {};
  const unmirrored = plan.bond.slaves.filter((s) => !Object.hasOwn(mirrors, s));
  if (unmirrored.length) {
    errors.push({
      segments: at,
      message: `the spread is read from the slaves’ port mirrors, and tester.portMirrors has none for ${unmirrored.join(', ')}`,
    });
  }
  if (step.peers * step.flows > MAX_LOAD_FLOWS) {
    errors.push({
      segments: at,
      message: `${step.peers} peers × ${step.flows} flows is more than the ${MAX_LOAD_FLOWS} flows a load step runs`,
    });
  }
  if (step.peers * step.flows * step.rate > MAX_LOAD_RATE) {
    errors.push({
      segments: at,
      message: `${step.peers} peers × ${step.flows} flows × ${step.rate}/s is more than the ${MAX_LOAD_RATE} requests/s the tester sends`,
    });
  }
  return errors;
}

/**
 * A switch driver that cannot do its job for this plan: the lab's switch re-cables a lab, so the host must be that
 * lab (whether it was brought up with its LACP partner, `lab up --lacp`, the run's preflight checks); a command
 * run once per slave with `{port}` must know every slave's port.
 */
function switchErrors(plan: Plan): { segments: Segment[]; message: string }[] {
  const sw = plan.drivers.switch as
    | ({ type: string; instance?: string; ports?: object } & Record<string, unknown>)
    | undefined;
  if (!sw) return [];
  if (sw.type === 'lab') {
    const target = plan.host.target.trim();
    const lab = /^lab(?::(.+))?$/.exec(target);
    if (!lab) {
      return [
        {
          segments: ['drivers', 'switch', 'type'],
          message: `the lab switch re-cables the virtual lab, but host.target ${JSON.stringify(target)} is not a lab: use a command switch driver for a real switch`,
        },
      ];
    }
    if (lab[1] !== undefined && sw.instance !== undefined && lab[1] !== sw.instance) {
      return [
        {
          segments: ['drivers', 'switch', 'instance'],
          message: `is ${sw.instance}, but the host is lab instance ${lab[1]}: the switch must be the host's own lab`,
        },
      ];
    }
    const link = plan.drivers.link as { type: string; instance?: string };
    if (
      link.type === 'lab' &&
      link.instance !== undefined &&
      sw.instance !== undefined &&
      link.instance !== sw.instance
    ) {
      return [
        {
          segments: ['drivers', 'switch', 'instance'],
          message: `is ${sw.instance}, but drivers.link pulls the cables of lab instance ${link.instance}`,
        },
      ];
    }
    return [];
  }
  if (sw.type === 'command' && JSON.stringify(sw.configure).includes('{port}')) {
    const ports = sw.ports ?? {};
    const missing = plan.bond.slaves.filter((slave) => !Object.hasOwn(ports, slave));
    if (missing.length) {
      return [
        {
          segments: ['drivers', 'switch', 'ports'],
          message: `does not say which switch port ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} cabled to, and every slave's port is configured for each mode`,
        },
      ];
    }
  }
  return [];
}

/** Checks that need the plan as a whole; each error names its field. */
export function semanticErrors(plan: Plan): { segments: Segment[]; message: string }[] {
  const errors: { segments: Segment[]; message: string }[] = [];
  const check = (segments: Segment[], fn: () => void) => {
    try {
      fn();
    } catch (error) {
      const message = error instanceof InvalidValueError ? error.message.replace(/^\S+: /, '') : String(error);
      errors.push({ segments, message });
    }
  };
  const { bond } = plan;
  check(['bond', 'address'], () => assertIPv4Cidr(bond.address, 'bond.address'));
  check(['bond', 'peer'], () => assertIPv4(bond.peer, 'bond.peer'));
  if (errors.length === 0) {
    const [address, prefix] = bond.address.split('/') as [string, string];
    const mask = Number(prefix) === 0 ? 0 : (0xffffffff << (32 - Number(prefix))) >>> 0;
    if ((ipv4ToInt(address) & mask) >>> 0 !== (ipv4ToInt(bond.peer) & mask) >>> 0) {
      errors.push({
        segments: ['bond', 'peer'],
        message: `${bond.peer} is not on the bond's subnet ${bond.address}: probes could not reach the bond directly`,
      });
    }
    if (address === bond.peer) errors.push({ segments: ['bond', 'peer'], message: 'is the bond’s own address' });
  }
  if (plan.host.management && bond.slaves.includes(plan.host.management)) {
    errors.push({
      segments: ['bond', 'slaves'],
      message: `${plan.host.management} carries the SSH session (host.management) and cannot be enslaved`,
    });
  }
  errors.push(...(plan.sweep ? sweepErrors(plan) : bondOptionErrors(plan)));
  plan.steps.forEach((step, i) => {
    if ((step.kind === 'pull' || step.kind === 'plug') && !bond.slaves.includes(step.slave)) {
      errors.push({
        segments: ['steps', i],
        message: `${step.slave} is not one of bond.slaves (${bond.slaves.join(', ')})`,
      });
    }
    if (step.kind === 'load') errors.push(...loadStepErrors(plan, i, step));
    if (step.kind === 'power-cycle' || step.kind === 'reboot') {
      // A boot brings up what is on disk: a runtime change would be gone, and the step would measure the old bond.
      const runtime = plan.modes.filter((mode) => mode === 'standalone' || applyMethodFor(plan, mode) === 'runtime');
      if (runtime.length) {
        errors.push({
          segments: ['steps', i],
          message: `a ${step.kind} boots what /etc/conf.d/net holds, but ${runtime.join(', ')} ${runtime.length === 1 ? 'is' : 'are'} applied at runtime (standalone always is): set apply.method: netifrc, or leave ${runtime.length === 1 ? 'that mode' : 'those modes'} out`,
        });
      }
    }
  });
  if (
    plan.apply.boot === 'power-cycle' &&
    !plan.modes.some((m) => m !== 'standalone' && applyMethodFor(plan, m) === 'netifrc')
  ) {
    errors.push({
      segments: ['apply', 'boot'],
      message: 'boots a netifrc bring-up, but no mode is applied with netifrc: set apply.method: netifrc',
    });
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
    }));
  });
  errors.push(...driverIssues);
  errors.push(...urlCredentialIssues(plan));
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

export interface ParsedPlan {
  plan?: Plan;
  errors: PlanError[];
}

/**
 * Parses and validates a plan file; never throws on bad input. `more`: checks of the caller's (e.g. the CLI's look
 * at a lab's state), reported at their field's line like the plan's own.
 */
export function parsePlan(
  text: string,
  options: { more?: (plan: Plan) => { segments: Segment[]; message: string }[] } = {},
): ParsedPlan {
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
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
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
      errors: [
        { path: '', message: 'a plan is a YAML mapping (version: 1, host:, bond:, modes: …)', line: 1, column: 1 },
      ],
    };
  }
  const shape = schemaErrors(validateShape(value));
  if (shape.length > 0) {
    return {
      errors: shape.map((e) => ({ path: pathText(e.segments), message: e.message, ...at(nodeAt(e.segments)) })),
    };
  }
  const plan = withDefaults(value as Record<string, unknown>);
  const semantic = [...semanticErrors(plan), ...(options.more?.(plan) ?? [])];
  if (semantic.length > 0) {
    return {
      errors: semantic.map((e) => ({ path: pathText(e.segments), message: e.message, ...at(nodeAt(e.segments)) })),
    };
  }
  return { plan, errors: [] };
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

export function planToYaml(plan: Plan): string {
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
  const header = [
    '# A BondBench plan. Check it with: bondbench plan check <file>; run it with: bondbench run <file>',
    '# host.target: lab | lab:<instance> | an ~/.ssh/config alias | user@host[:port]',
    '# modes: standalone and any of balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb',
    '# apply.method: runtime (sysfs, no reboot) | netifrc (/etc/conf.d/net, then a reboot); apply.perMode overrides',
    '# apply.boot: reboot | power-cycle (how a netifrc bring-up boots; power-cycle goes through drivers.power)',
    '# drivers.switch (optional): told each mode before its bring-up; lab (needs lab up --lacp) | command',
    '# steps (after each mode is brought up): read-macs | probe: <s> | pull: <slave> | plug: <slave>',
    '#   | reboot (over SSH) | power-cycle (or power-cycle: {off: <s>}, through drivers.power)',
    '#   | load (or load: {peers: 4, flows: 2, seconds: 3, rate: 20}: the tester as peers, lab only)',
    '# sweep (optional): one or two bond options over values, e.g. sweep: { miimon: [50, 100, 200] }',
    '',
  ].join('\n');
  return header + stringify(JSON.parse(JSON.stringify(doc)), { lineWidth: 120 });
}
