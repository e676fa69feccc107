/**
 * LACPDU rate per slave, on LACPDUs captured on the lab's port mirrors (tap-eth1, tap-eth2) with the LACP partner
 * (lacp_rate fast): the host's lacp_rate fast, then slow (test/fixtures/lacp/SOURCES.md). And the rules on
 * LACPDUs built here, where a case must be exact.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_NICS, LAB_PARTNER } from '../../shared/lab/topology.js';
import type { TimedFrame } from '../../shared/measure/arp.js';
import { lacpduRates } from '../../shared/oracle/lacp.js';
import { readCaptureFile } from '../../shared/wire/capture-file.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import type { DecodedFrame, LacpParty } from '../../shared/wire/types.js';

const HOST = LAB_NICS.find((n) => n.guestName === 'eth1')!.mac;
const PARTNER = LAB_PARTNER.systemMac;

function recorded(rate: 'fast' | 'slow'): {
  frames: Record<string, TimedFrame[]>;
  window: { fromMs: number; toMs: number };
} {
  const frames: Record<string, TimedFrame[]> = {};
  for (const slave of ['eth1', 'eth2']) {
    const bytes = readFileSync(
      join(import.meta.dirname, '..', 'fixtures', 'lacp', `lacpdus-host-${rate}-tap-${slave}.pcap`),
    );
    frames[slave] = readCaptureFile(bytes).packets.map((p) => ({
      ...decodeFrame(p.data),
      timeMs: p.time.sec * 1000 + p.time.nsec / 1e6,
    }));
  }
  // The captures ran about 8 s; their first and last frames bound the window from inside.
  const times = Object.values(frames).flatMap((list) => list.map((f) => f.timeMs));
  return { frames, window: { fromMs: Math.min(...times), toMs: Math.max(...times) } };
}

const sender = (rates: ReturnType<typeof lacpduRates>, slave: string, system: string) =>
  rates.find((r) => r.slave === slave)?.senders.find((s) => s.system === system);

describe('recorded LACPDUs from the lab with its partner', () => {
  it('lacp_rate fast on both sides: about one LACPDU a second from each, on each slave', () => {
    const { frames, window } = recorded('fast');
    const rates = lacpduRates(frames, window);
    expect(rates.map((r) => r.slave)).toEqual(['eth1', 'eth2']);
    for (const slave of ['eth1', 'eth2']) {
      for (const system of [HOST, PARTNER]) {
        const s = sender(rates, slave, system);
        expect(s, `${system} on ${slave}`).toMatchObject({ rate: 'fast', expected: 'fast', asExpected: true });
        expect(s!.count).toBeGreaterThanOrEqual(6);
        expect(s!.medianIntervalMs).toBeGreaterThan(800);
        expect(s!.medianIntervalMs).toBeLessThan(1400);
        expect(s!.perSecond).toBeGreaterThan(0.8);
        expect(s!.perSecond).toBeLessThan(1.3);
      }
    }
  });

  it('host lacp_rate slow: the partner goes quiet (30 s), the host stays fast because the partner asks for it', () => {
    const { frames, window } = recorded('slow');
    const rates = lacpduRates(frames, window);
    for (const slave of ['eth1', 'eth2']) {
      expect(sender(rates, slave, HOST)).toMatchObject({ rate: 'fast', expected: 'fast', asExpected: true });
      const partner = sender(rates, slave, PARTNER);
      expect(partner, `partner on ${slave}`).toMatchObject({ rate: 'slow', expected: 'slow', asExpected: true });
      expect(partner!.count).toBeLessThanOrEqual(1);
    }
    // On eth1 the partner said nothing at all in the window: listed from the host's LACPDUs, with count 0.
    expect(sender(rates, 'eth1', PARTNER)).toMatchObject({ count: 0, perSecond: 0 });
  });
});

describe('rules', () => {
  const party = (system: string, timeout: 'short' | 'long'): LacpParty => ({
    systemPriority: 65535,
    system,
    key: 9,
    portPriority: 255,
    port: 1,
    state: {
      raw: timeout === 'short' ? 63 : 61,
      lacpActivity: true,
      lacpTimeout: timeout,
      aggregation: true,
      synchronization: true,
      collecting: true,
      distributing: true,
      defaulted: false,
      expired: false,
    },
  });
  /** A LACPDU from `from` at t ms; `asks` is its own Timeout bit, `told` what its partner asked of it. */
  const pdu = (timeMs: number, from: string, to: string, told: 'short' | 'long', asks: 'short' | 'long' = 'short') =>
    ({
      length: 124,
      protocol: 'LACP',
      src: from,
      dst: '01:80:c2:00:00:02',
      info: '',
      lacp: { version: 1, actor: party(from, asks), partner: party(to, told), collectorMaxDelay: 0 },
      timeMs,
    }) as DecodedFrame & { timeMs: number };

  it('a sender at 30 s intervals is slow; one at 5 s is irregular', () => {
    const slow = [0, 30_000, 60_000, 90_000].map((t) => pdu(t, HOST, PARTNER, 'long'));
    const odd = [0, 5000, 10_000].map((t) => pdu(t, HOST, PARTNER, 'long'));
    expect(lacpduRates({ eth1: slow })[0]!.senders[0]).toMatchObject({
      count: 4,
      medianIntervalMs: 30_000,
      rate: 'slow',
      expected: 'slow',
      asExpected: true,
    });
    expect(lacpduRates({ eth1: odd })[0]!.senders[0]).toMatchObject({ rate: 'irregular', asExpected: false });
  });

  it('fast when slow was asked for is flagged', () => {
    const frames = [0, 1000, 2000, 3000].map((t) => pdu(t, HOST, PARTNER, 'long'));
    expect(lacpduRates({ eth1: frames })[0]!.senders[0]).toMatchObject({
      rate: 'fast',
      expected: 'slow',
      asExpected: false,
    });
  });

  it('a partner silent for 5 s while asked for fast is not fast', () => {
    // The host asks for short timeouts (its own Timeout bit) and hears nothing back.
    const frames = [0, 1000, 2000, 3000, 4000, 5000].map((t) => pdu(t, HOST, PARTNER, 'short', 'short'));
    const partner = lacpduRates({ eth1: frames }, { fromMs: 0, toMs: 5000 })[0]!.senders.find(
      (s) => s.system === PARTNER,
    );
    expect(partner).toMatchObject({ count: 0, rate: 'slow', expected: 'fast', asExpected: false });
  });

  it('too short a window to tell, and frames outside the window, are not guessed at', () => {
    const frames = [pdu(0, HOST, PARTNER, 'short'), pdu(10_000, HOST, PARTNER, 'short')];
    const [rate] = lacpduRates({ eth1: frames }, { fromMs: -500, toMs: 1000 });
    expect(rate!.senders.find((s) => s.system === HOST)).toMatchObject({ count: 1, rate: 'unknown' });
    expect(lacpduRates({ eth1: [] })).toEqual([{ slave: 'eth1', senders: [] }]);
  });
});
