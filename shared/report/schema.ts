/**
 * The published JSON Schema (2020-12) of the JSON report (`bondbench report --format json`): the report model
 * with a `$schema` field naming this schema. Strict (no unknown fields) so that a change of the model without a
 * change here fails the tests. Pure.
 */
import { MODE_NAMES } from '../plan/plan.js';
import { MATRIX_COLUMNS } from '../run/model.js';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const number = { type: 'number' } as const;
const mode = { enum: MODE_NAMES } as const;
const stepKind = { enum: ['bring-up', 'read-macs', 'probe', 'pull', 'plug'] } as const;
const verdict = { enum: ['expected', 'unexpected', 'not-measurable'] } as const;
const shares = { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 1 } } as const;

function object(properties: Record<string, unknown>, optional: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  } as const;
}

const arpCounts = { probe: count, gratuitous: count, request: count, reply: count };

const evidence = object(
  {
    pcapng: str,
    frames: { type: 'array', items: int },
    steps: { type: 'array', items: int },
    readings: { type: 'array', items: str },
  },
  ['pcapng', 'frames', 'steps', 'readings'],
);

const slaveReading = object(
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

const rtt = object({ min: number, median: number, max: number });
const stepHead = { step: int, repetition: int, mode, kind: stepKind, label: str };

export const REPORT_SCHEMA_ID = 'https://bondbench.invalid/schema/report-v1.json';

export const REPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: REPORT_SCHEMA_ID,
  title: 'BondBench report',
  description:
    'One run of BondBench: facts, the matrix with verdicts, statistics, timelines and per-step measurements.',
  ...object(
    {
      $schema: { const: REPORT_SCHEMA_ID },
      kind: { const: 'bondbench-report' },
      version: { const: 1 },
      language: { enum: ['en', 'zh-CN'] },
      title: str,
      run: object({
        id: str,
        planName: str,
        status: { enum: ['running', 'completed', 'failed', 'cancelled', 'interrupted'] },
        startedAt: str,
        finishedAt: nullable(str),
        durationMs: nullable(number),
        benchVersion: str,
        host: nullable(object({ target: str, kernel: str, distribution: str })),
        nics: {
          type: 'array',
          items: object({
            name: str,
            mac: str,
            permanentMac: nullable(str),
            driver: nullable(str),
            speedMbps: nullable(number),
          }),
        },
        tester: nullable(
          object({ interface: str, address: nullable(str), mac: nullable(str), filter: str, timestamps: str }),
        ),
        restored: nullable({ type: 'boolean' }),
        error: nullable(str),
        stepsDone: count,
        totalSteps: count,
      }),
      plan: object({
        name: str,
        target: str,
        bond: object({ name: str, slaves: { type: 'array', items: str }, address: str, peer: str }),
        options: { type: 'array', items: object({ name: str, value: str }) },
        modes: { type: 'array', items: mode },
        apply: object({
          method: str,
          perMode: { type: 'array', items: object({ mode, method: str }) },
          netifrcStyle: str,
        }),
        probeRate: number,
        steps: { type: 'array', items: str },
        repeat: { type: 'integer', minimum: 1 },
        drivers: object({ power: str, link: str }),
        yaml: str,
      }),
      columns: {
        type: 'array',
        items: object({ id: { enum: MATRIX_COLUMNS }, title: str }),
      },
      matrix: {
        type: 'array',
        items: object({
          mode,
          modeLabel: str,
          repetition: { type: 'integer', minimum: 1 },
          cells: {
            type: 'array',
            items: object({
              column: { enum: MATRIX_COLUMNS },
              value: { anyOf: [str, number, { type: 'boolean' }, { type: 'null' }] },
              text: str,
              verdict,
              verdictText: str,
              reason: str,
              evidence,
            }),
          },
          notes: { type: 'array', items: str },
        }),
      },
      failover: {
        type: 'array',
        items: object({
          mode,
          slave: nullable(str),
          count: { type: 'integer', minimum: 1 },
          pulls: count,
          minMs: number,
          medianMs: number,
          maxMs: number,
          valuesMs: { type: 'array', items: number, minItems: 1 },
          steps: { type: 'array', items: int },
          resolutionMs: number,
        }),
      },
      pulls: {
        type: 'array',
        items: object({
          ...stepHead,
          slave: str,
          pcapng: nullable(str),
          rate: number,
          carrierOffUncertaintyMs: number,
          confirmedMs: nullable(number),
          confirmedBy: nullable({ enum: ['mii', 'carrier'] }),
          lastReplyBeforeMs: nullable(number),
          reactionMs: nullable(number),
          reaction: nullable(str),
          reaskMs: nullable(number),
          firstReplyAfterMs: nullable(number),
          replyPorts: str,
          requestPorts: str,
          gapMs: number,
          lossDerivedMs: number,
          lost: count,
          sentInOutage: count,
          lossSpanMs: number,
          partial: { type: 'boolean' },
          endedBy: str,
          lostPaths: str,
        }),
      },
      timelines: {
        type: 'array',
        items: object({
          ...stepHead,
          slave: nullable(str),
          caption: str,
          rate: number,
          sent: count,
          received: count,
          lost: count,
          duplicates: count,
          rttMs: nullable(rtt),
          failoverMs: nullable(number),
          gapFrames: nullable({ type: 'array', items: int, minItems: 2, maxItems: 2 }),
          pcapng: nullable(str),
          samples: {
            type: 'array',
            items: { type: 'array', prefixItems: [number, nullable(number)], minItems: 2, maxItems: 2 },
          },
          markers: { type: 'array', items: object({ atMs: number, label: str }) },
        }),
      },
      arp: {
        type: 'array',
        items: object({
          ...stepHead,
          pcapng: nullable(str),
          ...arpCounts,
          frames: { type: 'array', items: int },
          bySource: { type: 'array', items: object({ mac: str, ...arpCounts }) },
        }),
      },
      share: {
        type: 'array',
        items: object({
          ...stepHead,
          source: { enum: ['host-counters', 'switch-ports'] },
          shares: { type: 'array', items: object({ slave: str, share: { type: 'number', minimum: 0, maximum: 1 } }) },
        }),
      },
      steps: {
        type: 'array',
        items: object({
          index: int,
          repetition: int,
          mode,
          kind: stepKind,
          slave: nullable(str),
          label: str,
          status: { enum: ['ok', 'failed'] },
          error: nullable(str),
          startedAt: str,
          durationMs: number,
          applyMethod: nullable({ enum: ['runtime', 'netifrc'] }),
          rebootMs: nullable(number),
          pcapng: nullable(str),
          firstFrame: nullable(int),
          lastFrame: nullable(int),
          bondMode: nullable(str),
          bondMac: nullable(str),
          activeSlave: nullable(str),
          miimon: nullable(number),
          slaves: { type: 'array', items: slaveReading },
          arpProbe: nullable(count),
          arpGratuitous: nullable(count),
          arpRequest: nullable(count),
          arpReply: nullable(count),
          learningFrames: nullable(count),
          unsolicitedNa: nullable(count),
          lacpdus: nullable(count),
          droppedFrames: nullable(count),
          probeRate: nullable(number),
          sent: nullable(count),
          received: nullable(count),
          lost: nullable(count),
          duplicates: nullable(count),
          reordered: nullable(count),
          rttMinMs: nullable(number),
          rttMedianMs: nullable(number),
          rttMaxMs: nullable(number),
          failoverMs: nullable(number),
          lossConvergenceMs: nullable(number),
          detectionMs: nullable(number),
          gapFrameBefore: nullable(int),
          gapFrameAfter: nullable(int),
          txShare: nullable(shares),
          portShare: nullable(shares),
        }),
      },
      warnings: {
        type: 'array',
        items: object({
          kind: { enum: ['status', 'incomplete', 'not-restored', 'run', 'error', 'step-failed', 'dropped-frames'] },
          step: nullable(int),
          text: str,
        }),
      },
    },
    ['$schema'],
  ),
} as const;
