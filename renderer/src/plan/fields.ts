/**
 * The setup form edits the plan's YAML in place — one field at a time, keeping the user's comments and layout —
 * so the plan text stays the one source of truth that is checked, run and saved with the run.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { LinkDriverType, PowerDriverType } from '../../../shared/drivers/config.js';

export const POWER_DRIVER_TYPES = ['lab', 'pdudaemon', 'snmp', 'command'] as const satisfies readonly PowerDriverType[];
export const LINK_DRIVER_TYPES = ['lab', 'snmp', 'command', 'host-ifdown'] as const satisfies readonly LinkDriverType[];

export type FieldPath = readonly (string | number)[];

/** A scalar field's value, or undefined when the text does not parse or the field is absent or not a scalar. */
export function readField(yaml: string, path: FieldPath): string | undefined {
  const doc = parseDocument(yaml);
  if (doc.errors.length) return undefined;
  const node = doc.getIn(path, true);
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

/** A list of scalars (modes, slaves), or [] when absent. */
export function readList(yaml: string, path: FieldPath): string[] {
  const doc = parseDocument(yaml);
  if (doc.errors.length) return [];
  const node = doc.getIn(path, true);
  return isSeq(node)
    ? node.items.flatMap((item) => (isScalar(item) && item.value != null ? [String(item.value)] : []))
    : [];
}

/** Sets one scalar field; throws when the plan does not parse (the editor shows why). */
export function writeField(yaml: string, path: FieldPath, value: string): string {
  const doc = parseDocument(yaml);
  if (doc.errors.length) throw new Error('the plan has YAML errors: fix them in the editor first');
  if (!isMap(doc.contents)) throw new Error('the plan must be a YAML mapping');
  doc.setIn(path, value);
  return doc.toString();
}
