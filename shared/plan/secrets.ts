/**
 * Credentials in a plan never leave the bench: driver fields whose names say they are secret (SNMP communities and
 * passwords, tokens), the argv values a command driver's template marks as secret (the word after `--password`,
 * `--token`… or `--password=…`), and the user:password@ of any URL. `planSecrets` lists their values so every text
 * the bench writes (log, errors, reports, the zip's plan) can be masked; `urlCredentialIssues` is what `plan check`
 * refuses outright. Pure.
 */
import type { Plan } from './plan.js';

/** Driver fields whose values are credentials. */
export const SECRET_KEY = /password|passwd|community|secret|token|passphrase|priv|auth|credential|apikey|api_key/i;

/**
 * A command-line option whose value is a credential: `--password x`, `-p x` is too ambiguous to mask, so long
 * options only, by name (the same words as SECRET_KEY).
 */
const SECRET_OPTION =
  /^--?[A-Za-z0-9_-]*(password|passwd|community|secret|token|passphrase|credential|apikey|api-key|api_key|auth)[A-Za-z0-9_-]*$/i;

/** `scheme://user[:password]@` — the userinfo of a URL (RFC 3986 §3.2.1). */
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@\s]+)@/g;

export const MASK = '***';

/** Masks a URL's userinfo: `http://admin:pw@pdu/` → `http://***@pdu/`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}@`);
}

/** Drops a URL's userinfo: `http://admin:pw@pdu/` → `http://pdu/` (a recorded plan read back for a report). */
export function stripUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1');
}

/** An argv with the values of secret options masked (`--password x` and `--password=x`), URLs' userinfo too. */
export function maskArgv(argv: readonly string[]): string[] {
  return argv.map((word, i) => {
    const eq = word.indexOf('=');
    if (word.startsWith('-') && eq > 0 && SECRET_OPTION.test(word.slice(0, eq)))
      return `${word.slice(0, eq + 1)}${MASK}`;
    if (i > 0 && SECRET_OPTION.test(argv[i - 1]!) && !argv[i - 1]!.includes('=')) return MASK;
    return maskUrlCredentials(word);
  });
}

function redact(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) ? MASK : maskUrlCredentials(value);
  if (typeof value === 'number' || typeof value === 'boolean') return SECRET_KEY.test(key) ? MASK : value;
  if (Array.isArray(value)) {
    return value.every((v) => typeof v === 'string') ? maskArgv(value as string[]) : value.map((v) => redact(v));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

/** The plan with driver credentials, secret argv values and URL userinfo replaced by ***, for anything handed on. */
export function redactPlan(plan: Plan): Plan {
  return { ...plan, drivers: redact(plan.drivers) as Plan['drivers'] };
}

/** True when the plan carries credentials that a report must not show. */
export function planHasSecrets(plan: Plan): boolean {
  return JSON.stringify(redactPlan(plan).drivers) !== JSON.stringify(plan.drivers);
}

/**
 * The credential values in a plan's drivers (at least 3 characters: shorter ones would mask ordinary words), to
 * mask wherever they might surface — an error that quotes a URL or an argv, a log line.
 */
export function planSecrets(plan: Plan): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (SECRET_KEY.test(key)) found.add(text);
      for (const match of text.matchAll(URL_USERINFO)) {
        const info = match[2]!;
        found.add(info);
        const colon = info.indexOf(':');
        if (colon >= 0) found.add(info.slice(colon + 1));
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (typeof v === 'string') {
          const eq = v.indexOf('=');
          if (v.startsWith('-') && eq > 0 && SECRET_OPTION.test(v.slice(0, eq))) found.add(v.slice(eq + 1));
          const before = value[i - 1];
          if (typeof before === 'string' && SECRET_OPTION.test(before) && !before.includes('=')) found.add(v);
        }
        walk(v, key);
      });
      return;
    }
    if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(plan.drivers, '');
  return [...found].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** `text` with every secret value and any URL userinfo replaced by ***. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = maskUrlCredentials(text);
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

/**
 * Credentials written inside a URL anywhere in the drivers' settings (a field or an argv word): `plan check`
 * refuses them, saying where they go instead (`driverCheck.urlCredentials`). Each names the field path under
 * `drivers` and the URL with its credentials masked.
 */
export function urlCredentialIssues(plan: Plan): { segments: (string | number)[]; url: string }[] {
  const issues: { segments: (string | number)[]; url: string }[] = [];
  const walk = (value: unknown, segments: (string | number)[]) => {
    if (typeof value === 'string') {
      URL_USERINFO.lastIndex = 0;
      if (URL_USERINFO.test(value)) {
        issues.push({ segments: ['drivers', ...segments], url: maskUrlCredentials(value) });
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, [...segments, i]);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...segments, k]);
    }
  };
  walk(plan.drivers, []);
  return issues;
}
