/**
 * The probe reports the rate it achieved and the requests its rate called for, so a sender that cannot keep up
 * (a busy machine, a slow libpcap send) is visible. libpcap is replaced by a source that records sends.
 */
import { describe, expect, it } from 'vitest';
import type { OpenOptions, PacketSource } from '../../main/tester/cap.js';
import { nowMs } from '../../main/tester/clock.js';
import { EchoProbe } from '../../main/tester/probe.js';
import type { InterfaceInfo, ProbeSpec } from '../../shared/tester/protocol.js';

const TESTER: InterfaceInfo = {
  name: 'tester0',
  mac: '00:e0:6f:08:53:9a',
  loopback: false,
  addresses: [{ family: 'IPv4', address: '10.77.1.252', cidr: '10.77.1.252/24' }],
};

/** Opens sources whose send() takes `sendMs` of wall time, as a saturated libpcap send would. */
function deps(sendMs: number) {
  const sent: Uint8Array[] = [];
  const open = (options: OpenOptions): PacketSource => ({
    device: options.device,
    filter: options.filter,
    linkType: 'ETHERNET',
    timestampPrecision: 'nano',
    onPacket: () => undefined,
    onBatch: () => undefined,
    send(frame) {
      const until = performance.now() + sendMs;
      while (performance.now() < until) {
        // busy: the send itself is what is slow
      }
      sent.push(frame);
    },
    stats: () => undefined,
    close: () => undefined,
  });
  return { sent, deps: { open, interfaces: () => [TESTER], nowMs } };
}

const spec = (extra: Partial<ProbeSpec>): ProbeSpec => ({
  id: 'p',
  device: 'tester0',
  target: '10.77.1.253',
  targetMac: '00:e0:4c:83:07:9c',
  rate: 100,
  drainMs: 0,
  rearpAfterMs: 0,
  ...extra,
});

const output = { emit: () => undefined, backlogBytes: () => 0 };

describe('probe rate', () => {
  it('sends what its rate and count call for, and says at what rate', async () => {
    const { sent, deps: d } = deps(0);
    const { probe } = await EchoProbe.start(spec({ count: 30 }), d, output);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const summary = await probe.stop();
    expect(sent).toHaveLength(30);
    expect(summary).toMatchObject({ sent: 30, due: 30 });
    expect(summary.achievedRate).toBeGreaterThan(0);
  });

  it('reports a sender that falls behind: fewer sent than due, and the rate it managed', async () => {
    // Each send takes 15 ms: at most ≈ 67 requests/s, whatever the plan's 100/s.
    const { deps: d } = deps(15);
    const { probe } = await EchoProbe.start(spec({}), d, output);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const summary = await probe.stop();
    expect(summary.sent).toBeLessThan(summary.due);
    expect(summary.achievedRate).toBeLessThan(70);
    expect(summary.achievedRate).toBeGreaterThan(0);
  });
});
