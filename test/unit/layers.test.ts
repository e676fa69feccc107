/**
 * The layer check (scripts/check-layers.ts, run by `npm run lint`): the repository passes it, and a tree that
 * breaks each rule — by import, type-only import, re-export, dynamic import, or a DOM/Node global used without
 * any import — is caught at the right file and line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayers } from '../../scripts/check-layers.js';
import { REPO } from './report-fixtures.js';

describe('the layer check', () => {
  it('passes on this repository', () => {
    expect(checkLayers(REPO)).toEqual([]);
  }, 60_000);

  const root = mkdtempSync(join(tmpdir(), 'bondbench-layers-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('names every broken rule at its file and line', () => {
    write('shared/ok.ts', `export const utf8 = new TextEncoder();\nexport const u = new URL('http://x/');\n`);
    write('shared/fs.ts', `// reads\nimport { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`);
    write('shared/bare.ts', `import { join } from 'path';\nexport const j = join;\n`);
    write('shared/dom.ts', `export const title = () => document.title;\n`);
    write('shared/dom-type.ts', `export function f(e: HTMLElement) {\n  return e;\n}\n`);
    write('shared/buffer.ts', `export const b = () => Buffer.from('x');\n`);
    write('shared/up.ts', `export type { Thing } from '../main/thing.js';\n`);
    write('shared/react.ts', `import { useState } from 'react';\nexport const u = useState;\n`);
    write('main/thing.ts', `import type { View } from '../renderer/src/view.js';\nexport type Thing = View;\n`);
    write(
      'main/ok.ts',
      `import { readFileSync } from 'node:fs';\nimport { utf8 } from '../shared/ok.js';\nexport { readFileSync, utf8 };\n`,
    );
    write(
      'renderer/src/view.ts',
      `export type View = string;\nexport const load = () => import('../../main/thing.js');\n`,
    );
    write('renderer/src/disk.ts', `\n\nimport { readFile } from 'node:fs/promises';\nexport const r = readFile;\n`);
    write('renderer/vite.config.ts', `import { fileURLToPath } from 'node:url';\nexport default fileURLToPath;\n`);

    const found = checkLayers(root).map((v) => `${v.file}:${v.line} ${v.rule}`);
    expect(found.sort()).toEqual(
      [
        'shared/fs.ts:2 shared-pure',
        'shared/bare.ts:1 shared-pure',
        'shared/dom.ts:1 shared-types',
        'shared/dom-type.ts:1 shared-types',
        'shared/buffer.ts:1 shared-types',
        'shared/up.ts:1 shared-pure',
        'shared/react.ts:1 shared-pure',
        'main/thing.ts:1 main-renderer',
        'renderer/src/view.ts:2 renderer-main',
        'renderer/src/disk.ts:3 renderer-node',
      ].sort(),
    );
  }, 60_000);
});
