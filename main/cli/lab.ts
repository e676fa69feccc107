import type { Language } from '../../shared/api.js';
import { parseBondingMode } from '../../shared/bonding/modes.js';
import { LINK_DOWN_MAX_MS } from '../../shared/drivers/lab.js';
import { LAB_NETWORK, LAB_SLAVES } from '../../shared/lab/topology.js';
import type { ReasonPart } from '../../shared/run/model.js';
import { buildGuestImage } from '../lab/image.js';
import { type LabStatus, type LabUpOptions, VirtualLab } from '../lab/lab.js';
import { proxyStdio } from '../lab/netns.js';
import { cliLanguage, cliLog, parseCommandLine, say as sayCli, type Usage, UsageError, usageText } from './usage.js';

const USAGE: Usage = { key: 'cli.usage.lab', vars: { max: LINK_DOWN_MAX_MS } };

const log = cliLog('lab');

async function bondState(lab: VirtualLab): Promise<string> {
  const session = await lab.ssh();
  try {
    const result = await session.exec(
      'if [ -r /proc/net/bonding/bond0 ]; then cat /proc/net/bonding/bond0; else echo "no bond0: eth1 and eth2 stand alone"; fi; echo; ip -br link; ip -br -4 addr',
    );
    return result.stdout.trimEnd();
  } finally {
    session.close();
  }
}

function printStatus(status: LabStatus, language: Language): void {
  const say = (key: string, vars?: ReasonPart['vars']) => sayCli(language, `lab.${key}`, vars);
  if (!status.up) {
    console.log(say('down', { instance: status.instance }));
    return;
  }
  console.log(
    say('up', {
      instance: status.instance,
      pid: String(status.qemuPid),
      accel: String(status.accel),
      kernel: String(status.kernel),
    }),
  );
  if (status.bootMs) console.log(say('bootToSsh', { seconds: (status.bootMs / 1000).toFixed(1) }));
  console.log(say('namespace', { value: status.namespace }));
  console.log(say('ssh', { value: String(status.ssh?.command) }));
  console.log(say('hostKey', { value: String(status.ssh?.hostKey) }));
  const tester = status.tester;
  console.log(
    say('tester', {
      port: String(tester?.port),
      address: String(tester?.address),
      mac: String(tester?.mac),
      bond: LAB_NETWORK.bondAddress,
    }),
  );
  const partner = status.lacp?.partner;
  if (partner) {
    console.log(
      say('partner', {
        mac: partner.systemMac,
        rate: partner.lacpRate,
        qemu: partner.qemuPid
          ? { key: 'cli.lab.qemuPid', vars: { pid: String(partner.qemuPid) } }
          : { key: 'cli.lab.notRunning' },
        boot: partner.bootMs
          ? { key: 'cli.lab.bondUpAfter', vars: { seconds: (partner.bootMs / 1000).toFixed(1) } }
          : '',
        log: partner.consoleLog,
      }),
    );
  }
  const onOff = (on: boolean): ReasonPart => ({ key: on ? 'cli.lab.on' : 'cli.lab.off' });
  for (const link of status.links ?? []) {
    // With the partner, the switch driver moves the cable between the partner's port and the bridge.
    const cable: ReasonPart =
      link.partnerTap && link.cabledTo !== 'bridge'
        ? {
            key: 'cli.lab.cablePartner',
            vars: {
              tap: link.tap,
              partnerTap: link.partnerTap,
              loose: link.cabledTo === 'loose' ? { key: 'cli.lab.notConnected' } : '',
              switch: onOff(!!link.switchCarrier),
              partner: onOff(!!link.partnerCarrier),
            },
          }
        : {
            key: 'cli.lab.cableBridge',
            vars: {
              tap: link.tap,
              carrier: onOff(!!link.switchCarrier),
              recabled: link.partnerTap ? { key: 'cli.lab.recabled', vars: { partnerTap: link.partnerTap } } : '',
            },
          };
    console.log(
      say('link', { slave: link.slave, state: { key: link.pulled ? 'cli.lab.pulled' : 'cli.lab.plugged' }, cable }),
    );
  }
}

/** Waits briefly for the guest's view of a slave to match a pull or plug, so the user sees its effect. */
async function slaveMiiStatus(lab: VirtualLab, slave: string, want: 'up' | 'down'): Promise<string> {
  const session = await lab.ssh();
  try {
    let seen = 'unknown';
    for (let i = 0; i < 20; i++) {
      const out = (await session.exec('cat /proc/net/bonding/bond0 2>/dev/null')).stdout;
      const block = out.split(/\n(?=Slave Interface: )/).find((b) => b.startsWith(`Slave Interface: ${slave}\n`));
      seen = block?.match(/MII Status: (\S+)/)?.[1] ?? 'not a slave';
      if (seen === want || seen === 'not a slave') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  } finally {
    session.close();
  }
}

export async function labCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandLine(
    rest,
    {
      instance: { type: 'string' },
      json: { type: 'boolean' },
      mode: { type: 'string' },
      miimon: { type: 'string' },
      style: { type: 'string' },
      standalone: { type: 'boolean' },
      lacp: { type: 'boolean' },
      accel: { type: 'string' },
      'no-wait': { type: 'boolean' },
      'link-down-ms': { type: 'string' },
    },
    USAGE,
  );
  const language = cliLanguage(undefined, USAGE);
  const say = (key: string, vars?: ReasonPart['vars']) => sayCli(language, `lab.${key}`, vars);
  const usage = (key: string, vars?: ReasonPart['vars']) =>
    new UsageError({ key: `cli.lab.${key}`, vars: vars ?? {} }, USAGE);
  const lab = new VirtualLab(values.instance);
  switch (action) {
    case 'up': {
      let bond: LabUpOptions['bond'];
      if (values.standalone) {
        if (values.mode) throw usage('standaloneMode');
        bond = null;
      } else {
        const miimon = Number(values.miimon ?? 100);
        if (!Number.isInteger(miimon) || miimon < 0) throw usage('badMiimon');
        const style = values.style ?? 'writeup';
        if (style !== 'writeup' && style !== 'modern') throw usage('badStyle');
        bond = { mode: parseBondingMode(values.mode ?? (values.lacp ? '802.3ad' : 'balance-rr')), miimon, style };
      }
      const status = await lab.up({ bond, accel: values.accel, log, lacp: values.lacp });
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else {
        printStatus(status, language);
        console.log(`\n${await bondState(lab)}`);
      }
      return 0;
    }
    case 'down': {
      const found = await lab.down(log);
      console.log(say(found ? 'down' : 'notUp', { instance: lab.instance }));
      return 0;
    }
    case 'status': {
      const status = await lab.status();
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status, language);
      return status.up ? 0 : 3;
    }
    case 'pull':
    case 'plug': {
      const slave = positionals[0];
      if (!slave || positionals.length > 1) throw usage('oneSlave', { action, slaves: LAB_SLAVES.join(' | ') });
      const linkDownMs = Number(values['link-down-ms'] ?? 0);
      if (!Number.isInteger(linkDownMs) || linkDownMs < 0 || linkDownMs > LINK_DOWN_MAX_MS)
        throw usage('badLinkDown', { max: LINK_DOWN_MAX_MS });
      if (action === 'pull') await lab.pull(slave, { linkDownMs });
      else await lab.plug(slave);
      const mii = await slaveMiiStatus(lab, slave, action === 'pull' ? 'down' : 'up');
      // The kernel's own word (up, down), or ours when the bond does not list the slave.
      const status = mii === 'not a slave' ? { key: 'cli.lab.notSlave' } : mii;
      console.log(say(action === 'pull' ? 'pulledMii' : 'pluggedMii', { slave, mii: status }));
      return 0;
    }
    case 'reset': {
      const ms = await lab.reset({ wait: !values['no-wait'] });
      console.log(ms === undefined ? say('resetSent') : say('resetBack', { seconds: (ms / 1000).toFixed(1) }));
      return 0;
    }
    case 'power': {
      const what = positionals[0];
      if (what !== 'on' && what !== 'off' && what !== 'cycle') throw usage('powerTakes');
      const ms = await lab.power(what, log);
      const state = { key: `cli.lab.${await lab.powerState()}` };
      console.log(
        ms ? say('powerSsh', { what, state, seconds: (ms / 1000).toFixed(1) }) : say('power', { what, state }),
      );
      return 0;
    }
    case 'ssh':
      return labSsh(lab, positionals);
    case 'connect': {
      const [host, port] = positionals;
      if (!host || !port || !/^\d+$/.test(port)) throw usage('connectTakes');
      return proxyStdio(lab.namespace, host, Number(port));
    }
    case 'image': {
      const image = await buildGuestImage(log);
      console.log(values.json ? JSON.stringify(image, null, 2) : image.dir);
      return 0;
    }
    case undefined:
    case 'help':
      console.log(usageText(language, USAGE));
      return action ? 0 : 2;
    default:
      throw new UsageError({ key: 'cli.unknownAction', vars: { group: 'lab', action: JSON.stringify(action) } }, USAGE);
  }
}

/** One command: output and exit code passed on. No command: an interactive shell on a pseudo-terminal. */
async function labSsh(lab: VirtualLab, words: string[]): Promise<number> {
  const session = await lab.ssh();
  try {
    if (words.length > 0) {
      // The words are the user's own command for their own lab guest, joined as OpenSSH's ssh does.
      const command = words.join(' ');
      const input = process.stdin.isTTY ? undefined : await readAll(process.stdin);
      const result = await session.exec(command, { input });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.code ?? 255;
    }
    const interactive = process.stdin.isTTY;
    const channel = await session.openPty(undefined, {
      term: process.env.TERM ?? 'xterm',
      rows: process.stdout.rows ?? 24,
      cols: process.stdout.columns ?? 80,
    });
    if (interactive) process.stdin.setRawMode(true);
    process.stdin.pipe(channel);
    channel.pipe(process.stdout);
    channel.stderr.pipe(process.stderr);
    const code = await new Promise<number>((resolve) => {
      channel.on('exit', (exitCode: number | null) => resolve(exitCode ?? 0));
      channel.on('close', () => resolve(0));
    });
    if (interactive) process.stdin.setRawMode(false);
    process.stdin.unpipe(channel);
    process.stdin.pause();
    return code;
  } finally {
    session.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
