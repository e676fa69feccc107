/** The desktop transport: the typed API through the preload's `window.bondbench` (IPC to the shell's main). */
import { API_METHODS } from '../../../shared/api.js';
import { SHELL_METHODS, type ShellBridge } from './bridge.js';

/** The shell's bridge, checked to carry every method the contract names. */
export function electronBridge(bridge: ShellBridge | undefined = globalThis.window?.bondbench): ShellBridge {
  if (!bridge) throw new Error('window.bondbench is missing: this page is not running inside the BondBench shell');
  const missing = [...API_METHODS, ...SHELL_METHODS, 'onEvent'].filter(
    (name) => typeof (bridge as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length)
    throw new Error(`the shell's bridge lacks ${missing.join(', ')}: the preload and renderer differ in version`);
  return bridge;
}
