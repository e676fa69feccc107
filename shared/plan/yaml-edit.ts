/**
 * Edits of a plan's YAML text, one field at a time, through the `yaml` package's Document API: whatever the edit
 * does not touch — the user's comments, key order, blank lines, flow or block style — is written back as it was,
 * and an edited list item or step keeps the comments around it. The text stays the one source of truth that is
 * checked (`plan check`, `parsePlan`), run and saved with the run; the setup form reads from it and writes to it.
 * Values are written as typed: a number field holding "abc" is written as the string "abc", so the plan check
 * refuses it at that field and line instead of the form dropping it silently. Pure.
 */
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLSeq } from 'yaml';
import { SaidError } from '../run/said-error.js';
import { DEFAULT_OFF_SECONDS, DEFAULT_STEPS, type StepSpec } from './plan.js';
import { type PlanError, pathText, stepToYaml } from './plan-file.js';

/** The driver lists come from the driver modules themselves (shared/drivers/builtin.ts). */
export { DRIVERS, driverDefinition, LINK_DRIVER_TYPES, POWER_DRIVER_TYPES } from '../drivers/builtin.js';

/** Keys and indexes from the document's root, e.g. `['bond', 'options', 'miimon']` or `['steps', 2]`. */
export type FieldPath = readonly (string | number)[];

/** An edit was asked of text that is not a plan-shaped YAML document; the editor shows why. */
export class PlanEditError extends SaidError {
  /** `key`: an `error.planEdit.*` message. */
  constructor(key: string, vars: Record<string, string> = {}) {
    super('PlanEditError', `error.planEdit.${key}`, vars);
  }
}

function editable(yaml: string) {
  const doc = parseDocument(yaml);
  if (doc.errors.length) throw new PlanEditError('yamlErrors');
  if (!isMap(doc.contents)) throw new PlanEditError('notMapping');
  return doc;
}

function readable(yaml: string) {
  const doc = parseDocument(yaml);
  return doc.errors.length ? undefined : doc;
}

/** A scalar field's value, or undefined when the text does not parse or the field is absent or not a scalar. */
export function readField(yaml: string, path: FieldPath): string | undefined {
  const node = readable(yaml)?.getIn(path, true);
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

/** A list of scalars (modes, slaves, arp_ip_target), or [] when absent or not a list. */
export function readList(yaml: string, path: FieldPath): string[] {
  const node = readable(yaml)?.getIn(path, true);
  return isSeq(node)
    ? node.items.flatMap((item) => (isScalar(item) && item.value != null ? [String(item.value)] : []))
    : [];
}

/**
 * Sets one field (a scalar, or a whole mapping such as a driver's settings); undefined removes it. A scalar set
 * over a scalar keeps its node, so the comment on its line stays. Missing parents are created.
 *
 * @throws PlanEditError when the text does not parse as a YAML mapping.
 */
export function writeField(yaml: string, path: FieldPath, value: string | number | boolean | object | undefined) {
  const doc = editable(yaml);
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, typeof value === 'object' ? doc.createNode(value) : value);
  return doc.toString();
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const plain = (node: unknown): unknown =>
  node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;

/** The comments inside a node (on its line, on lines within it), in document order. */
function innerComments(node: unknown, top = true): string[] {
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = [top ? undefined : n.commentBefore, n.comment].filter((c): c is string => Boolean(c));
  if (isMap(node)) {
    return [
      ...own,
      ...node.items.flatMap((pair) => [...innerComments(pair.key, false), ...innerComments(pair.value, false)]),
    ];
  }
  if (isSeq(node)) return [...own, ...node.items.flatMap((item) => innerComments(item, false))];
  return own;
}

/** The first scalar value inside a node (a map's keys skipped): where a carried-over inline comment goes. */
function firstValue(node: unknown): Node | undefined {
  if (isScalar(node)) return node;
  if (isMap(node)) {
    for (const pair of node.items) {
      const found = firstValue(pair.value);
      if (found) return found;
    }
  }
  if (isSeq(node)) {
    for (const item of node.items) {
      const found = firstValue(item);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Carries the comments of an item over to the node that takes its place: the lines above it stay above it, a
 * comment on its line or inside it goes to its first value (`- pull: eth1 # back cable` edited to a hold keeps
 * "back cable" on `slave: eth1`), a blank line before it stays.
 */
function keepComments(from: Node, to: Node): Node {
  if (from.commentBefore && !to.commentBefore) to.commentBefore = from.commentBefore;
  if (from.spaceBefore) to.spaceBefore = true;
  const inner = innerComments(from);
  const target = firstValue(to) ?? to;
  if (inner.length && !target.comment) target.comment = inner.join(' ');
  return to;
}

/**
 * Makes the list at `path` hold `values`, in that order, reusing the node of every item whose value stays (its
 * comments with it); a removed item's leading comment passes to the item after it, so a comment that heads the
 * list survives removing the first item. A list that does not exist yet is created (block style).
 *
 * @throws PlanEditError when the text does not parse, or `path` holds something other than a list.
 */
export function writeList(yaml: string, path: FieldPath, values: readonly unknown[]): string {
  const doc = editable(yaml);
  const seq = doc.getIn(path, true);
  if (seq === undefined || seq === null) {
    doc.setIn(path, doc.createNode([...values]));
    return doc.toString();
  }
  if (!isSeq(seq)) throw new PlanEditError('notList', { path: pathText(path) });
  const old = (seq as YAMLSeq<Node>).items;
  const used = new Set<number>();
  let from = 0;
  const items: Node[] = values.map((value) => {
    // In order first (equal values keep their order); then anywhere, so a moved item takes its comments along.
    let found = old.findIndex((node, i) => i >= from && !used.has(i) && same(plain(node), value));
    if (found < 0) found = old.findIndex((node, i) => !used.has(i) && same(plain(node), value));
    if (found < 0) return doc.createNode(value) as Node;
    used.add(found);
    from = found + 1;
    return old[found]!;
  });
  // Leading comments of removed items go to the next item that stays or arrives.
  let pending: string | undefined;
  old.forEach((node, i) => {
    if (used.has(i)) {
      if (pending) node.commentBefore = node.commentBefore ? `${pending}\n${node.commentBefore}` : pending;
      pending = undefined;
    } else if (node.commentBefore) {
      pending = pending ? `${pending}\n${node.commentBefore}` : node.commentBefore;
    }
  });
  if (pending && items.length) {
    const last = items.find((node) => !old.includes(node)) ?? items[items.length - 1]!;
    last.commentBefore = last.commentBefore ? `${pending}\n${last.commentBefore}` : pending;
  }
  seq.items = items;
  return doc.toString();
}

/**
 * Adds or removes one member of a list of names (a mode in `modes`, a slave): an added member goes where `order`
 * puts it among the members already there (the modes in MODE_NAMES' order), after them when `order` does not
 * know it.
 */
export function setListMember(
  yaml: string,
  path: FieldPath,
  member: string,
  present: boolean,
  order: readonly string[] = [],
): string {
  const current = readList(yaml, path);
  if (current.includes(member) === present) return yaml;
  if (!present)
    return writeList(
      yaml,
      path,
      current.filter((m) => m !== member),
    );
  const rank = (name: string) => {
    const at = order.indexOf(name);
    return at < 0 ? order.length : at;
  };
  const at = current.findIndex((m) => rank(m) > rank(member));
  const next = [...current];
  next.splice(at < 0 ? next.length : at, 0, member);
  return writeList(yaml, path, next);
}

/** What a number field writes: a number when the text is one, else the text itself (the plan check refuses it). */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** What a driver setting's input writes: integers as YAML numbers, an empty field as no setting at all. */
export function fieldValue(input: 'text' | 'integer', text: string): string | number | undefined {
  if (text.trim() === '') return undefined;
  return input === 'integer' && /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

export type StepKind = StepSpec['kind'];
export const STEP_KINDS: readonly StepKind[] = ['read-macs', 'probe', 'pull', 'plug', 'reboot', 'power-cycle', 'load'];

/**
 * One step as the form shows it: its kind, the slave it pulls or plugs, and its one time as typed — probe
 * seconds, pull hold, plug settle or power-cycle off time — empty for the default.
 */
export interface StepFields {
  kind: StepKind;
  slave?: string;
  seconds?: string;
  /** A load step's other settings (peers, flows, rate) as the file has them, kept through an edit of its seconds. */
  load?: Record<string, unknown>;
}

const SECONDS_KEY = { pull: 'hold', plug: 'settle', 'power-cycle': 'off' } as const;

/** A step entry of the file (any shape, valid or not) as the form's fields; an unknown shape reads as read-macs. */
function stepFieldsOf(raw: unknown): StepFields {
  if (typeof raw === 'string') {
    return (STEP_KINDS as readonly string[]).includes(raw) ? { kind: raw as StepKind } : { kind: 'read-macs' };
  }
  const entry = (raw ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (value === undefined || value === null ? undefined : String(value));
  if ('probe' in entry) return { kind: 'probe', seconds: text(entry.probe) };
  if ('load' in entry) {
    const { seconds, ...rest } = (entry.load ?? {}) as Record<string, unknown>;
    return { kind: 'load', seconds: text(seconds), load: rest };
  }
  for (const kind of ['pull', 'plug', 'power-cycle'] as const) {
    if (!(kind in entry)) continue;
    const body = entry[kind];
    if (body === null || typeof body !== 'object') {
      return kind === 'power-cycle' ? { kind } : { kind, slave: text(body) };
    }
    const fields = body as Record<string, unknown>;
    return { kind, slave: text(fields.slave), seconds: text(fields[SECONDS_KEY[kind]]) };
  }
  return { kind: 'read-macs' };
}

/**
 * The steps as the form shows them: the file's own (as typed, so a bad value can be seen and fixed), or the
 * default steps when the plan leaves `steps` out (`defaulted`). Undefined when the text does not parse.
 */
export function readSteps(yaml: string): { steps: StepFields[]; defaulted: boolean } | undefined {
  const doc = readable(yaml);
  if (!doc) return undefined;
  const node = doc.getIn(['steps'], true);
  if (isSeq(node)) return { steps: node.items.map((item) => stepFieldsOf(plain(item))), defaulted: false };
  return { steps: DEFAULT_STEPS.map((step) => stepFieldsOf(stepToYaml(step))), defaulted: true };
}

/** The file's shortest form of a step from the form's fields; a time left empty is the step's default. */
export function stepEntry(fields: StepFields): unknown {
  const seconds = fields.seconds === undefined ? undefined : numberOrText(fields.seconds);
  switch (fields.kind) {
    case 'read-macs':
    case 'reboot':
      return fields.kind;
    case 'probe':
      return { probe: seconds ?? 2 };
    case 'load': {
      const load = { ...fields.load, ...(seconds === undefined ? {} : { seconds }) };
      return Object.keys(load).length ? { load } : 'load';
    }
    case 'power-cycle':
      return seconds === undefined || seconds === DEFAULT_OFF_SECONDS
        ? 'power-cycle'
        : { 'power-cycle': { off: seconds } };
    case 'pull':
    case 'plug': {
      const slave = fields.slave ?? '';
      return seconds === undefined
        ? { [fields.kind]: slave }
        : { [fields.kind]: { slave, [SECONDS_KEY[fields.kind]]: seconds } };
    }
  }
}

/**
 * Writes the steps list from the form's fields. Steps that did not change keep their nodes and comments; an
 * edited step keeps the comments that were around it. A plan that left `steps` out gets the whole list.
 */
export function writeSteps(yaml: string, steps: readonly StepFields[]): string {
  const entries = steps.map(stepEntry);
  const doc = editable(yaml);
  const seq = doc.getIn(['steps'], true);
  const changed = isSeq(seq) ? seq.items.filter((node, i) => !same(plain(node), entries[i])).length : -1;
  // Added, removed or moved steps: nodes follow their values. One step edited: in place, its comments stay.
  if (!isSeq(seq) || seq.items.length !== entries.length || changed > 1) return writeList(yaml, ['steps'], entries);
  seq.items = (seq as YAMLSeq<Node>).items.map((node, i) =>
    same(plain(node), entries[i]) ? node : keepComments(node, doc.createNode(entries[i]) as Node),
  );
  return doc.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Errors at fields

/**
 * The plan check's errors that belong to a field: those at its path and, with `nested`, those inside it
 * (`modes` owns `modes[3]`; `steps[2]` owns `steps[2].pull`).
 */
export function errorsAt(errors: readonly PlanError[] | undefined, path: FieldPath, nested = false): PlanError[] {
  if (!errors) return [];
  const at = pathText(path);
  return errors.filter(
    (e) => e.path === at || (nested && (e.path.startsWith(`${at}.`) || e.path.startsWith(`${at}[`))),
  );
}
