/**
 * The one API between the bench (main/) and any UI. Served by Electron IPC (preload, contextBridge) and by the
 * browser-mode WebSocket; the renderer cannot tell them apart. Every value is plain JSON. Pure.
 */
import type { DoctorReport } from './doctor/doctor.js';
import type { PlanError } from './plan/plan-file.js';
import type { LogRecord } from './run/log.js';
import type { HostReading, MatrixRow, ReasonPart, RunManifest, StepRecord } from './run/model.js';

export type ReportFormat = 'html' | 'pdf' | 'csv' | 'json' | 'md' | 'zip';
export type Language = 'en' | 'zh-CN';

export interface RunSummary {
  /** The run folder's name: the handle every method takes. */
  id: string;
  startedAt: string;
  /** 'unreadable': the folder is listed but could not be read; `unreadable` says why. */
  status: RunManifest['status'] | 'unreadable';
  /** Why the folder could not be read (file and line), for a folder listed as unreadable; in English. */
  unreadable?: string;
  /** The same as message parts, for the reader's language. */
  unreadableParts?: ReasonPart[];
  planName: string;
  host?: string;
  kernel?: string;
  modes: string[];
  steps: number;
  totalSteps: number;
}

export interface RunView {
  manifest: RunManifest;
  planYaml: string;
  steps: StepRecord[];
  matrix: MatrixRow[];
}

/** One captured frame as the live list shows it (Wireshark's columns). */
export interface FrameSummary {
  /** 1-based, per capture file. */
  no: number;
  /** Seconds since the capture started. */
  time: number;
  source: string;
  destination: string;
  protocol: string;
  info: string;
  /** ARP class or another tag the list colours: probe, gratuitous, request, reply, echo-request, echo-reply, lacp, learning, error. */
  tag?: string;
  /** Capture interface (tester port or a switch port mirror). */
  port: string;
  /**
   * Decoded layers for the detail pane. A recorded run's rows carry them; a live run's rows do not (they are kept
   * on the bench: `frameDetail(runId, ref)`).
   */
  detail?: FrameLayers;
  /** A live row's handle for `frameDetail`: its number among the frames the run delivered (1-based). */
  ref?: number;
}

/** A frame's layers as the detail pane shows them, outermost first: [layer name, [field, value][]]. */
export type FrameLayers = [string, [string, string][]][];

/** One capture file of a recorded run: the tester port's or a switch port mirror's, for one mode and repetition. */
export interface CaptureFileInfo {
  /** Relative to the run folder, as step records name it: "capture/r1-active-backup-tap-eth1.pcapng". */
  file: string;
  /** The capture interface (tester port or port mirror). */
  port: string;
  /** The bond slave whose switch port this mirror copies (plan tester.portMirrors), if it is a mirror. */
  slave?: string;
  mode?: string;
  repetition?: number;
  /** Kept from an interrupted attempt at the mode (a resumed run captured it again). */
  interrupted?: boolean;
  bytes: number;
}

/** A window of a recorded capture file's rows, optionally through the list's display filter. */
export interface CaptureQuery {
  file: string;
  /** First row wanted (0-based, among the rows the filter lets through). */
  offset: number;
  /** Rows wanted, at most CAPTURE_PAGE_LIMIT. */
  limit: number;
  filter?: string;
}

export interface CapturePage {
  file: string;
  port: string;
  /** Frames in the file. */
  total: number;
  /** Rows the filter lets through (total without one). */
  matching: number;
  offset: number;
  /** Rows offset … offset + frames.length − 1; `no` is the frame's number in the file, as Wireshark shows it. */
  frames: FrameSummary[];
  /** Set instead of rows when the filter does not parse. */
  filterError?: string;
}

export const CAPTURE_PAGE_LIMIT = 2000;

/** One pull of a recorded run as the failover chart draws it, read from the run's capture files. Times are ms since
 * the pull (the link driver's call), from libpcap's timestamps. */
export interface PullTraffic {
  step: number;
  slave?: string;
  /** The step's span, ms since the pull. */
  fromMs: number;
  toMs: number;
  /** Echo replies from the bond seen on each capture port: the tester port first, then each slave's mirror. */
  lanes: { port: string; slave?: string; file: string; replies: number[] }[];
  /** The bond's reaction frames (shared/measure/failover.ts failoverSignal's kinds) on each port. */
  reactions: { atMs: number; kind: string; port: string; file: string; no: number }[];
  /** The first of them after the pull on any port: the bond's reaction. */
  firstReactionMs?: number;
  /** Last reply before and first reply after the longest gap that ends after the pull, on the tester port's wire. */
  lastReplyMs?: number;
  firstReplyMs?: number;
  /** The frames the failover cell names (the step's gap frames, tester port), where they are on the wire. */
  namedFrames: { no: number; atMs: number }[];
  /** The step's longest reply gap as measured (ms). */
  gapMs?: number;
  /**
   * From the pull's anatomy (shared/measure/anatomy.ts), when the run recorded one: the instant both carriers went
   * (ms since the pull, ± carrierOffUncertaintyMs), and when the host confirmed the slave down — its MII status
   * (`confirmedBy: 'mii'`, the bond's monitor) or, failing that, the carrier — ms since the pull.
   */
  carrierOffMs?: number;
  carrierOffUncertaintyMs?: number;
  confirmedMs?: number;
  confirmedBy?: 'mii' | 'carrier';
}

export interface HostKeyPrompt {
  target: string;
  keyType: string;
  fingerprint: string;
}

export type HostCheck =
  | {
      ok: true;
      kernel: string;
      distribution: string;
      /** In English: `built-in`, `module` or `missing`, with `, loaded`. */
      bonding: string;
      /** The same as a `checkItem.bonding.*` part, for the UI's language. */
      bondingPart?: ReasonPart;
      interfaces: { name: string; mac: string; addresses: string[] }[];
    }
  | {
      ok: false;
      /** In English (the error's own text). */
      error: string;
      /** The same in message parts (`failure.*`: what failed and why), for the UI's language. */
      errorParts?: ReasonPart[];
      hostKey?: HostKeyPrompt;
    };

export interface TesterInterface {
  /** The capture device name (what a plan's tester.interface holds). */
  name: string;
  /** Windows: the adapter's friendly name ("Ethernet 2"), shown first; the device name is a GUID path. */
  friendlyName?: string;
  mac?: string;
  description?: string;
  addresses: string[];
}

export interface CheckItem {
  /** In English, as are detail and fix. */
  what: string;
  ok: boolean;
  detail: string;
  /** What to do about it when not ok. */
  fix?: string;
  /** what, detail and fix in message parts (`checkItem.*`, `failure.*`), for the UI's language. */
  parts?: { what: ReasonPart; detail: ReasonPart; fix?: ReasonPart };
}

export interface Comparison {
  a: RunSummary;
  b: RunSummary;
  cells: {
    mode: string;
    column: string;
    change: 'same' | 'changed' | 'only-a' | 'only-b';
    a?: string;
    b?: string;
    note?: string;
  }[];
  facts: { name: string; a?: string; b?: string; changed: boolean }[];
  /** Run A's bond slaves, in the plan's order: the names in the per-slave columns' labels (`eth1Mac` → "eth1 MAC"). */
  slaves: string[];
}

export type BenchEvent =
  | { type: 'run-started'; runId: string; totalSteps: number }
  | {
      type: 'progress';
      runId: string;
      step: number;
      totalSteps: number;
      /** In English, as the run's log says it. */
      label: string;
      mode: string;
      /** The step's kind ('bring-up' or a plan step's kind) and slave, for the UI to say the step in its language. */
      stepKind?: string;
      slave?: string;
      /** The sweep point's label (option=value …), when the run sweeps. */
      point?: string;
      etaMs?: number;
    }
  | { type: 'step'; runId: string; step: StepRecord; matrix: MatrixRow[] }
  /**
   * Live frames. `dropped`: frames this client was too slow to receive; `sampled`: frames the tester's live view
   * skipped because traffic outran it (bulk traffic only; every frame is in the capture files).
   */
  | { type: 'frames'; runId: string; frames: FrameSummary[]; dropped: number; sampled?: number }
  | { type: 'host'; runId: string; reading: HostReading }
  | { type: 'probe'; runId: string; sample: { atMs: number; rttMs: number | null } }
  | { type: 'marker'; runId: string; atMs: number; label: string }
  /**
   * A line of the run log: `part` says it (a `log.*` message, shared/run/log.ts) for the reader's language; `line`
   * is its English, as log.txt has it (what clients before `part` print).
   */
  | { type: 'log'; runId: string; line: string; part?: ReasonPart }
  | { type: 'run-finished'; runId: string; status: RunManifest['status']; error?: string };

export interface BenchApi {
  /** The write-up's experiment on the embedded lab, as YAML, its name in `language`. */
  defaultPlan(language: Language): Promise<string>;
  checkPlan(yaml: string): Promise<PlanError[]>;
  /** Connects and probes the host read-only. A first-contact key comes back as a prompt to accept. */
  checkHost(target: string): Promise<HostCheck>;
  acceptHostKey(target: string, fingerprint: string): Promise<void>;
  testerInterfaces(): Promise<TesterInterface[]>;
  /** Probes host, tester and drivers of a plan before a run and says what to fix. */
  checkEverything(yaml: string): Promise<CheckItem[]>;
  /**
   * What will and will not work on this machine (shared/doctor): capture, interfaces, SSH agent, known_hosts, PDF;
   * with probeTarget (IPv4; '' for none) also a 5-second capture and echo probe to it. Lines are message keys.
   */
  doctor(probeTarget: string): Promise<DoctorReport>;
  startRun(yaml: string): Promise<{ runId: string }>;
  cancelRun(runId: string): Promise<void>;
  listRuns(): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunView>;
  deleteRun(runId: string): Promise<void>;
  /** A recorded run's capture files (tester port and port mirrors, per mode and repetition). */
  listCaptures(runId: string): Promise<CaptureFileInfo[]>;
  /**
   * Rows of one of them, decoded on demand through the live list's decoders; the file is indexed once and kept
   * while it is being browsed. Throws when the file is not one of the run's captures.
   */
  readCapture(runId: string, query: CaptureQuery): Promise<CapturePage>;
  /** A pull step's replies per port and the bond's reaction around it, for the failover chart. */
  pullTraffic(runId: string, step: number): Promise<PullTraffic>;
  /**
   * A live run's frame's layers by the row's `ref`, or null once the bench no longer keeps them (it keeps the
   * last 50 000 frames' of a running run; the capture file has them all).
   */
  frameDetail(runId: string, ref: number): Promise<FrameLayers | null>;
  /** Run A against run B, its cells, notes and facts worded in `language`. */
  compareRuns(a: string, b: string, language: Language): Promise<Comparison>;
  /**
   * A recorded run's log, line by line as message parts (log.jsonl, validated; a run recorded before it gives its
   * log.txt lines as written, `log.text`). Throws when the run cannot be found or its log is not valid.
   */
  readRunLog(runId: string): Promise<LogRecord[]>;
  /** A report as a file: name, MIME type and base64 content. */
  exportReport(
    runId: string,
    format: ReportFormat,
    language: Language,
  ): Promise<{ fileName: string; mime: string; base64: string }>;
}

export const API_METHODS = [
  'defaultPlan',
  'checkPlan',
  'checkHost',
  'acceptHostKey',
  'testerInterfaces',
  'checkEverything',
  'doctor',
  'startRun',
  'cancelRun',
  'listRuns',
  'getRun',
  'deleteRun',
  'listCaptures',
  'readCapture',
  'pullTraffic',
  'frameDetail',
  'readRunLog',
  'compareRuns',
  'exportReport',
] as const satisfies readonly (keyof BenchApi)[];

export type ApiMethod = (typeof API_METHODS)[number];

/** Each method's arguments as they must arrive from a page: 'string', 'integer', or 'object' (a plain JSON object). */
export const API_PARAMS: Readonly<Record<ApiMethod, readonly ('string' | 'integer' | 'object')[]>> = {
  defaultPlan: ['string'],
  checkPlan: ['string'],
  checkHost: ['string'],
  acceptHostKey: ['string', 'string'],
  testerInterfaces: [],
  checkEverything: ['string'],
  doctor: ['string'],
  startRun: ['string'],
  cancelRun: ['string'],
  listRuns: [],
  getRun: ['string'],
  deleteRun: ['string'],
  listCaptures: ['string'],
  readCapture: ['string', 'object'],
  pullTraffic: ['string', 'integer'],
  frameDetail: ['string', 'integer'],
  readRunLog: ['string'],
  compareRuns: ['string', 'string', 'string'],
  exportReport: ['string', 'string', 'string'],
};

/**
 * Checks a call's arguments as they arrive from a page (WebSocket or IPC) against API_PARAMS: their number and
 * types. Throws an Error saying what the method takes.
 */
export function checkApiArguments(method: ApiMethod, params: readonly unknown[]): void {
  const expected = API_PARAMS[method];
  const ok =
    params.length === expected.length &&
    params.every((p, i) =>
      expected[i] === 'string'
        ? typeof p === 'string'
        : expected[i] === 'integer'
          ? Number.isSafeInteger(p)
          : typeof p === 'object' && p !== null && !Array.isArray(p),
    );
  if (!ok) {
    // Said in parts without SaidError: the desktop shell's sandboxed preload bundles this module, and must not
    // bundle the catalogue (nor require i18next, which a sandboxed preload cannot).
    const parts = expected.length
      ? [{ key: 'error.api.takes', vars: { method, params: expected.join(', ') } }]
      : [{ key: 'error.api.takesNone', vars: { method } }];
    const english = expected.length ? `${method} takes (${expected.join(', ')})` : `${method} takes no arguments`;
    throw Object.assign(new Error(english), { name: 'ApiArgumentsError', parts });
  }
}

/** What a UI holds: the API plus a way to hear events. */
export interface BenchClient extends BenchApi {
  onEvent(listener: (event: BenchEvent) => void): () => void;
}
