/** The desktop transport: the typed API through the preload's `window.bondbench` (IPC to the shell's main). */
import { API_METHODS } from '../../../shared/api.js';
import { ipcAnswer, type ShellWire } from '../../../shared/shell.js';
import { SHELL_METHODS, type ShellBridge } from './bridge.js';

/**
 * The shell's bridge, checked to carry every method the contract names; each API method's failure (an
 * IpcFailure value) thrown again as an Error with its `parts`, so errorText says it in the UI's language.
 */
export function electronBridge(bridge: ShellWire | undefined = globalThis.window?.bondbench): ShellBridge {
  if (!bridge) throw new Error('window.bondbench is missing: this page is not running inside the BondBench shell');
  const missing = [...API_METHODS, ...SHELL_METHODS, 'onEvent'].filter(
    (name) => typeof (bridge as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length)
    throw new Error(`the shell's bridge lacks ${missing.join(', ')}: the preload and renderer differ in version`);
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      (...args: unknown[]) => (bridge[method] as (...a: unknown[]) => Promise<unknown>)(...args).then(ipcAnswer),
    ]),
  );
  return { ...bridge, ...api } as ShellBridge;
}
