/**
 * The setup form edits the plan's YAML in place — one field at a time, keeping the user's comments and layout —
 * so the plan text stays the one source of truth that is checked, run and saved with the run.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** The driver lists come from the driver modules themselves (shared/drivers/builtin.ts). */
export { DRIVERS, driverDefinition, LINK_DRIVER_TYPES, POWER_DRIVER_TYPES } from '../../../shared/drivers/builtin.js';

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

/**
 * Sets one field (a scalar, or a whole mapping such as a driver's settings); undefined removes it. Throws when the
 * plan does not parse (the editor shows why).
 */
export function writeField(yaml: string, path: FieldPath, value: string | number | object | undefined): string {
  const doc = parseDocument(yaml);
  if (doc.errors.length) throw new Error('the plan has YAML errors: fix them in the editor first');
  if (!isMap(doc.contents)) throw new Error('the plan must be a YAML mapping');
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, typeof value === 'object' ? doc.createNode(value) : value);
  return doc.toString();
}

/** What a driver setting's input writes: integers as YAML numbers, an empty field as no setting at all. */
export function fieldValue(input: 'text' | 'integer', text: string): string | number | undefined {
  if (text.trim() === '') return undefined;
  return input === 'integer' && /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}
