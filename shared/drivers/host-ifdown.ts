/**
 * `ip link set <slave> down` on the host itself: not a cable pull (the switch side keeps its carrier), for a bench
 * without a switchable switch. Pure.
 */
import { defineDriver, noIssues, variant } from './define.js';

/** `ip link set <slave> down` on the host itself: not a cable pull, the switch side keeps its carrier. */
export interface HostIfdownLinkConfig {
  type: 'host-ifdown';
}

export const HOST_IFDOWN_LINK = defineDriver<HostIfdownLinkConfig>({
  kind: 'link',
  type: 'host-ifdown',
  schema: variant('host-ifdown', [], {}),
  issues: noIssues,
  label: { en: 'ip link down on the host (not physical)', 'zh-CN': '在主机上 ip link down（非物理拔线）' },
  fields: [],
  example: { type: 'host-ifdown' },
});
