/**
 * Where things are on each platform, as pure functions of the platform and its environment (main/ passes
 * process.platform and process.env).
 */
import type { Platform } from './agent.js';

type Env = Record<string, string | undefined>;

/** Joins with the platform's separator (no node:path here: shared/ is pure). */
function joinFor(platform: Platform, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, ''))).join(sep);
}

/**
 * Run folders: $BONDBENCH_RUNS; else on Windows %LOCALAPPDATA%\bondbench\runs (per-user, not roamed: pcapng files
 * are large), else $XDG_DATA_HOME/bondbench/runs (XDG Base Directory), else ~/.local/share/bondbench/runs.
 */
export function runsDirFor(platform: Platform, env: Env, home: string): string {
  if (env.BONDBENCH_RUNS) return env.BONDBENCH_RUNS;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || joinFor(platform, home, 'AppData', 'Local');
    return joinFor(platform, local, 'bondbench', 'runs');
  }
  return joinFor(platform, env.XDG_DATA_HOME || joinFor(platform, home, '.local', 'share'), 'bondbench', 'runs');
}

/**
 * Where a Chromium-family browser is looked for to print PDFs outside the desktop app, in order:
 * $BONDBENCH_CHROMIUM alone when set; Linux packages' paths; on Windows Chrome, Chromium and Edge (Edge ships
 * with Windows 10/11) under Program Files and the user's LocalAppData; on macOS the app bundles.
 */
export function chromiumCandidates(platform: Platform, env: Env): string[] {
  if (env.BONDBENCH_CHROMIUM) return [env.BONDBENCH_CHROMIUM];
  if (platform === 'win32') {
    const roots = [env.ProgramFiles, env['ProgramFiles(x86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    const apps = [
      ['Google', 'Chrome', 'Application', 'chrome.exe'],
      ['Chromium', 'Application', 'chrome.exe'],
      ['Microsoft', 'Edge', 'Application', 'msedge.exe'],
    ];
    return apps.flatMap((app) => roots.map((root) => joinFor(platform, root, ...app)));
  }
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
}
