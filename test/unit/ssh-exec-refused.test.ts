/**
 * An SSH server that refuses an exec request (CHANNEL_FAILURE, RFC 4254 §6.5; ssh2 says "Unable to exec") never
 * started the command: SshSession asks again a bounded number of times, and says so when the server keeps refusing.
 * The server is ssh2's own, in process, on loopback.
 */
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { SshSession } from '../../main/ssh/session.js';

const { Server, utils } = ssh2;
const hostKey = utils.generateKeyPairSync('ed25519').private;

let server: InstanceType<typeof Server> | undefined;
afterEach(() => server?.close());

/** A server whose first `refusals` exec requests are refused; later ones run and print the command. */
async function refusingServer(refusals: number): Promise<{ port: number; execs: () => number }> {
  let execs = 0;
  server = new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, reject, info) => {
          execs++;
          if (execs <= refusals) return reject();
          const channel = acceptExec();
          channel.write(`ran: ${info.command}\n`);
          channel.exit(0);
          channel.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, execs: () => execs };
}

const connect = (port: number) =>
  SshSession.connect({
    label: 'test server',
    host: '127.0.0.1',
    port,
    username: 'bench',
    password: 'x',
    hostKey: { kind: 'verify', verify: () => true },
  });

describe('an exec request the server refuses', () => {
  it('is asked again and the command runs once', async () => {
    const { port, execs } = await refusingServer(2);
    const session = await connect(port);
    const result = await session.exec('cat /sys/class/net/bond0/bonding/mode');
    expect(result).toMatchObject({ code: 0, stdout: 'ran: cat /sys/class/net/bond0/bonding/mode\n' });
    expect(execs()).toBe(3);
    session.close();
  });

  it('fails with the server’s refusal after the last try', async () => {
    const { port, execs } = await refusingServer(100);
    const session = await connect(port);
    await expect(session.exec('true')).rejects.toThrow('cannot run a command on test server: Unable to exec');
    expect(execs()).toBe(4);
    session.close();
  });
});
