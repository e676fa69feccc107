/** Reading files back with the real Wireshark tools (tshark, capinfos): the judge of "opens without warnings". */
import { spawnSync } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  /** stderr without tshark's note about running as root, which is about us, not the file. */
  warnings: string[];
}

function tool(command: string, args: string[]): ToolResult {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error)
    throw new Error(`${command} could not run (${result.error.message}): install tshark (scripts/setup.sh)`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const warnings = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Running as user "root"/.test(l));
  return { stdout: result.stdout, warnings };
}

/** tshark -T fields over a file: one array of field values per frame. */
export function tsharkFields(
  file: string,
  fields: string[],
  extra: string[] = [],
): { rows: string[][]; warnings: string[] } {
  const { stdout, warnings } = tool('tshark', [
    '-r',
    file,
    ...extra,
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  const rows = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
  return { rows, warnings };
}

export function capinfos(file: string): ToolResult {
  return tool('capinfos', [file]);
}

/** "1700000000.123456789" → nanoseconds since the epoch, exactly. */
export function epochNs(text: string): bigint {
  const [sec, frac = ''] = text.split('.');
  return BigInt(sec!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
}
