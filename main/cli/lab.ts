import { parseBondingMode } from '../../shared/bonding/modes.js';
import { LINK_DOWN_MAX_MS } from '../../shared/drivers/lab.js';
import { LAB_NETWORK, LAB_SLAVES } from '../../shared/lab/topology.js';
import { buildGuestImage } from '../lab/image.js';
import { type LabStatus, type LabUpOptions, VirtualLab } from '../lab/lab.js';
import { proxyStdio } from '../lab/netns.js';
import { cliLog, parseCommandLine, UsageError } from './usage.js';

const USAGE = `usage: bondbench lab <action> [--instance NAME]

  up [--mode MODE] [--miimon MS] [--style writeup|modern] [--standalone] [--lacp] [--accel auto|kvm|tcg] [--json]
                 build the guest image if needed, wire the namespace, boot the guest, print where to SSH and
                 the bond's state. /etc/conf.d/net starts as the write-up's (balance-rr, miimon 100).
                 --lacp: cable eth1 and eth2 to an LACP partner (a second guest whose 802.3ad bond plays the
                 switch, lacp_rate fast) instead of the bridge; the bond then starts as 802.3ad, miimon 100.
  down           stop the guest, remove the namespace, taps and files of the lab
  status [--json]
  pull <eth1|eth2> [--link-down-ms MS]
                     pull the cable: carrier off on the switch port and on the guest NIC; --link-down-ms keeps
                     the guest NIC's carrier that long after the switch end (a real PHY's link-fail time, 0–${LINK_DOWN_MAX_MS})
  plug <eth1|eth2>   plug it back
  reset [--no-wait]  warm reboot (QMP system_reset); waits for SSH and prints the time
  power on|off|cycle cold power: stop or start the guest; /etc on its disk survives
  ssh [COMMAND …]    a shell in the guest, or one command (its output and exit code are passed on)
  connect HOST PORT  join stdin/stdout to HOST:PORT inside the lab (an OpenSSH ProxyCommand)
  image              build (or find in the cache) the guest image and print where it is`;

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

function printStatus(status: LabStatus): void {
  if (!status.up) {
    console.log(`lab "${status.instance}" is down`);
    return;
  }
  console.log(`lab "${status.instance}" is up: QEMU pid ${status.qemuPid} (${status.accel}), ${status.kernel}`);
  if (status.bootMs) console.log(`  boot to SSH: ${(status.bootMs / 1000).toFixed(1)} s`);
  console.log(`  namespace:  ${status.namespace}`);
  console.log(`  ssh:        ${status.ssh?.command}`);
  console.log(`  host key:   ${status.ssh?.hostKey}`);
  console.log(
    `  tester:     ${status.tester?.port} ${status.tester?.address} (${status.tester?.mac}), bond ${LAB_NETWORK.bondAddress}`,
  );
  const partner = status.lacp?.partner;
  if (partner) {
    console.log(
      `  partner:    LACP switch ${partner.systemMac} (lacp_rate ${partner.lacpRate}), ` +
        (partner.qemuPid ? `QEMU pid ${partner.qemuPid}` : 'NOT RUNNING') +
        `${partner.bootMs ? `, bond up ${(partner.bootMs / 1000).toFixed(1)} s after start` : ''}; console ${partner.consoleLog}`,
    );
  }
  for (const link of status.links ?? []) {
    // With the partner, the switch driver moves the cable between the partner's port and the bridge.
    const cable =
      link.partnerTap && link.cabledTo !== 'bridge'
        ? `cable ${link.tap} ↔ ${link.partnerTap}${link.cabledTo === 'loose' ? ' (NOT CONNECTED)' : ''}, carrier ${link.switchCarrier ? 'on' : 'off'}/${link.partnerCarrier ? 'on' : 'off'}`
        : `switch port ${link.tap} carrier ${link.switchCarrier ? 'on' : 'off'}${link.partnerTap ? ` (re-cabled to the bridge; partner port ${link.partnerTap} dark)` : ''}`;
    console.log(`  ${link.slave}:       ${link.pulled ? 'PULLED' : 'plugged'} (${cable})`);
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
  const lab = new VirtualLab(values.instance);
  switch (action) {
    case 'up': {
      let bond: LabUpOptions['bond'];
      if (values.standalone) {
        if (values.mode) throw new UsageError('--standalone and --mode exclude each other', USAGE);
        bond = null;
      } else {
        const miimon = Number(values.miimon ?? 100);
        if (!Number.isInteger(miimon) || miimon < 0) throw new UsageError('--miimon takes a whole number of ms', USAGE);
        const style = values.style ?? 'writeup';
        if (style !== 'writeup' && style !== 'modern') throw new UsageError('--style is writeup or modern', USAGE);
        bond = { mode: parseBondingMode(values.mode ?? (values.lacp ? '802.3ad' : 'balance-rr')), miimon, style };
      }
      const status = await lab.up({ bond, accel: values.accel, log, lacp: values.lacp });
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else {
        printStatus(status);
        console.log(`\n${await bondState(lab)}`);
      }
      return 0;
    }
    case 'down': {
      const found = await lab.down(log);
      console.log(found ? `lab "${lab.instance}" is down` : `lab "${lab.instance}" was not up; nothing to remove`);
      return 0;
    }
    case 'status': {
      const status = await lab.status();
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status);
      return status.up ? 0 : 3;
    }
    case 'pull':
    case 'plug': {
      const slave = positionals[0];
      if (!slave || positionals.length > 1)
        throw new UsageError(`lab ${action} takes one slave: ${LAB_SLAVES.join(' or ')}`, USAGE);
      const linkDownMs = Number(values['link-down-ms'] ?? 0);
      if (!Number.isInteger(linkDownMs) || linkDownMs < 0 || linkDownMs > LINK_DOWN_MAX_MS)
        throw new UsageError(`--link-down-ms takes a whole number of ms from 0 to ${LINK_DOWN_MAX_MS}`, USAGE);
      if (action === 'pull') await lab.pull(slave, { linkDownMs });
      else await lab.plug(slave);
      const mii = await slaveMiiStatus(lab, slave, action === 'pull' ? 'down' : 'up');
      console.log(
        `${slave} ${action === 'pull' ? 'pulled' : 'plugged'}; the guest's bond0 reports ${slave} MII status: ${mii}`,
      );
      return 0;
    }
    case 'reset': {
      const ms = await lab.reset({ wait: !values['no-wait'] });
      console.log(ms === undefined ? 'reset sent' : `reset: SSH answered again after ${(ms / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'power': {
      const what = positionals[0];
      if (what !== 'on' && what !== 'off' && what !== 'cycle')
        throw new UsageError('lab power takes on, off or cycle', USAGE);
      const ms = await lab.power(what, log);
      console.log(
        `power ${what}: guest is ${await lab.powerState()}${ms ? `, SSH after ${(ms / 1000).toFixed(1)} s` : ''}`,
      );
      return 0;
    }
    case 'ssh':
      return labSsh(lab, positionals);
    case 'connect': {
      const [host, port] = positionals;
      if (!host || !port || !/^\d+$/.test(port)) throw new UsageError('lab connect takes HOST PORT', USAGE);
      return proxyStdio(lab.namespace, host, Number(port));
    }
    case 'image': {
      const image = await buildGuestImage(log);
      console.log(values.json ? JSON.stringify(image, null, 2) : image.dir);
      return 0;
    }
    case undefined:
    case 'help':
      console.log(USAGE);
      return action ? 0 : 2;
    default:
      throw new UsageError(`unknown lab action ${JSON.stringify(action)}`, USAGE);
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
