/**
 * The virtual lab as a PDU (QEMU stopped and started over QMP), as the cables (two-sided pulls) and as the switch
 * side of each mode (`lab up --lacp`: the slaves re-cabled to the LACP partner for 802.3ad, to the bridge
 * otherwise). Pure.
 */
import { type DriverField, defineDriver, instanceSchema, ms, noIssues, variant } from './define.js';

/** The longest link-down time a lab pull models, ms (a 750 ms 1000BASE-T PHY polled once a second by phylib). */
export const LINK_DOWN_MAX_MS = 2000;

export interface LabPowerConfig {
  type: 'lab';
  /** The lab instance; the default lab when omitted. */
  instance?: string;
}

export interface LabLinkConfig {
  type: 'lab';
  instance?: string;
  /**
   * How long the host's NIC keeps reporting carrier after its cable is pulled, ms (the PHY's link-fail time:
   * IEEE 802.3 clause 40 gives a 1000BASE-T PHY 350 ms as master, 750 ms as slave; a fast-link-down PHY 0–10 ms).
   * The switch end goes dark at once. 0 when omitted: both ends together. See VirtualLab.pull.
   */
  linkDownMs?: number;
}

/** The lab's switch side: needs a lab brought up with its LACP partner (`lab up --lacp`). */
export interface LabSwitchConfig {
  type: 'lab';
  instance?: string;
}

const INSTANCE_FIELD: DriverField = {
  key: 'instance',
  input: 'text',
  label: { en: 'lab instance', 'zh-CN': '实验室实例' },
  placeholder: 'default',
};

export const LAB_POWER = defineDriver<LabPowerConfig>({
  kind: 'power',
  type: 'lab',
  schema: variant('lab', [], { instance: instanceSchema }),
  issues: noIssues,
  label: { en: 'virtual lab (QEMU power)', 'zh-CN': '虚拟实验室（QEMU 电源）' },
  fields: [INSTANCE_FIELD],
  example: { type: 'lab' },
});

export const LAB_LINK = defineDriver<LabLinkConfig>({
  kind: 'link',
  type: 'lab',
  schema: variant('lab', [], {
    instance: instanceSchema,
    linkDownMs: {
      ...ms(0, LINK_DOWN_MAX_MS),
      description: "ms the host's NIC keeps carrier after the pull (its PHY's link-fail time); 0: at once",
    },
  }),
  issues: noIssues,
  label: { en: 'virtual lab (both cable ends)', 'zh-CN': '虚拟实验室（网线两端）' },
  fields: [
    INSTANCE_FIELD,
    {
      key: 'linkDownMs',
      input: 'integer',
      label: { en: 'NIC link-down time after a pull (ms)', 'zh-CN': '拔线后网卡报告断链的时间（毫秒）' },
      placeholder: '0',
    },
  ],
  example: { type: 'lab' },
});

export const LAB_SWITCH = defineDriver<LabSwitchConfig>({
  kind: 'switch',
  type: 'lab',
  schema: variant('lab', [], { instance: instanceSchema }),
  issues: noIssues,
  label: {
    en: 'virtual lab (LACP partner for 802.3ad, bridge otherwise)',
    'zh-CN': '虚拟实验室（802.3ad 接 LACP 对端，其余接网桥）',
  },
  fields: [INSTANCE_FIELD],
  example: { type: 'lab' },
});
