/**
 * The last line of defence of a process that may have a run in progress: an uncaught exception or an unhandled
 * rejection anywhere (a driver, a socket, a bug) must not leave the host half-configured. The handler logs the
 * error, lets `restore` cancel the runs and put each host back, and only then exits.
 */

export interface FatalHandlerOptions {
  /** Cancels every run in progress and resolves once their hosts are restored (Bench.shutdown). */
  restore: () => Promise<void>;
  /** Where the error and the outcome go (stderr by default). */
  log?: (line: string) => void;
  /** How long the restore may take before the process leaves anyway, ms (default 10 minutes: a netifrc reboot). */
  timeoutMs?: number;
  /** Exit status after a fatal error (default 70, EX_SOFTWARE). */
  exitCode?: number;
  /** process.exit, replaceable by a test. */
  exit?: (code: number) => void;
}

/**
 * Installs process-level `uncaughtException` and `unhandledRejection` handlers; returns a function that removes
 * them. The first fatal error starts the restore; later ones are only logged while it runs.
 */
export function installFatalHandler(options: FatalHandlerOptions): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 600_000;
  const code = options.exitCode ?? 70;
  let stopping = false;

  const onFatal = (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`fatal: ${text}`);
    if (stopping) return;
    stopping = true;
    log('fatal: cancelling runs in progress and restoring their hosts before exiting');
    const timer = setTimeout(() => {
      log(`fatal: the restore did not finish within ${Math.round(timeoutMs / 1000)} s; exiting anyway`);
      exit(code);
    }, timeoutMs);
    Promise.resolve()
      .then(options.restore)
      .then(
        () => log('fatal: runs cancelled, hosts restored; exiting'),
        (restoreError: unknown) =>
          log(
            `fatal: restoring failed: ${restoreError instanceof Error ? restoreError.message : String(restoreError)}`,
          ),
      )
      .finally(() => {
        clearTimeout(timer);
        exit(code);
      });
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return () => {
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  };
}
