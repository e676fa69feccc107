/** Sources a /etc/conf.d/net with real bash, as netifrc does, and reports variables (and `name()` functions). */
import { execFileSync } from 'node:child_process';

export function sourceConfD(conf: string, names: string[]): Record<string, string> {
  const script = `set -e\nsource /dev/stdin <<'CONF'\n${conf}CONF\n${names
    .map((n) =>
      n.endsWith('()')
        ? `echo "${n}=$(declare -F ${n.slice(0, -2)} >/dev/null && echo yes || echo no)"`
        : `echo "${n}=\${${n}[*]:-}"`,
    )
    .join('\n')}`;
  const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}
