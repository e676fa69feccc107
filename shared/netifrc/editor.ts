/**
 * Edits /etc/conf.d/net (a bash file that netifrc sources) for one bond and keeps every byte it does not own:
 * other interfaces, comments, functions, blank lines. What it owns for bond B: `slaves_B`, the bonding option
 * variables `<option>_B` (netifrc's current style), `config_B` when a new address is given, and a `preup()` whose
 * only job is writing B's sysfs options (the write-up's style). Pure.
 */
import type { BondConfig } from '../bonding/options.js';
import { assertInterfaceName } from '../net/names.js';
import { bondOptionVars, renderPreup } from './confd.js';

export type ConfStyle = 'writeup' | 'modern';

export interface ConfStatement {
  kind: 'comment' | 'blank' | 'assignment' | 'function' | 'other';
  /** Exactly the bytes of the statement, with its line ending(s). */
  text: string;
  /** Variable or function name. */
  name?: string;
  /** For assignments: what follows "=". */
  value?: string;
  /** 1-based first line. */
  line: number;
}

export class ConfEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfEditError';
  }
}

/** Scans shell text from `start`, returns the index after the end of the current statement's line(s). */
function scanStatementEnd(text: string, start: number, untilBraceClose: boolean): number {
  let i = start;
  let quote: '"' | "'" | undefined;
  let parens = 0;
  let braces = 0;
  let atWordStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') {
      i++;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && atWordStart) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    } else if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
    else if (c === '{') braces++;
    else if (c === '}') braces = Math.max(0, braces - 1);
    else if (c === '\n' && parens === 0 && (!untilBraceClose || braces === 0)) return i + 1;
    atWordStart = /[\s;&|()]/.test(c);
    i++;
  }
  if (quote) throw new ConfEditError(`an unclosed ${quote} quote starting before byte ${start}`);
  return text.length;
}

const ASSIGNMENT = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=/;
const FUNCTION =
  /^[ \t]*(?:function[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:\(\))?|([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(\))[ \t]*\{?/;
const COMPOUND = /^[ \t]*(if|case|for|while|until)\b/;
const COMPOUND_END: Record<string, string> = { if: 'fi', case: 'esac', for: 'done', while: 'done', until: 'done' };

/** Splits the file into statements; joining their texts gives the input back, byte for byte. */
export function parseConfD(text: string): ConfStatement[] {
  const statements: ConfStatement[] = [];
  let pos = 0;
  let line = 1;
  const push = (kind: ConfStatement['kind'], end: number, extra: Partial<ConfStatement> = {}) => {
    const chunk = text.slice(pos, end);
    statements.push({ kind, text: chunk, line, ...extra });
    line += (chunk.match(/\n/g) ?? []).length;
    pos = end;
  };
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol === -1 ? text.length : eol + 1;
    const first = text.slice(pos, lineEnd);
    if (/^[ \t]*\r?\n?$/.test(first)) {
      push('blank', lineEnd);
      continue;
    }
    if (/^[ \t]*#/.test(first)) {
      push('comment', lineEnd);
      continue;
    }
    const fn = first.match(FUNCTION);
    if (fn) {
      const name = fn[1] ?? fn[2]!;
      let end = scanStatementEnd(text, pos, true);
      // "name()" alone on its line, with the brace on the next one.
      if (!text.slice(pos, end).includes('{')) end = scanStatementEnd(text, end, true);
      push('function', end, { name });
      continue;
    }
    const assignment = first.match(ASSIGNMENT);
    if (assignment) {
      const end = scanStatementEnd(text, pos, false);
      const name = assignment[1]!;
      const value = text
        .slice(pos + assignment[0].length, end)
        .replace(/\r?\n$/, '')
        .trimEnd();
      push('assignment', end, { name, value });
      continue;
    }
    const compound = first.match(COMPOUND);
    if (compound) {
      // A block is one statement, so assignments inside an `if` are never mistaken for top-level ones.
      const opener = compound[1]!;
      const closer = COMPOUND_END[opener]!;
      const opens = new RegExp(`(^|[;&|]|\\bthen|\\bdo|\\belse)\\s*${opener}\\b`, 'g');
      const closes = new RegExp(`(^|[;&|])\\s*${closer}\\b`, 'g');
      let depth = 0;
      let cursor = pos;
      while (cursor < text.length) {
        const next = text.indexOf('\n', cursor);
        const end = next === -1 ? text.length : next + 1;
        const current = text.slice(cursor, end).replace(/(^|\s)#[^\n]*/, '');
        depth += (current.match(opens) ?? []).length - (current.match(closes) ?? []).length;
        cursor = end;
        if (depth <= 0) break;
      }
      push('other', cursor);
      continue;
    }
    push('other', scanStatementEnd(text, pos, false));
  }
  return statements;
}

/** The words of an assignment's value: `( "a" "b c" )` → [a, b c]; `"x y"  # note` → [x y]. */
export function shellValueWords(value: string): string[] {
  let body = value.trim();
  const isArray = body.startsWith('(');
  if (isArray) body = body.slice(1, body.lastIndexOf(')') === -1 ? undefined : body.lastIndexOf(')'));
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < body.length) current += body[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) {
      while (i < body.length && body[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c === '\\' && i + 1 < body.length ? body[++i] : c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  // A scalar is one word; whatever follows unquoted space is not part of the value.
  return isArray ? words : words.slice(0, 1);
}

/** The value of the last top-level assignment to `name` (bash's own rule), as words; undefined if unset. */
export function readConfValue(text: string, name: string): string[] | undefined {
  const found = parseConfD(text).filter((s) => s.kind === 'assignment' && s.name === name);
  const last = found[found.length - 1];
  return last?.value === undefined ? undefined : shellValueWords(last.value);
}

const PREUP_LINE = (bond: string) => {
  const b = bond.replaceAll('.', '\\.');
  return [
    new RegExp(`^if \\[\\[? "?\\$\\{?IFACE\\}?"? ==? "?${b}"? \\]\\]? ?; ?then$`),
    /^BOND_[A-Z_]+=("[^"`$\\]*"|[^\s"'`$\\;&|]*)$/,
    new RegExp(`^echo "?\\+?\\$\\{?BOND_[A-Z_]+\\}?"? *> *"?/sys/class/net/${b}/bonding/[a-z_]+"?$`),
    new RegExp(
      `^for \\w+ in \\$\\{?BOND_[A-Z_]+\\}?; do echo "?\\+\\$\\{?\\w+\\}?"? *> *"?/sys/class/net/${b}/bonding/arp_ip_target"?; done$`,
    ),
    /^einfo "[^"`]*"$/,
    /^else$/,
    /^fi$/,
    /^return 0$/,
  ];
};

/** True if the function is a preup() that only writes this bond's sysfs options (what renderPreup writes). */
export function isBondPreup(statement: ConfStatement, bond: string): boolean {
  if (statement.kind !== 'function' || statement.name !== 'preup') return false;
  const lines = statement.text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const body = lines.slice(1, -1);
  const header = lines[0] ?? '';
  if (!/^(function\s+)?preup\s*(\(\))?\s*\{$/.test(header) || lines[lines.length - 1] !== '}') return false;
  const patterns = PREUP_LINE(bond);
  return body.some((l) => patterns[0]!.test(l)) && body.every((l) => patterns.some((p) => p.test(l)));
}

/** Variables of conf.d/net that configure this bond and that the editor replaces. */
function ownedVariable(name: string, bond: string): boolean {
  const suffix = `_${bond.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (!name.endsWith(suffix)) return false;
  const option = name.slice(0, -suffix.length);
  return option === 'slaves' || BOND_SYSFS_OPTIONS.has(option);
}

/** Every option file in /sys/class/net/<bond>/bonding/ that netifrc's bonding module would read a variable for. */
const BOND_SYSFS_OPTIONS = new Set([
  'ad_actor_sys_prio',
  'ad_actor_system',
  'ad_select',
  'ad_user_port_key',
  'all_slaves_active',
  'arp_all_targets',
  'arp_interval',
  'arp_ip_target',
  'arp_missed_max',
  'arp_validate',
  'downdelay',
  'fail_over_mac',
  'lacp_active',
  'lacp_rate',
  'lp_interval',
  'miimon',
  'min_links',
  'mode',
  'num_grat_arp',
  'num_unsol_na',
  'packets_per_slave',
  'peer_notif_delay',
  'primary',
  'primary_reselect',
  'resend_igmp',
  'tlb_dynamic_lb',
  'updelay',
  'use_carrier',
  'xmit_hash_policy',
  'active_slave',
]);

export interface ConfEdit {
  text: string;
  /** One line per change, for the plan shown to the user. */
  changes: string[];
}

/**
 * True when an assignment already gives the value bash would get from `value`: indentation, quoting and
 * spacing aside (`    slaves_bond0="eth0 eth1"` already says `slaves_bond0="eth0 eth1"`), with the same form
 * (array or scalar). Such a line is kept byte for byte.
 */
function sameAssignment(statement: ConfStatement, value: string): boolean {
  if (statement.value === undefined) return false;
  const isArray = (v: string) => v.trim().startsWith('(');
  if (isArray(statement.value) !== isArray(value)) return false;
  const have = shellValueWords(statement.value);
  const want = shellValueWords(value);
  return have.length === want.length && have.every((word, i) => word === want[i]);
}

function joined(statements: ConfStatement[]): string {
  return statements.map((s) => s.text).join('');
}

/** Removes a statement and, when it sat between two blank lines (or at the top), one of them. */
function removeAt(statements: ConfStatement[], index: number): void {
  statements.splice(index, 1);
  const before = statements[index - 1];
  const after = statements[index];
  if (after?.kind === 'blank' && (!before || before.kind === 'blank')) statements.splice(index, 1);
}

function statement(kind: ConfStatement['kind'], text: string, name?: string): ConfStatement {
  return { kind, text, name, line: 0 };
}

/**
 * Sets bond `config.bond` in `text` to `config` in the given style. Keeps `config_B`/`routes_B` unless
 * config.address is set, and everything that is not the bond's. Refuses a preup() it does not own when the
 * write-up style needs one, and one that writes the bond's sysfs options when the modern style is asked for.
 */
export function editBondConf(text: string, config: BondConfig, style: ConfStyle): ConfEdit {
  const bond = assertInterfaceName(config.bond, 'bond');
  const ifvar = bond.replace(/[^A-Za-z0-9_]/g, '_');
  const statements = parseConfD(text);
  const changes: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) statements[statements.length - 1]!.text += '\n';

  // preup()
  const preups = statements.map((s, i) => [s, i] as const).filter(([s]) => s.kind === 'function' && s.name === 'preup');
  const foreign = preups.filter(([s]) => !isBondPreup(s, bond));
  if (style === 'writeup') {
    if (foreign.length > 0) {
      throw new ConfEditError(
        `/etc/conf.d/net already has a preup() (line ${foreign[0]![0].line}) that does more than set ${bond}'s options: ` +
          'BondBench will not merge into it. Use --style modern, or move that preup() out of the file.',
      );
    }
    const wanted = renderPreup(config);
    if (preups.length > 0) {
      const [existing, index] = preups[0]!;
      if (existing.text !== wanted) {
        statements[index] = statement('function', wanted, 'preup');
        changes.push(`preup(): rewritten to set ${bond}'s options through sysfs`);
      }
      for (const [, i] of preups.slice(1).reverse()) removeAt(statements, i);
    } else {
      const at = statements.findIndex((s) => s.kind !== 'comment' && s.kind !== 'blank');
      const index = at === -1 ? statements.length : at;
      statements.splice(index, 0, statement('function', wanted, 'preup'), statement('blank', '\n'));
      changes.push(`preup(): added, setting ${bond}'s options through sysfs`);
    }
  } else {
    for (const [s] of foreign) {
      if (s.text.includes(`/sys/class/net/${bond}/bonding`)) {
        throw new ConfEditError(
          `/etc/conf.d/net has a preup() (line ${s.line}) that writes ${bond}'s sysfs options and would override ` +
            `mode_${ifvar} and friends: remove it or use --style writeup.`,
        );
      }
    }
    for (const [, index] of preups.filter(([s]) => isBondPreup(s, bond)).reverse()) {
      removeAt(statements, index);
      changes.push(`preup(): removed (the modern style sets ${bond}'s options with variables)`);
    }
  }

  // Variables, in the order netifrc's documentation writes them.
  const vars: [string, string][] = [[`slaves_${ifvar}`, `slaves_${ifvar}="${config.slaves.join(' ')}"`]];
  if (style === 'modern') vars.push(...bondOptionVars(config, ifvar));
  if (config.address !== undefined) vars.push([`config_${ifvar}`, `config_${ifvar}=( "${config.address}" )`]);
  const wantedNames = new Set(vars.map(([name]) => name));
  const isOwned = (s: ConfStatement) =>
    s.kind === 'assignment' &&
    !!s.name &&
    (ownedVariable(s.name, bond) || (config.address !== undefined && s.name === `config_${ifvar}`));

  let anchor = -1;
  for (const [name, line] of vars) {
    const text = `${line}\n`;
    const index = statements.findIndex((s) => s.kind === 'assignment' && s.name === name);
    if (index !== -1) {
      if (!sameAssignment(statements[index]!, line.slice(name.length + 1))) {
        changes.push(`${name}: ${statements[index]!.value} → ${line.slice(name.length + 1)}`);
        statements[index] = { ...statements[index]!, text, value: line.slice(name.length + 1) };
      }
      anchor = index;
      continue;
    }
    let at: number;
    if (anchor !== -1) at = anchor + 1;
    else {
      const config = statements.findIndex((s) => s.kind === 'assignment' && s.name === `config_${ifvar}`);
      at = config !== -1 ? config : statements.length;
    }
    statements.splice(at, 0, { kind: 'assignment', text, name, value: line.slice(name.length + 1), line: 0 });
    changes.push(`${name}: added (${line.slice(name.length + 1)})`);
    anchor = at;
  }
  // Duplicates and options this configuration does not set.
  const seen = new Set<string>();
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (!isOwned(s)) continue;
    if (wantedNames.has(s.name!) && !seen.has(s.name!)) {
      seen.add(s.name!);
      continue;
    }
    changes.push(`${s.name}: removed`);
    removeAt(statements, i);
    i--;
  }
  return { text: joined(statements), changes };
}

/** Removes the bond from the file: its variables, its config_/routes_ and a preup() that only served it. */
export function removeBondConf(text: string, bondName: string): ConfEdit {
  const bond = assertInterfaceName(bondName, 'bond');
  const ifvar = bond.replace(/[^A-Za-z0-9_]/g, '_');
  const statements = parseConfD(text);
  const changes: string[] = [];
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const owned =
      (s.kind === 'assignment' &&
        !!s.name &&
        (ownedVariable(s.name, bond) || s.name === `config_${ifvar}` || s.name === `routes_${ifvar}`)) ||
      isBondPreup(s, bond);
    if (!owned) continue;
    changes.push(`${s.kind === 'function' ? 'preup()' : s.name}: removed`);
    removeAt(statements, i);
    i--;
  }
  return { text: joined(statements), changes };
}
