/**
 * The virtual lab as a PDU (QEMU stopped and started), as the cables (the two-sided pull of VirtualLab) and as the
 * switch side of each mode (the slaves re-cabled to the LACP partner of `lab up --lacp` for 802.3ad).
 */
import { switchChannelOf } from '../../shared/bonding/modes.js';
import {
  LAB_LINK,
  LAB_POWER,
  LAB_SWITCH,
  type LabLinkConfig,
  type LabPowerConfig,
  type LabSwitchConfig,
} from '../../shared/drivers/lab.js';
import { LAB_NETWORK, LAB_PARTNER, labSlave } from '../../shared/lab/topology.js';
import { type Cabling, VirtualLab } from '../lab/lab.js';
import {
  asDriverError,
  type DriverContext,
  DriverError,
  type LinkDriver,
  linkDriverModule,
  type PowerDriver,
  powerDriverModule,
  type SwitchDriver,
  switchDriverModule,
} from './types.js';

function labOf(config: { instance?: string }): VirtualLab {
  return new VirtualLab(config.instance);
}

function labPowerDriver(config: LabPowerConfig, context: DriverContext): PowerDriver {
  const lab = labOf(config);
  const name = `lab "${lab.instance}" power`;
  const act = async (action: 'on' | 'off' | 'cycle') => {
    await asDriverError(name, lab.power(action, context.log));
  };
  return {
    name,
    readable: true,
    set: (state) => act(state),
    cycle: () => act('cycle'),
    get: () => lab.powerState(),
  };
}

function labLinkDriver(config: LabLinkConfig, _context: DriverContext): LinkDriver {
  const lab = labOf(config);
  const name = `lab "${lab.instance}" cable`;
  return {
    name,
    physical: true,
    pull: (slave) => {
      labSlave(slave);
      return asDriverError(name, lab.pull(slave, { linkDownMs: config.linkDownMs ?? 0 }));
    },
    plug: async (slave) => {
      labSlave(slave);
      await asDriverError(name, lab.plug(slave));
    },
    async state(slave) {
      labSlave(slave);
      const status = await lab.status();
      const link = status.links?.find((l) => l.slave === slave);
      // What the lab recorded must agree with the switch port's carrier (a powered-off guest has neither).
      if (link?.pulled && !link.switchCarrier) return 'pulled';
      if (link && !link.pulled && link.switchCarrier) return 'plugged';
      return 'unknown';
    },
  };
}

/**
 * 802.3ad is cabled to the LACP partner (IEEE 802.1AX: it aggregates only with a partner that speaks LACP; a Linux
 * bridge never forwards LACPDUs); every other mode to the bridge. The lab has no static port-channel, so balance-rr,
 * balance-xor and broadcast, which bonding.rst §5 would have grouped on the switch, meet plain bridge ports (as in
 * the plain lab); the receipt says so. restore() puts the cables back where the run found them.
 */
function labSwitchDriver(config: LabSwitchConfig, context: DriverContext): SwitchDriver {
  const lab = labOf(config);
  const name = `lab "${lab.instance}" switch`;
  let found: Cabling | undefined;
  const require = async () => {
    const status = await lab.status();
    if (!status.up) throw new DriverError(name, { key: 'labSwitchDown', vars: { instance: lab.instance } });
    if (!status.lacp) {
      const command = `bondbench lab up --lacp${lab.instance === 'default' ? '' : ` --instance ${lab.instance}`}`;
      throw new DriverError(name, { key: 'labSwitchNoPartner', vars: { instance: lab.instance, command } });
    }
    return status;
  };
  return {
    name,
    async check() {
      await require();
    },
    async setMode(mode, slaves) {
      for (const slave of slaves) labSlave(slave);
      const status = await require();
      const cabled = status.links?.[0]?.cabledTo;
      if (found === undefined && (cabled === 'partner' || cabled === 'bridge')) found = cabled;
      const channel = switchChannelOf(mode);
      const to: Cabling = channel === 'lacp' ? 'partner' : 'bridge';
      await asDriverError(name, lab.cable(to, context.log));
      return {
        channel,
        attachedTo:
          to === 'partner'
            ? `LACP partner ${LAB_PARTNER.systemMac} (lacp_rate ${LAB_PARTNER.lacpRate})`
            : `bridge ${LAB_NETWORK.bridge}${channel === 'static' ? ' (the lab has no static port-channel)' : ''}`,
      };
    },
    async restore() {
      if (found) await asDriverError(name, lab.cable(found, context.log));
    },
  };
}

export const labPower = powerDriverModule(LAB_POWER, labPowerDriver);
export const labLink = linkDriverModule(LAB_LINK, labLinkDriver);
export const labSwitch = switchDriverModule(LAB_SWITCH, labSwitchDriver);
