/**
 * The desktop shell's start-up and response-header decisions, kept free of Electron so they are tested here.
 */

/**
 * Runs start() once Electron is ready; any failure — of whenReady or of start itself — is shown in an error box
 * and ends the app, rather than leaving an invisible window or a process with no window at all.
 */
export function startShell(
  ready: Promise<unknown>,
  start: () => Promise<void>,
  fail: (title: string, message: string) => void,
): Promise<void> {
  return ready.then(start).catch((error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    fail('BondBench cannot start', message);
  });
}

/**
 * Whether the shell rewrites every response's CSP. The app's own scheme sets SHELL_CSP itself; the electron-vite
 * dev server's page needs Vite's inline preamble and HMR socket, which the strict policy blocks (a blank
 * window), so in development its responses keep their own headers. A packaged app never has a dev server.
 */
export function rewritesResponseCsp(devServerUrl: string | undefined): boolean {
  return devServerUrl === undefined;
}
