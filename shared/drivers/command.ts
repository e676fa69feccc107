/**
 * A user's own scripts as power, link and switch drivers: argv templates with `{placeholder}`s, spawned without a shell.
 * Pure.
 */
import { assertInterfaceName } from '../net/names.js';
import {
  argvSchema,
  collect,
  type DriverConfigIssue,
  defineDriver,
  delaySeconds,
  driverIssue,
  ms,
  slaveName,
  variant,
  wordOrNumber,
} from './define.js';
import {
  assertPlaceholderValue,
  checkCommandTemplate,
  LINK_PLACEHOLDERS,
  POWER_PLACEHOLDERS,
  SWITCH_PLACEHOLDERS,
} from './template.js';

export interface CommandPowerConfig {
  type: 'command';
  /** Substituted for `{outlet}`. */
  outlet?: string | number;
  on: string[];
  off: string[];
  /** Without it a cycle is off, `delay` seconds, on. */
  cycle?: string[];
  /** Prints `on` or `off`; anything else reads as unknown. */
  state?: string[];
  delay?: number;
  timeoutMs?: number;
}

export interface CommandLinkConfig {
  type: 'command';
  pull: string[];
  plug: string[];
  /** Prints `plugged`/`up` or `pulled`/`down`; anything else reads as unknown. */
  state?: string[];
  /** Slave → switch port, substituted for `{port}`. */
  ports?: Record<string, string | number>;
  /** False when the script does not drop carrier on both sides (e.g. it runs ip link set down on the host). */
  physical?: boolean;
  timeoutMs?: number;
}

/**
 * A real switch told each mode before its bring-up: `configure` runs once per slave with `{mode}`, `{channel}`
 * (lacp, static or none: what bonding.rst §5 "Switch Configuration" says the mode needs), `{slave}` and `{port}`,
 * e.g. a script that puts the port into an LACP port-channel, a static one, or none.
 */
export interface CommandSwitchConfig {
  type: 'command';
  configure: string[];
  /** Slave → switch port, substituted for `{port}`. */
  ports?: Record<string, string | number>;
  /** Seconds to wait after the last port is configured (spanning tree, a port-channel coming up); default 0. */
  settleSeconds?: number;
  timeoutMs?: number;
}

/** Checks each template present under `keys`; returns the placeholders they use. */
function templateIssues(
  config: Record<string, unknown>,
  keys: readonly string[],
  placeholders: readonly string[],
  issues: DriverConfigIssue[],
): Set<string> {
  const used = new Set<string>();
  for (const key of keys) {
    const argv = config[key];
    if (argv === undefined) continue;
    collect(issues, key, () => {
      for (const name of checkCommandTemplate(argv, placeholders, key)) used.add(name);
    });
  }
  return used;
}

/** A slave → switch port map: each slave an interface name, each port one safe word; required when {port} is used. */
function portIssues(
  ports: Record<string, string | number> | undefined,
  used: Set<string>,
  commands: 'one' | 'many',
  issues: DriverConfigIssue[],
): void {
  for (const [slave, port] of Object.entries(ports ?? {})) {
    collect(issues, `ports.${slave}`, () => {
      assertInterfaceName(slave, `ports.${slave}`);
      assertPlaceholderValue('port', port, `ports.${slave}`);
    });
  }
  if (used.has('port') && !ports) {
    issues.push(
      commands === 'many'
        ? driverIssue('ports', 'the commands use {port}: map each slave to its switch port', 'commandsUsePort')
        : driverIssue('ports', 'the command uses {port}: map each slave to its switch port', 'commandUsesPort'),
    );
  }
}

export const COMMAND_POWER = defineDriver<CommandPowerConfig>({
  kind: 'power',
  type: 'command',
  schema: variant('command', ['on', 'off'], {
    outlet: wordOrNumber,
    on: argvSchema(POWER_PLACEHOLDERS, 'switches the outlet on'),
    off: argvSchema(POWER_PLACEHOLDERS, 'switches the outlet off'),
    cycle: argvSchema(POWER_PLACEHOLDERS, 'power-cycles the outlet'),
    state: argvSchema(POWER_PLACEHOLDERS, 'prints on or off'),
    delay: delaySeconds,
    timeoutMs: ms(100, 600_000),
  }),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    const used = templateIssues({ ...config }, ['on', 'off', 'cycle', 'state'], POWER_PLACEHOLDERS, issues);
    if (config.outlet !== undefined) {
      collect(issues, 'outlet', () => assertPlaceholderValue('outlet', config.outlet, 'outlet'));
    } else if (used.has('outlet')) {
      issues.push(driverIssue('outlet', 'the commands use {outlet}: say which outlet', 'commandsUseOutlet'));
    }
    return issues;
  },
  label: { en: 'a command of yours (power)', 'zh-CN': '自定义命令（电源）' },
  fields: [
    { key: 'outlet', input: 'text', label: { en: 'outlet ({outlet})', 'zh-CN': '插座（{outlet}）' } },
    {
      key: 'delay',
      input: 'integer',
      label: { en: 'off time in a cycle (s)', 'zh-CN': '重启断电时长（秒）' },
      placeholder: '5',
    },
  ],
  example: {
    type: 'command',
    outlet: 1,
    on: ['/usr/local/bin/pdu', 'on', '{outlet}'],
    off: ['/usr/local/bin/pdu', 'off', '{outlet}'],
  },
});

export const COMMAND_LINK = defineDriver<CommandLinkConfig>({
  kind: 'link',
  type: 'command',
  schema: variant('command', ['pull', 'plug'], {
    pull: argvSchema(LINK_PLACEHOLDERS, 'pulls the cable of {slave}'),
    plug: argvSchema(LINK_PLACEHOLDERS, 'plugs it back'),
    state: argvSchema(LINK_PLACEHOLDERS, 'prints plugged or pulled'),
    ports: {
      type: 'object',
      propertyNames: slaveName,
      additionalProperties: wordOrNumber,
    },
    physical: { type: 'boolean', description: 'false when the switch side keeps its carrier; true by default' },
    timeoutMs: ms(100, 600_000),
  }),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    const used = templateIssues({ ...config }, ['pull', 'plug', 'state'], LINK_PLACEHOLDERS, issues);
    portIssues(config.ports, used, 'many', issues);
    return issues;
  },
  label: { en: 'a command of yours (cables)', 'zh-CN': '自定义命令（网线）' },
  fields: [],
  example: {
    type: 'command',
    pull: ['/usr/local/bin/switch', 'shutdown', '{port}'],
    plug: ['/usr/local/bin/switch', 'no-shutdown', '{port}'],
    ports: { eth1: 'Gi1/0/1', eth2: 'Gi1/0/2' },
  },
});

export const COMMAND_SWITCH = defineDriver<CommandSwitchConfig>({
  kind: 'switch',
  type: 'command',
  schema: variant('command', ['configure'], {
    configure: argvSchema(SWITCH_PLACEHOLDERS, 'configures one slave’s switch port for the mode'),
    ports: {
      type: 'object',
      propertyNames: slaveName,
      additionalProperties: wordOrNumber,
    },
    settleSeconds: { type: 'integer', minimum: 0, maximum: 300, description: 'seconds to wait after configuring' },
    timeoutMs: ms(100, 600_000),
  }),
  issues(config) {
    const issues: DriverConfigIssue[] = [];
    const used = templateIssues({ ...config }, ['configure'], SWITCH_PLACEHOLDERS, issues);
    portIssues(config.ports, used, 'one', issues);
    if (!used.has('mode') && !used.has('channel')) {
      issues.push(
        driverIssue(
          'configure',
          'the command is never told the mode: use {mode} or {channel} (lacp, static or none)',
          'commandNoMode',
        ),
      );
    }
    return issues;
  },
  label: { en: 'a command of yours (switch ports per mode)', 'zh-CN': '自定义命令（按模式配置交换机端口）' },
  fields: [
    {
      key: 'settleSeconds',
      input: 'integer',
      label: { en: 'wait after configuring (s)', 'zh-CN': '配置后等待（秒）' },
      placeholder: '0',
    },
  ],
  example: {
    type: 'command',
    configure: ['/usr/local/bin/switch', 'port-channel', '{port}', '{channel}'],
    ports: { eth1: 'Gi1/0/1', eth2: 'Gi1/0/2' },
  },
});
