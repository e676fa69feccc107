/** The virtual lab as a PDU (QEMU stopped and started over QMP) and as a switch (two-sided cable pulls). Pure. */
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
