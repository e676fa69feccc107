/**
 * The JSON Schemas (2020-12) of a run folder's files as read back — `run.json` (RunManifest) and one line of
 * `steps.jsonl` (StepRecord) — and their validation with errors naming the file and line. A run folder is mailed
 * around and opened by someone else's bench: nothing in it is used before it passes here. The building blocks
 * (slave reading, ARP counts, shares…) are the ones the JSON report's schema (shared/report/schema.ts) is made of.
 *
 * Fields this version does not know are allowed (a newer bench adds some) and ignored; every field it knows has
 * its type checked, numbers finite, records keyed by strings with values of one shape. Pure.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { sayReason } from '../oracle/failover.js';
import { MODE_NAMES } from '../plan/plan.js';
import type { LogRecord } from './log.js';
import { type ReasonPart, RUN_FORMAT, type RunManifest, type StepRecord } from './model.js';
import { SaidError } from './said-error.js';

export const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const count = { type: 'integer', minimum: 0 } as const;
export const number = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;
export const mode = { enum: MODE_NAMES } as const;
export const STEP_KINDS = ['bring-up', 'read-macs', 'probe', 'pull', 'plug', 'power-cycle', 'reboot', 'load'] as const;
export const stepKind = { enum: STEP_KINDS } as const;
export const shares = { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 1 } } as const;
export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;

/** An object with exactly these properties (the report's strict shapes). */
export function object(properties: Record<string, unknown>, optional: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  } as const;
}

/** An object with these properties typed and others allowed (files a newer bench may have written). */
function open(properties: Record<string, unknown>, optional: string[] = []) {
  return { ...object(properties, optional), additionalProperties: true } as const;
}

/**
 * How deep the run's own messages nest parts: a run's error (failure.run) around a stop (error.runStop.*) around a
 * driver's failure around the OS's cause is four; a log line's is as deep. Files deeper than this are refused.
 */
export const MESSAGE_DEPTH = 8;

/** A message part (ReasonPart) nested up to `depth` parts deep: a catalogue key and its values. */
function messagePart(depth: number): Record<string, unknown> {
  const value = depth > 1 ? { anyOf: [str, number, messagePart(depth - 1)] } : { anyOf: [str, number] };
  return object(
    { key: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, vars: { type: 'object', additionalProperties: value } },
    ['vars'],
  );
}
/** A message said in parts (RunManifest.warningParts, errorParts), as the run wrote them. */
export const messageParts = { type: 'array', items: messagePart(MESSAGE_DEPTH) } as const;

/** What crossed one port while the host booted (BootRecord.wire), frames by kind; the report keeps the same. */
export const bootWire = {
  port: str,
  frames: count,
  arpProbe: count,
  arpGratuitous: count,
  arpOther: count,
  lacpdus: count,
  learningFrames: count,
};

export const arpCounts = { probe: count, gratuitous: count, request: count, reply: count };

export const slaveReading = object(
  {
    name: str,
    mac: str,
    permanentMac: str,
    mii: str,
    linkFailures: count,
    aggregatorId: int,
    txPackets: count,
    rxPackets: count,
  },
  ['permanentMac', 'linkFailures', 'aggregatorId'],
);

export const rtt = object({ min: number, median: number, max: number });

const isoTime = { type: 'string', maxLength: 64 } as const;

/** run.json: RunManifest (shared/run/model.ts), plus the writer's pid while it runs. */
export const RUN_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://bondbench.invalid/schema/run-manifest-v1.json',
  title: 'BondBench run.json',
  ...open(
    {
      format: { const: RUN_FORMAT },
      id: str,
      benchVersion: str,
      planName: str,
      startedAt: isoTime,
      finishedAt: isoTime,
      status: { enum: RUN_STATUSES },
      host: open({
        target: str,
        kernel: str,
        distribution: str,
        nics: {
          type: 'array',
          items: open({ name: str, mac: str, permanentMac: str, driver: str, speedMbps: number }, [
            'permanentMac',
            'driver',
            'speedMbps',
          ]),
        },
      }),
      tester: open({ interface: str, address: str, mac: str, filter: str, timestamps: str }, ['address', 'mac']),
      totalSteps: count,
      restored: bool,
      warnings: { type: 'array', items: str },
      warningParts: { type: 'array', items: { anyOf: [messageParts, { type: 'null' }] } },
      error: str,
      errorParts: messageParts,
      pid: { type: 'integer', minimum: 1 },
    },
    ['finishedAt', 'host', 'tester', 'restored', 'warningParts', 'error', 'errorParts', 'pid'],
  ),
} as const;

const probeStats = open(
  {
    rate: number,
    achievedRate: number,
    sent: count,
    received: count,
    lost: count,
    duplicates: count,
    reordered: count,
    rttMs: rtt,
    failoverMs: number,
    lossConvergenceMs: number,
    detectionMs: number,
    gapFrames: { type: 'array', items: int, minItems: 2, maxItems: 2 },
    samples: {
      type: 'array',
      items: { type: 'array', prefixItems: [number, nullable(number)], minItems: 2, maxItems: 2 },
    },
    markers: { type: 'array', items: open({ atMs: number, label: str }) },
  },
  ['achievedRate', 'rttMs', 'failoverMs', 'lossConvergenceMs', 'detectionMs', 'gapFrames'],
);

/** CaptureLoss (shared/run/model.ts): one capture file's counts in one step. */
const captureLoss = open(
  {
    file: str,
    port: str,
    received: count,
    written: count,
    kernelDropped: count,
    interfaceDropped: count,
    writerDropped: count,
    liveSkipped: count,
    writerError: str,
  },
  ['writerError'],
);

const measurements = open(
  {
    arp: object(arpCounts),
    arpBySource: { type: 'object', additionalProperties: object(arpCounts) },
    arpFrames: { type: 'array', items: count },
    bondIpMacs: { type: 'array', items: str },
    txShare: shares,
    portShare: shares,
    learningFrames: count,
    unsolicitedNa: count,
    lacpdus: count,
    probe: probeStats,
    droppedFrames: count,
  },
  ['txShare', 'portShare', 'probe'],
);

const hostReading = open(
  {
    at: str,
    bondMode: str,
    bondMac: str,
    activeSlave: str,
    miimon: number,
    slaves: { type: 'array', items: { ...slaveReading, additionalProperties: true } },
    lacp: open(
      {
        partnerMac: str,
        aggregators: count,
        lacpRate: str,
        negotiated: bool,
        outcome: str,
        reason: str,
      },
      ['partnerMac', 'lacpRate'],
    ),
  },
  ['bondMode', 'bondMac', 'activeSlave', 'miimon', 'lacp'],
);

/** One line of steps.jsonl: StepRecord (shared/run/model.ts). */
export const STEP_RECORD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://bondbench.invalid/schema/step-record-v1.json',
  title: 'BondBench steps.jsonl record',
  ...open(
    {
      index: count,
      point: count,
      repetition: { type: 'integer', minimum: 1 },
      mode,
      // Kinds are added with new step types; a name of this shape is safe to show and judged only if known.
      kind: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
      slave: str,
      label: str,
      startedAt: isoTime,
      durationMs: { type: 'number', minimum: 0 },
      status: { enum: ['ok', 'failed'] },
      error: str,
      errorParts: messageParts,
      apply: open(
        { method: { enum: ['runtime', 'netifrc'] }, rebootMs: number, verified: { type: 'array', items: str } },
        ['rebootMs', 'verified'],
      ),
      switch: open(
        { driver: str, channel: { enum: ['lacp', 'static', 'none'] }, attachedTo: str, ms: number, lacpMs: number },
        ['lacpMs'],
      ),
      boot: open(
        {
          via: { enum: ['reboot', 'power-cycle'] },
          driver: str,
          offSeconds: count,
          bootMs: number,
          attempts: count,
          bootId: str,
          persisted: open(
            { matches: bool, differences: { type: 'array', items: str }, differenceParts: messageParts },
            ['differenceParts'],
          ),
          wire: {
            type: 'array',
            items: open(bootWire),
          },
          recoveries: {
            type: 'array',
            items: open(
              {
                attempt: count,
                at: str,
                reason: str,
                bootMs: number,
                outcome: { enum: ['back', 'still-down', 'power-failed'] },
              },
              ['bootMs'],
            ),
          },
        },
        ['driver', 'offSeconds', 'bootMs', 'attempts', 'bootId', 'persisted', 'wire', 'recoveries'],
      ),
      pcapng: str,
      frames: open({ first: count, last: count }),
      capture: { type: 'array', items: captureLoss },
      reading: hostReading,
      measurements,
    },
    [
      'point',
      'slave',
      'error',
      'errorParts',
      'apply',
      'switch',
      'boot',
      'pcapng',
      'frames',
      'capture',
      'reading',
      'measurements',
    ],
  ),
} as const;

/**
 * A file of a run folder that does not have the shape this bench reads; the message names file and line.
 * `detail` is an `error.runFile.*` part (`detail` the field holds its English).
 */
export class RunFileError extends SaidError {
  readonly detail: string;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: ReasonPart,
  ) {
    super('RunFileError', line ? 'error.runFile.atLine' : 'error.runFile.at', { file, line: line ?? 0, detail });
    this.detail = sayReason('en', [detail]);
  }
}

/**
 * A line of log.jsonl (shared/run/log.ts LogRecord): its time and a message part. Parts nest as deep as an error's
 * cause chain joined (`failure.parts`) inside a log line.
 */
export const LOG_RECORD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  ...open({ at: isoTime, ...(messagePart(MESSAGE_DEPTH) as { properties: Record<string, unknown> }).properties }, [
    'vars',
  ]),
} as const;

type Validator = ReturnType<Ajv2020['compile']>;
let compiled: { manifest: Validator; step: Validator; log: Validator } | undefined;
function validators() {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    compiled = {
      manifest: ajv.compile(RUN_MANIFEST_SCHEMA),
      step: ajv.compile(STEP_RECORD_SCHEMA),
      log: ajv.compile(LOG_RECORD_SCHEMA),
    };
  }
  return compiled;
}

function describe(error: ErrorObject | undefined): { path: string[]; text: ReasonPart } {
  if (!error) return { path: [], text: { key: 'error.runFile.shape' } };
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = path.length ? path.join('.') : { key: 'error.runFile.theRecord' };
  const params = error.params as Record<string, unknown>;
  const said = (key: string, vars: Record<string, string> = {}) => ({
    key: `error.runFile.${key}`,
    vars: { where, ...vars },
  });
  switch (error.keyword) {
    case 'required':
      return { path, text: said('missing', { field: JSON.stringify(params.missingProperty) }) };
    case 'additionalProperties':
      return { path, text: said('unexpected', { field: JSON.stringify(params.additionalProperty) }) };
    case 'enum':
      return {
        path,
        text: said('oneOf', { values: (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ') }),
      };
    case 'const':
      return { path, text: said('mustBe', { value: JSON.stringify(params.allowedValue) }) };
    default:
      // ajv's own words (English), quoted in other languages.
      return { path, text: error.message ? said('ajv', { message: error.message }) : said('invalid') };
  }
}

/** The 1-based line of the value at `path` in a JSON text (via the YAML parser, of which JSON is a subset). */
function lineOf(text: string, path: string[]): number | undefined {
  try {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    for (let n = path.length; n >= 0; n--) {
      const segments = path.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const node = (n === 0 ? doc.contents : doc.getIn(segments, true)) as Node | null | undefined;
      if (!node?.range) continue;
      const parent = n > 0 ? doc.getIn(segments.slice(0, -1), true) : undefined;
      const pair = isMap(parent)
        ? parent.items.find((item) => isScalar(item.key) && item.key.value === segments[n - 1])
        : undefined;
      const at = pair && isScalar(pair.key) && pair.key.range ? pair.key.range[0] : node.range[0];
      return counter.linePos(at).line;
    }
  } catch {
    // No line then: the message still names the file and the field.
  }
  return undefined;
}

/** Parses and validates run.json; throws RunFileError (file and line) when it is not JSON or not a manifest. */
export function parseRunManifest(text: string, file = 'run.json'): RunManifest & { pid?: number } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(file, undefined, {
      key: 'error.runFile.notJson',
      vars: { error: (error as Error).message },
    });
  }
  const validate = validators().manifest;
  if (!validate(value)) {
    const { path, text: detail } = describe(validate.errors?.[0]);
    throw new RunFileError(file, lineOf(text, path), detail);
  }
  return value as RunManifest & { pid?: number };
}

/**
 * Parses one line of steps.jsonl (1-based `line`); throws RunFileError naming the file and line. A line that is
 * not JSON at all is reported the same way (the caller decides whether a cut-off last line is tolerated).
 */
export function parseStepRecord(text: string, file: string, line: number): StepRecord {
  return parseLine(validators().step, text, file, line) as StepRecord;
}

/** Parses one line of log.jsonl (1-based `line`); throws RunFileError naming the file and line. */
export function parseLogRecord(text: string, file: string, line: number): LogRecord {
  return parseLine(validators().log, text, file, line) as LogRecord;
}

/** One line of a JSON-lines file through a validator; RunFileError (file and line) when it is not JSON or not valid. */
function parseLine(validate: Validator, text: string, file: string, line: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(file, line, { key: 'error.runFile.notJson', vars: { error: (error as Error).message } });
  }
  if (!validate(value)) throw new RunFileError(file, line, describe(validate.errors?.[0]).text);
  return value;
}
