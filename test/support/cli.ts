/** `bondbench` from the TypeScript source, for tests that drive the CLI as a user would. */
import { main } from '../../main/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
