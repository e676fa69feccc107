/** The virtual lab as a PDU (QEMU stopped and started) and as a switch (the two-sided cable pull of VirtualLab). */
import { LAB_LINK, LAB_POWER, type LabLinkConfig, type LabPowerConfig } from '../../shared/drivers/lab.js';
import { labSlave } from '../../shared/lab/topology.js';
import { VirtualLab } from '../lab/lab.js';
import {
  asDriverError,
  type DriverContext,
  type LinkDriver,
  linkDriverModule,
  type PowerDriver,
  powerDriverModule,
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
      return asDriverError(name, lab.pull(slave));
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

export const labPower = powerDriverModule(LAB_POWER, labPowerDriver);
export const labLink = linkDriverModule(LAB_LINK, labLinkDriver);
