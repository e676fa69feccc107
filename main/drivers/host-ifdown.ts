/**
 * `ip link set <slave> down` on the host itself, for a bench without a switchable switch. Not a cable pull: the
 * switch side keeps its carrier and keeps forwarding to the port, so failovers in the modes that rely on the switch
 * (balance-xor, 802.3ad, balance-rr) look worse than with a real pull. Marked physical: false for the report.
 */
import { HOST_IFDOWN_LINK, type HostIfdownLinkConfig } from '../../shared/drivers/host-ifdown.js';
import { assertInterfaceName, shellCommand } from '../../shared/net/names.js';
import { errorPart } from '../../shared/run/failure.js';
import { type DriverContext, DriverError, type HostExec, type LinkDriver, linkDriverModule } from './types.js';

const IFF_UP = 0x1;

function hostIfdownLinkDriver(_config: HostIfdownLinkConfig, context: DriverContext): LinkDriver {
  const name = 'host-ifdown (ip link set down on the host; not a physical pull)';
  const hostExec: HostExec | undefined = context.hostExec;
  if (!hostExec) {
    throw new DriverError(name, 'needs a connection to the host to run ip link there (no hostExec in the context)');
  }

  async function exec(what: string, words: string[]): Promise<string> {
    const command = shellCommand(words);
    let result: Awaited<ReturnType<HostExec>>;
    try {
      result = await hostExec!(command);
    } catch (error) {
      throw new DriverError(name, { key: 'whatFailed', vars: { what, cause: errorPart(error) } }, { cause: error });
    }
    if (result.code !== 0) {
      throw new DriverError(name, {
        key: 'hostCommandFailed',
        vars: {
          what,
          command,
          code: result.code ?? { key: 'driverFailure.noCode' },
          output: result.stderr.trim() || result.stdout.trim(),
        },
      });
    }
    return result.stdout;
  }

  const setLink = async (slave: string, updown: 'up' | 'down', action: string) => {
    const dev = assertInterfaceName(slave, 'slave');
    await exec(`${action} ${dev}`, ['ip', 'link', 'set', 'dev', dev, updown]);
  };

  return {
    name,
    physical: false,
    // No instant of its own to report: the verifier times the pull by the host's read-back.
    async pull(slave) {
      await setLink(slave, 'down', 'pull');
    },
    plug: (slave) => setLink(slave, 'up', 'plug'),
    async state(slave) {
      const dev = assertInterfaceName(slave, 'slave');
      const flags = Number.parseInt((await exec(`state ${dev}`, ['cat', `/sys/class/net/${dev}/flags`])).trim(), 16);
      if (Number.isNaN(flags)) return 'unknown';
      return flags & IFF_UP ? 'plugged' : 'pulled';
    },
  };
}

export const hostIfdownLink = linkDriverModule(HOST_IFDOWN_LINK, hostIfdownLinkDriver);
