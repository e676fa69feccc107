/**
 * The layer check (ARCHITECTURE.md "Layers"), run by `npm run lint` and by test/unit/layers.test.ts:
 *   - shared/ imports no Node built-in (node:fs, fs, …), no Electron, no React, nothing from main/ or renderer/;
 *     and it type-checks with the ECMAScript library alone — no DOM, no @types/node — plus the few globals every
 *     JavaScript platform we run on has (scripts/layers/shared-globals.d.ts), so `document`, `HTMLElement`,
 *     `Buffer` or `process` in shared/ fail the check even without an import;
 *   - main/ imports nothing from renderer/;
 *   - renderer/ imports nothing from main/, no Node built-in and no Electron (it talks to the bench only through
 *     the API).
 * Imports are read with TypeScript's own pre-processor (static, `export … from`, `import type`, dynamic `import()`
 * and `require()`), so no import form slips past a regular expression.
 *
 * Usage: `tsx scripts/check-layers.ts [root]` — prints one line per violation (file:line rule: message) and
 * exits 1 when there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type Layer = 'shared' | 'main' | 'renderer';

export interface LayerViolation {
  /** Relative to the root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  rule: 'shared-pure' | 'shared-types' | 'main-renderer' | 'renderer-main' | 'renderer-node';
  message: string;
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const GLOBALS_FILE = fileURLToPath(new URL('./layers/shared-globals.d.ts', import.meta.url));

function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier.split('/')[0]!) || NODE_BUILTINS.has(specifier);
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    // Build tools' configuration (renderer/vite.config.ts) runs in Node, not in the layer it configures.
    else if (SOURCE.test(name) && !name.endsWith('.d.ts') && !/\.config\.[cm]?ts$/.test(name)) files.push(path);
  }
  return files;
}

/** The layer a path lies in (main/, shared/ or renderer/ directly under the root), if any. */
export function layerOf(root: string, path: string): Layer | undefined {
  const top = relative(root, path).split(sep)[0];
  return top === 'shared' || top === 'main' || top === 'renderer' ? top : undefined;
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** What one import breaks, if anything. */
function judgeImport(
  root: string,
  file: string,
  from: Layer,
  specifier: string,
): Omit<LayerViolation, 'file' | 'line'> | undefined {
  const target = specifier.startsWith('.') ? layerOf(root, resolve(dirname(file), specifier)) : undefined;
  switch (from) {
    case 'shared':
      if (isNodeBuiltin(specifier))
        return {
          rule: 'shared-pure',
          message: `shared/ is pure: "${specifier}" is Node; put the effect in main/ behind an interface`,
        };
      if (specifier === 'electron' || specifier.startsWith('electron/'))
        return { rule: 'shared-pure', message: `shared/ is pure: "${specifier}" belongs to main/electron` };
      if (/^(react|react-dom|react-i18next)(\/|$)/.test(specifier))
        return { rule: 'shared-pure', message: `shared/ is pure: "${specifier}" belongs to renderer/` };
      if (target === 'main' || target === 'renderer')
        return {
          rule: 'shared-pure',
          message: `shared/ imports from nothing above it, not ${target}/ ("${specifier}")`,
        };
      return undefined;
    case 'main':
      if (target === 'renderer')
        return {
          rule: 'main-renderer',
          message: `main/ must not import renderer/ ("${specifier}"): a type both need belongs in shared/`,
        };
      return undefined;
    case 'renderer':
      if (target === 'main')
        return {
          rule: 'renderer-main',
          message: `renderer/ talks to main/ only through the API, not by importing it ("${specifier}")`,
        };
      if (isNodeBuiltin(specifier) || specifier === 'electron' || specifier.startsWith('electron/'))
        return { rule: 'renderer-node', message: `renderer/ runs in a page: "${specifier}" is not there` };
      return undefined;
  }
}

/** Every import across the layers that breaks a rule. */
export function importViolations(root: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const layer of ['shared', 'main', 'renderer'] as const) {
    for (const file of sourceFiles(join(root, layer))) {
      const text = readFileSync(file, 'utf8');
      const { importedFiles } = ts.preProcessFile(text, true, true);
      for (const imported of importedFiles) {
        const broken = judgeImport(root, file, layer, imported.fileName);
        if (broken) {
          violations.push({
            file: relative(root, file).split(sep).join('/'),
            line: lineOf(text, imported.pos),
            ...broken,
          });
        }
      }
    }
  }
  return violations;
}

/**
 * shared/ compiled against ES2023 alone (no DOM, no @types/node) plus the common globals: a name from the DOM or
 * Node is then an error. Only "cannot find name/namespace/module" errors count — other type errors are
 * `npm run typecheck`'s to report.
 */
export function sharedTypeViolations(root: string): LayerViolation[] {
  const files = sourceFiles(join(root, 'shared'));
  if (files.length === 0) return [];
  const program = ts.createProgram([...files, GLOBALS_FILE], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    jsx: ts.JsxEmit.ReactJSX,
  });
  // 2304/2552: cannot find name; 2503: namespace; 2580/2591/2592: "do you need @types/node"; 2307: cannot find
  // module (an import of node:… without @types/node); 2584: "change your lib to include dom"; 2867/2868: Bun/Node.
  const MISSING = new Set([2304, 2307, 2503, 2552, 2580, 2582, 2584, 2591, 2592, 2867, 2868]);
  const violations: LayerViolation[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (!MISSING.has(diagnostic.code) || !diagnostic.file) continue;
    const path = diagnostic.file.fileName;
    if (layerOf(root, resolve(path)) !== 'shared') continue;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    violations.push({
      file: relative(root, resolve(path)).split(sep).join('/'),
      line: line + 1,
      rule: 'shared-types',
      message: `shared/ must run in Node and in a page alike: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
    });
  }
  return violations;
}

export function checkLayers(root: string): LayerViolation[] {
  const all = [...importViolations(root), ...sharedTypeViolations(root)];
  // An import already named (node:fs in shared/) also fails to resolve in the type pass: say it once.
  const seen = new Set<string>();
  return all.filter((v) => {
    const key = `${v.file}:${v.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkLayers(root);
  for (const v of violations) console.error(`${v.file}:${v.line} ${v.rule}: ${v.message}`);
  if (violations.length) {
    console.error(`layers: ${violations.length} violation(s) (rules in ARCHITECTURE.md "Layers")`);
    process.exit(1);
  }
  console.log('layers: shared/ pure, main/ ↛ renderer/, renderer/ ↛ main/');
}
