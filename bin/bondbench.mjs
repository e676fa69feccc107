#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../build/main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(
    'bondbench: not built yet: run "npm run build" (or "bash scripts/setup.sh", which installs and builds everything)',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
