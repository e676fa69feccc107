/**
 * A user's own scripts as power, link and switch drivers. Each template is an argv list; placeholders are expanded word by
 * word from validated values and the program is spawned directly, never through a shell.
 */
import { spawn } from 'node:child_process';
import { switchChannelOf } from '../../shared/bonding/modes.js';
import {
  COMMAND_LINK,
  COMMAND_POWER,
  COMMAND_SWITCH,
  type CommandLinkConfig,
  type CommandPowerConfig,
  type CommandSwitchConfig,
} from '../../shared/drivers/command.js';
import {
  checkCommandTemplate,
  expandCommandTemplate,
  LINK_PLACEHOLDERS,
  type LinkAction,
  POWER_PLACEHOLDERS,
  type PowerAction,
  SWITCH_PLACEHOLDERS,
} from '../../shared/drivers/template.js';
import { assertInterfaceName } from '../../shared/net/names.js';
import { CommandSpawnError, commandSpawn, killPlan } from '../../shared/platform/command.js';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import {
  type DriverContext,
  DriverError,
  type LinkDriver,
  linkDriverModule,
  type PowerDriver,
  powerDriverModule,
  type SwitchDriver,
  sleep,
  switchDriverModule,
  unmappedSlave,
} from './types.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CYCLE_DELAY_S = 5;

interface Outcome {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/**
 * Spawns argv without a shell (Windows batch files through cmd.exe with checked, quoted words: commandSpawn), so
 * that a timeout stops the script together with whatever it started (a `sleep` left behind would otherwise hold
 * its output open): the process group on POSIX, taskkill /t on Windows.
 */
function spawnArgv(argv: string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const plan = commandSpawn(process.platform, argv, process.env);
    const child = spawn(plan.file, plan.args, {
      detached: plan.detached,
      windowsHide: plan.windowsHide,
      windowsVerbatimArguments: plan.windowsVerbatimArguments,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) {
        const kill = killPlan(process.platform, child.pid);
        try {
          if (kill.kind === 'group') process.kill(kill.pid, kill.signal);
          else spawn(kill.file, kill.args, { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
        } catch {
          // Already gone.
        }
      }
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, timedOut });
    });
  });
}

/** Runs one expanded template; resolves with its stdout, throws DriverError with its stderr when it fails. */
async function runTemplate(
  driver: string,
  what: string,
  argv: string[],
  timeoutMs: number,
  context: DriverContext,
): Promise<string> {
  context.log({ key: 'log.driver.command', vars: { driver, what, argv: JSON.stringify(argv) } });
  let outcome: Outcome;
  try {
    outcome = await spawnArgv(argv, timeoutMs);
  } catch (error) {
    if (error instanceof CommandSpawnError)
      throw new DriverError(driver, { key: 'whatFailed', vars: { what, cause: errorPart(error) } });
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? { key: 'driverFailure.noSuchProgram' } : errorPart(error);
    throw new DriverError(driver, { key: 'cannotStart', vars: { what, program: argv[0]!, reason } }, { cause: error });
  }
  if (outcome.timedOut || outcome.code !== 0) {
    const status: ReasonPart = outcome.timedOut
      ? { key: 'driverFailure.stoppedAfter', vars: { ms: timeoutMs } }
      : outcome.code === null
        ? { key: 'driverFailure.exitedSignal' }
        : { key: 'driverFailure.exitedWith', vars: { code: outcome.code } };
    const detail = (outcome.stderr.trim() || outcome.stdout.trim()).split('\n').slice(-5).join('\n');
    const vars = { what, program: argv[0]!, status };
    throw new DriverError(
      driver,
      detail ? { key: 'commandFailedDetail', vars: { ...vars, detail } } : { key: 'commandFailed', vars },
    );
  }
  return outcome.stdout;
}

function commandPowerDriver(config: CommandPowerConfig, context: DriverContext): PowerDriver {
  for (const key of ['on', 'off', 'cycle', 'state'] as const) {
    if (config[key]) checkCommandTemplate(config[key], POWER_PLACEHOLDERS, key);
  }
  const name = `command power${config.outlet === undefined ? '' : ` outlet ${config.outlet}`} (${config.on[0]})`;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const invoke = (action: PowerAction, template: string[]) =>
    runTemplate(
      name,
      action,
      expandCommandTemplate(template, { outlet: config.outlet, action }, action),
      timeoutMs,
      context,
    );
  return {
    name,
    readable: !!config.state,
    async set(state) {
      await invoke(state, state === 'on' ? config.on : config.off);
    },
    async cycle() {
      if (config.cycle) {
        await invoke('cycle', config.cycle);
        return;
      }
      await invoke('off', config.off);
      await sleep((config.delay ?? DEFAULT_CYCLE_DELAY_S) * 1000);
      await invoke('on', config.on);
    },
    async get() {
      if (!config.state) return 'unknown';
      const word = (await invoke('state', config.state)).trim().split(/\s+/)[0]?.toLowerCase();
      return word === 'on' || word === 'off' ? word : 'unknown';
    },
  };
}

function commandLinkDriver(config: CommandLinkConfig, context: DriverContext): LinkDriver {
  const used = new Set<string>();
  for (const key of ['pull', 'plug', 'state'] as const) {
    if (config[key]) for (const n of checkCommandTemplate(config[key], LINK_PLACEHOLDERS, key)) used.add(n);
  }
  const name = `command link (${config.pull[0]})`;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const invoke = (action: LinkAction, template: string[], slave: string) => {
    assertInterfaceName(slave, 'slave');
    const port = config.ports && Object.hasOwn(config.ports, slave) ? config.ports[slave] : undefined;
    if (used.has('port') && port === undefined) throw unmappedSlave(name, action, slave, config.ports);
    return runTemplate(
      name,
      `${action} ${slave}`,
      expandCommandTemplate(template, { slave, port, action }, action),
      timeoutMs,
      context,
    );
  };
  return {
    name,
    physical: config.physical ?? true,
    async pull(slave) {
      await invoke('pull', config.pull, slave);
    },
    async plug(slave) {
      await invoke('plug', config.plug, slave);
    },
    async state(slave) {
      if (!config.state) return 'unknown';
      const word = (await invoke('state', config.state, slave)).trim().split(/\s+/)[0]?.toLowerCase();
      if (word === 'plugged' || word === 'up') return 'plugged';
      if (word === 'pulled' || word === 'down') return 'pulled';
      return 'unknown';
    },
  };
}

/**
 * Runs `configure` once per slave, in the bond's order, before each mode's bring-up, then waits settleSeconds.
 * The first failing port stops it (DriverError with the script's stderr): the mode's bring-up then fails.
 * There is no template to undo it, so restore() leaves the ports as the last mode had them.
 */
function commandSwitchDriver(config: CommandSwitchConfig, context: DriverContext): SwitchDriver {
  const used = checkCommandTemplate(config.configure, SWITCH_PLACEHOLDERS, 'configure');
  const name = `command switch (${config.configure[0]})`;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name,
    async check() {},
    async setMode(mode, slaves) {
      const channel = switchChannelOf(mode);
      for (const slave of slaves) {
        assertInterfaceName(slave, 'slave');
        const port = config.ports && Object.hasOwn(config.ports, slave) ? config.ports[slave] : undefined;
        if (used.has('port') && port === undefined) throw unmappedSlave(name, `configure ${mode}`, slave, config.ports);
        await runTemplate(
          name,
          `${mode} (${channel}) on ${slave}`,
          expandCommandTemplate(config.configure, { mode, channel, slave, port }, 'configure'),
          timeoutMs,
          context,
        );
      }
      if (config.settleSeconds) await sleep(config.settleSeconds * 1000);
      return { channel, attachedTo: `${channel === 'none' ? 'no port-channel' : `${channel} port-channel`} (${name})` };
    },
    async restore() {},
  };
}

export const commandPower = powerDriverModule(COMMAND_POWER, commandPowerDriver);
export const commandLink = linkDriverModule(COMMAND_LINK, commandLinkDriver);
export const commandSwitch = switchDriverModule(COMMAND_SWITCH, commandSwitchDriver);
