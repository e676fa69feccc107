/** The `bondbench` command line. Each command group lives in a module of its own. */
import { labCommand } from './lab.js';
import { UsageError } from './usage.js';

const USAGE = `usage: bondbench <command> …

  lab up|down|status|pull|plug|reset|power|ssh|connect|image   the virtual bonding lab (run "bondbench lab help")

Environment: BONDBENCH_CACHE (guest images, keys), BONDBENCH_LAB_INSTANCE, BONDBENCH_LAB_ACCEL=auto|kvm|tcg`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lab':
        return await labCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`, USAGE);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`bondbench: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    console.error(`bondbench: ${(error as Error).message}`);
    if (process.env.BONDBENCH_DEBUG) console.error(error);
    return 1;
  }
}
