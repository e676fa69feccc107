/**
 * Command and OID templates of the drivers. A command template is an argv array with `{placeholder}`s, expanded
 * word by word from validated values (no shell ever sees it); an OID template has `{outlet}` where the outlet's
 * number goes. Pure.
 */
import { assertInterfaceName, InvalidValueError } from '../net/names.js';

export type PowerAction = 'on' | 'off' | 'cycle' | 'state';
export type LinkAction = 'pull' | 'plug' | 'state';

export const POWER_PLACEHOLDERS = ['outlet', 'action'] as const;
export const LINK_PLACEHOLDERS = ['port', 'slave', 'action'] as const;
export const OID_PLACEHOLDERS = ['outlet'] as const;
/**
 * A switch template runs once per slave before each mode's bring-up: `{mode}` the bonding mode (or standalone),
 * `{channel}` what the mode asks of the switch (lacp, static or none: switchChannelOf), `{slave}`, `{port}`.
 */
export const SWITCH_PLACEHOLDERS = ['mode', 'channel', 'slave', 'port'] as const;

/** One word of a template: literal text, `{{`/`}}` for braces, `{name}` for a placeholder. */
export const TEMPLATE_WORD = (names: readonly string[]) => `^(?:[^{}]|\\{\\{|\\}\\}|\\{(?:${names.join('|')})\\})*$`;

/**
 * Placeholder values are one argv word each, never seen by a shell; still they are held to a narrow alphabet
 * (no white space, quotes, $ ; | & ` \ * ? ~ < > ( ) [ ]) and may not start with "-", where a program would
 * take them for an option.
 */
const SAFE_VALUE = /^[A-Za-z0-9_.:@+/][A-Za-z0-9_.:@+/-]{0,63}$/;

/**
 * A template refused at `path`. `reason` is English (the CLI prints it); `part` says the same as a catalogue key
 * (`driverCheck.template.*`, whose English is `reason` — test/unit/plan-check-i18n.test.ts holds them equal) for
 * the reader's language.
 */
export class TemplateError extends Error {
  readonly part: { key: string; vars?: Record<string, string> };
  constructor(
    readonly path: string,
    readonly reason: string,
    key: string,
    vars?: Record<string, string>,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'TemplateError';
    this.part = { key: `driverCheck.template.${key}`, ...(vars ? { vars } : {}) };
  }
}

type TemplatePart = { text: string } | { name: string };

/** Splits one template word into text and placeholders; throws on stray braces or unknown names. */
export function parseTemplateWord(word: string, allowed: readonly string[], path = 'template'): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if ((c === '{' || c === '}') && word[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = word.indexOf('}', i);
      const name = end < 0 ? '' : word.slice(i + 1, end);
      if (end < 0 || !/^[a-z]+$/.test(name)) {
        throw new TemplateError(
          path,
          `${JSON.stringify(word)} has a "{" that opens no placeholder: write {${allowed[0]}}, or {{ for a literal brace`,
          'openBrace',
          { word: JSON.stringify(word), placeholder: `{${allowed[0]}}`, literal: '{{' },
        );
      }
      if (!allowed.includes(name)) {
        const known = allowed.map((a) => `{${a}}`).join(', ');
        throw new TemplateError(
          path,
          `unknown placeholder {${name}} in ${JSON.stringify(word)}: use ${known}`,
          'unknownPlaceholder',
          { placeholder: `{${name}}`, word: JSON.stringify(word), known },
        );
      }
      if (text) parts.push({ text });
      text = '';
      parts.push({ name });
      i = end;
    } else if (c === '}') {
      throw new TemplateError(
        path,
        `${JSON.stringify(word)} has a stray "}": write }} for a literal brace`,
        'strayBrace',
        {
          word: JSON.stringify(word),
          literal: '}}',
        },
      );
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** The placeholders a template uses. Throws TemplateError when it is not a valid argv template. */
export function checkCommandTemplate(argv: unknown, allowed: readonly string[], path = 'command'): Set<string> {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((w) => typeof w === 'string')) {
    throw new TemplateError(
      path,
      'must be a list of words, program first, e.g. ["/usr/local/bin/pdu", "{outlet}"]',
      'notArgv',
    );
  }
  const used = new Set<string>();
  argv.forEach((word: string, index) => {
    const parts = parseTemplateWord(word, allowed, `${path}[${index}]`);
    for (const part of parts) if ('name' in part) used.add(part.name);
    if (index === 0 && (word.length === 0 || parts.some((p) => 'name' in p))) {
      throw new TemplateError(
        `${path}[0]`,
        'the program must be written out: a placeholder cannot choose which program runs',
        'placeholderProgram',
      );
    }
  });
  return used;
}

/** A value for a placeholder; throws InvalidValueError naming the field when it is not safe as one argv word. */
export function assertPlaceholderValue(name: string, value: unknown, field = name): string {
  if (name === 'slave') return assertInterfaceName(value, field);
  const text = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : value;
  if (typeof text !== 'string' || !SAFE_VALUE.test(text)) {
    throw new InvalidValueError(field, value, { key: 'placeholderValue' });
  }
  return text;
}

/** Expands a checked template: every word stays one word, whatever the values hold. */
export function expandCommandTemplate(
  argv: readonly string[],
  values: Readonly<Record<string, string | number | undefined>>,
  path = 'command',
): string[] {
  const allowed = Object.keys(values);
  return argv.map((word, index) =>
    parseTemplateWord(word, allowed, `${path}[${index}]`)
      .map((part) => {
        if ('text' in part) return part.text;
        const value = values[part.name];
        if (value === undefined) {
          throw new TemplateError(`${path}[${index}]`, `{${part.name}} has no value here`, 'noValue', {
            placeholder: `{${part.name}}`,
          });
        }
        return assertPlaceholderValue(part.name, value);
      })
      .join(''),
  );
}

const OID = /^\.?\d+(\.\d+)+$/;

/** An OID template (`1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}`) expanded for one outlet, without a leading dot. */
export function expandOidTemplate(template: string, outlet: number, path = 'oid'): string {
  if (!Number.isInteger(outlet) || outlet < 0) throw new InvalidValueError('outlet', outlet, { key: 'outlet' });
  const oid = parseTemplateWord(template, OID_PLACEHOLDERS, path)
    .map((part) => ('text' in part ? part.text : String(outlet)))
    .join('');
  if (!OID.test(oid)) {
    throw new TemplateError(
      path,
      `${JSON.stringify(template)} is not an OID such as 1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}`,
      'notOid',
      { template: JSON.stringify(template) },
    );
  }
  return oid.replace(/^\./, '');
}
