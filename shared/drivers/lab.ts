/**
 * The virtual lab as a PDU (QEMU stopped and started over QMP), as the cables (two-sided pulls) and as the switch
 * side of each mode (`lab up --lacp`: the slaves re-cabled to the LACP partner for 802.3ad, to the bridge
 * otherwise). Pure.
 */
import { type DriverField, defineDriver, instanceSchema, noIssues, variant } from './define.js';

export interface LabPowerConfig {
  type: 'lab';
  /** The lab instance; the default lab when omitted. */
  instance?: string;
}

export interface LabLinkConfig {
  type: 'lab';
  instance?: string;
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
  schema: variant('lab', [], { instance: instanceSchema }),
  issues: noIssues,
  label: { en: 'virtual lab (both cable ends)', 'zh-CN': '虚拟实验室（网线两端）' },
  fields: [INSTANCE_FIELD],
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
