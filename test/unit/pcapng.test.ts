import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngWriter } from '../../main/tester/pcapng-writer.js';
import { buildIcmpEcho } from '../../shared/wire/build.js';
import { CaptureFileError, readCaptureFile } from '../../shared/wire/capture-file.js';
import { decodeFrame } from '../../shared/wire/decode.js';
import {
  encodeEnhancedPacket,
  encodeInterfaceDescription,
  encodeInterfaceStatistics,
  encodeSectionHeader,
  type PcapTime,
  timeFromWords,
  timestampWords,
} from '../../shared/wire/pcapng.js';
import { capinfos, epochNs, tsharkFields } from './pcapng-tshark.js';
import { StalledSink } from './sinks.js';
import { BOND_IP, ETH1_MAC, everyClass, seededRandom, TESTER_IP, TESTER_MAC } from './wire-frames.js';

const dir = mkdtempSync(join(tmpdir(), 'bondbench-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ns = (t: PcapTime) => BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);

describe('timestamps', () => {
  it('splits nanosecond and microsecond timestamps into 64-bit words exactly', () => {
    const random = seededRandom(85);
    for (let i = 0; i < 5000; i++) {
      const time = { sec: Math.floor(random() * 2 ** 32), nsec: Math.floor(random() * 1e9) };
      const [high, low] = timestampWords(time, 'nano');
      expect((BigInt(high) << 32n) + BigInt(low)).toBe(ns(time));
      expect(timeFromWords(high, low, 'nano')).toEqual(time);
      const [mh, ml] = timestampWords(time, 'micro');
      expect((BigInt(mh) << 32n) + BigInt(ml)).toBe(
        BigInt(time.sec) * 1_000_000n + BigInt(Math.floor(time.nsec / 1000)),
      );
      expect(timeFromWords(mh, ml, 'micro')).toEqual({ sec: time.sec, nsec: Math.floor(time.nsec / 1000) * 1000 });
    }
    expect(() => timestampWords({ sec: 1, nsec: 1e9 }, 'nano')).toThrow(/invalid capture timestamp/);
  });
});

// Each of these runs tshark (a few seconds on a busy machine).
const TOOL_TIMEOUT = 30_000;

describe('pcapng encoder read back by tshark', () => {
  it(
    'keeps every frame, timestamp, length and comment, on nano and micro interfaces, without warnings',
    () => {
      const random = seededRandom(4);
      const file = join(dir, 'encoder.pcapng');
      const blocks: Uint8Array[] = [
        encodeSectionHeader({ comment: 'BondBench unit test', userAppl: 'BondBench test', os: 'Linux' }),
        encodeInterfaceDescription({
          name: 'tester0',
          filter: 'net 10.77.1.0/24',
          resolution: 'nano',
          snapLength: 65535,
        }),
        encodeInterfaceDescription({ name: 'tap-eth1', resolution: 'micro', description: 'switch port mirror' }),
      ];
      const expected: { iface: number; time: PcapTime; len: number; capLen: number; comment?: string }[] = [];
      let sec = 1_795_000_000;
      for (let i = 0; i < 600; i++) {
        sec += Math.floor(random() * 3);
        const time = { sec, nsec: Math.floor(random() * 1e9) };
        const iface = i % 3 === 0 ? 1 : 0;
        const data = buildIcmpEcho({
          srcMac: TESTER_MAC,
          dstMac: ETH1_MAC,
          srcIp: TESTER_IP,
          dstIp: BOND_IP,
          identifier: 9,
          sequence: i,
          data: new Uint8Array(Math.floor(random() * 200)),
        });
        const truncated = i % 50 === 7;
        const captured = truncated ? data.subarray(0, 40) : data;
        const comment = i % 100 === 0 ? `mode balance-rr: step ${i} — pull eth1 ✓` : undefined;
        blocks.push(
          encodeEnhancedPacket({
            interfaceId: iface,
            time,
            resolution: iface === 0 ? 'nano' : 'micro',
            data: captured,
            originalLength: data.length,
            comment,
          }),
        );
        if (i % 200 === 199) {
          blocks.push(
            encodeInterfaceStatistics({
              interfaceId: 0,
              time,
              resolution: 'nano',
              comment: `statistics after ${i + 1}`,
              startTime: { sec: 1_795_000_000, nsec: 0 },
              endTime: time,
              ifRecv: i + 1,
              ifDrop: 0,
              osDrop: 2,
              usrDeliv: i + 1,
            }),
          );
        }
        expected.push({
          iface,
          time: iface === 0 ? time : { sec: time.sec, nsec: Math.floor(time.nsec / 1000) * 1000 },
          len: data.length,
          capLen: captured.length,
          comment,
        });
      }
      writeFileSync(file, Buffer.concat(blocks));

      const { rows, warnings } = tsharkFields(file, [
        'frame.interface_id',
        'frame.time_epoch',
        'frame.len',
        'frame.cap_len',
        'frame.comment',
        'icmp.seq',
      ]);
      expect(warnings).toEqual([]);
      expect(rows).toHaveLength(expected.length);
      rows.forEach((row, i) => {
        const want = expected[i]!;
        expect(Number(row[0])).toBe(want.iface);
        expect(epochNs(row[1]!)).toBe(ns(want.time));
        expect(Number(row[2])).toBe(want.len);
        expect(Number(row[3])).toBe(want.capLen);
        expect(row[4]).toBe(want.comment ?? '');
      });
      const info = capinfos(file);
      expect(info.warnings).toEqual([]);
      expect(info.stdout).toMatch(/Number of packets:\s+600/);
      expect(info.stdout).toMatch(/Number of interfaces in file: 2/);
      expect(info.stdout).toContain('Filter string = net 10.77.1.0/24');
      expect(info.stdout).toContain('Name = tap-eth1');
      expect(info.stdout).toMatch(/Capture comment:\s+BondBench unit test/);
    },
    TOOL_TIMEOUT,
  );

  it(
    'agrees with Wireshark on every crafted frame class',
    () => {
      const file = join(dir, 'classes.pcapng');
      const frames = everyClass();
      writeFileSync(
        file,
        Buffer.concat([
          encodeSectionHeader(),
          encodeInterfaceDescription({ name: 'crafted', resolution: 'nano' }),
          ...frames.map((f, i) =>
            encodeEnhancedPacket({
              interfaceId: 0,
              time: { sec: 1_700_000_000 + i, nsec: 0 },
              resolution: 'nano',
              data: f.bytes,
            }),
          ),
        ]),
      );
      const { rows, warnings } = tsharkFields(file, [
        'eth.src',
        'eth.dst',
        'arp.opcode',
        'arp.isprobe',
        'arp.isgratuitous',
        'arp.src.proto_ipv4',
        'arp.dst.proto_ipv4',
        'icmp.type',
        'icmp.ident',
        'icmp.seq',
        'icmpv6.nd.na.flag.s',
        'icmpv6.nd.na.target_address',
        'icmpv6.opt.linkaddr',
        'lacp.actor.sysid',
        'lacp.actor.key',
        'lacp.actor.port',
        'lacp.actor.state',
        'lacp.partner.key',
        'lacp.partner.state',
        'icmp.checksum.status',
        'icmpv6.checksum.status',
      ]);
      expect(warnings).toEqual([]);
      expect(rows).toHaveLength(frames.length);
      frames.forEach((crafted, i) => {
        const [
          src,
          dst,
          op,
          isProbe,
          isGratuitous,
          spa,
          tpa,
          icmpType,
          ident,
          seq,
          solicited,
          target,
          lladdr,
          ...rest
        ] = rows[i]!;
        const [sysid, key, port, state, partnerKey, partnerState, icmpChecksum, icmpv6Checksum] = rest;
        const f = decodeFrame(crafted.bytes);
        expect(f.error, crafted.name).toBeUndefined();
        expect(f.eth?.src).toBe(src);
        expect(f.eth?.dst).toBe(dst);
        if (f.arp) {
          expect(f.arp.opcode).toBe(Number(op));
          expect(f.arp.senderIp).toBe(spa);
          expect(f.arp.targetIp).toBe(tpa);
          expect(f.arp.class === 'probe').toBe(isProbe === '1');
          expect(f.arp.class === 'gratuitous').toBe(isGratuitous === '1');
        } else expect(op).toBe('');
        if (f.icmp?.echo) {
          expect(f.icmp.type).toBe(Number(icmpType));
          expect(f.icmp.echo.identifier).toBe(Number(ident));
          expect(f.icmp.echo.sequence).toBe(Number(seq));
          expect(icmpChecksum).toBe('1'); // Wireshark's checksum status: 0 bad, 1 good, 2 unverified
        }
        if (f.neighbourAdvertisement) {
          expect(f.neighbourAdvertisement.solicited).toBe(solicited === '1');
          expect(f.neighbourAdvertisement.target).toBe(target);
          expect(f.neighbourAdvertisement.targetMac).toBe(lladdr);
          expect(icmpv6Checksum).toBe('1');
        }
        if (f.lacp) {
          expect(f.lacp.actor.system).toBe(sysid);
          expect(f.lacp.actor.key).toBe(Number(key));
          expect(f.lacp.actor.port).toBe(Number(port));
          expect(f.lacp.actor.state.raw).toBe(Number(state));
          expect(f.lacp.partner.key).toBe(Number(partnerKey));
          expect(f.lacp.partner.state.raw).toBe(Number(partnerState));
        }
      });
    },
    TOOL_TIMEOUT,
  );
});

describe('streaming pcapng writer', () => {
  it(
    'streams many frames to a file that tshark reads back whole, with step comments',
    async () => {
      const file = join(dir, 'stream.pcapng');
      const writer = PcapngWriter.toFile(file, { section: { comment: 'stream test' }, chunkBytes: 64 * 1024 });
      const tester = writer.addInterface({ name: 'tester0', filter: 'icmp', resolution: 'nano' });
      const port = writer.addInterface({ name: 'tap-eth2', resolution: 'micro' });
      const count = 20_000;
      const frame = buildIcmpEcho({
        srcMac: TESTER_MAC,
        dstMac: ETH1_MAC,
        srcIp: TESTER_IP,
        dstIp: BOND_IP,
        identifier: 1,
        sequence: 1,
      });
      for (let i = 0; i < count; i++) {
        if (i === 5000) writer.mark('mode active-backup: pull eth1', { sec: 1_795_000_005, nsec: 0 }, [tester, port]);
        const iface = i % 4 === 0 ? port : tester;
        expect(
          writer.writePacket(
            iface,
            { sec: 1_795_000_000 + Math.floor(i / 1000), nsec: (i % 1000) * 1_000_000 + 17_000 },
            frame,
            frame.length,
          ),
        ).toBe(true);
      }
      const stats = await writer.close();
      expect(stats).toMatchObject({ packets: count, dropped: 0 });
      expect(readFileSync(file).length).toBe(stats.bytes);
      const { rows, warnings } = tsharkFields(file, [
        'frame.number',
        'frame.interface_id',
        'frame.time_epoch',
        'frame.comment',
      ]);
      expect(warnings).toEqual([]);
      expect(rows).toHaveLength(count);
      const commented = rows.filter((r) => r[3] !== '');
      // The mark lands on each interface's next packet: frames 5001 (port, i = 5000) and 5002 (tester).
      expect(commented.map((r) => [r[0], r[1], r[3]])).toEqual([
        ['5001', '1', 'mode active-backup: pull eth1'],
        ['5002', '0', 'mode active-backup: pull eth1'],
      ]);
      expect(epochNs(rows[1]![2]!)).toBe(1_795_000_000_001_017_000n);
      expect(epochNs(rows[4]![2]!)).toBe(1_795_000_000_004_017_000n);
    },
    TOOL_TIMEOUT,
  );

  it(
    'drops and counts packets instead of waiting when the disk falls behind; the file stays valid',
    async () => {
      const sink = new StalledSink();
      const writer = new PcapngWriter(sink, { maxPendingBytes: 256 * 1024, chunkBytes: 16 * 1024 });
      const iface = writer.addInterface({ name: 'tester0', resolution: 'nano' });
      const frame = new Uint8Array(1000);
      let accepted = 0;
      for (let i = 0; i < 2000; i++)
        if (writer.writePacket(iface, { sec: 1, nsec: i }, frame, frame.length)) accepted++;
      expect(accepted).toBeGreaterThan(100);
      expect(accepted).toBeLessThan(300);
      expect(writer.stats.dropped).toBe(2000 - accepted);
      expect(writer.pendingBytes).toBeLessThanOrEqual(256 * 1024);
      sink.release();
      const stats = await writer.close();
      expect(stats.packets).toBe(accepted);
      const file = join(dir, 'stalled.pcapng');
      writeFileSync(file, Buffer.concat(sink.chunks));
      const { rows, warnings } = tsharkFields(file, ['frame.number']);
      expect(warnings).toEqual([]);
      expect(rows).toHaveLength(accepted);
    },
    TOOL_TIMEOUT,
  );

  it('refuses packets for undeclared interfaces and after close', async () => {
    const writer = PcapngWriter.toFile(join(dir, 'misuse.pcapng'));
    expect(() => writer.writePacket(0, { sec: 1, nsec: 0 }, new Uint8Array(60), 60)).toThrow(/no interface 0/);
    const id = writer.addInterface({ name: 'x', resolution: 'micro' });
    await writer.close();
    expect(() => writer.writePacket(id, { sec: 1, nsec: 0 }, new Uint8Array(60), 60)).toThrow(/closed/);
  });
});

describe('capture file readers', () => {
  it(
    'read back what the encoder wrote, and the same frames converted to pcap by editcap',
    async () => {
      const file = join(dir, 'readback.pcapng');
      const writer = PcapngWriter.toFile(file, { section: { comment: 'readback' } });
      const nano = writer.addInterface({ name: 'tester0', filter: 'arp or icmp', resolution: 'nano' });
      const frames = everyClass();
      frames.forEach((f, i) => {
        if (i === 3) writer.mark('step three', { sec: 1_795_000_003, nsec: 5 }, [nano]);
        writer.writePacket(
          nano,
          { sec: 1_795_000_000 + i, nsec: 999_999_999 - i },
          f.bytes,
          f.bytes.length + (i === 2 ? 4 : 0),
        );
      });
      await writer.close();
      const read = readCaptureFile(readFileSync(file));
      expect(read.format).toBe('pcapng');
      expect(read.comments).toEqual(['readback']);
      expect(read.interfaces).toEqual([
        { linkType: 1, snapLength: 0, name: 'tester0', filter: 'arp or icmp', unitsPerSecond: 1e9 },
      ]);
      expect(read.packets).toHaveLength(frames.length);
      read.packets.forEach((p, i) => {
        expect(p.time).toEqual({ sec: 1_795_000_000 + i, nsec: 999_999_999 - i });
        expect(Buffer.from(p.data).equals(Buffer.from(frames[i]!.bytes))).toBe(true);
        expect(p.originalLength).toBe(frames[i]!.bytes.length + (i === 2 ? 4 : 0));
        expect(p.comment).toBe(i === 3 ? 'step three' : undefined);
      });
      expect(read.statistics.map((s) => [s.comment, s.time])).toEqual([
        ['step three', { sec: 1_795_000_003, nsec: 5 }],
      ]);

      const pcap = join(dir, 'readback.pcap');
      const converted = spawnSync('editcap', ['-F', 'nsecpcap', file, pcap], { encoding: 'utf8' });
      expect(converted.status, converted.stderr).toBe(0);
      const classic = readCaptureFile(readFileSync(pcap));
      expect(classic.format).toBe('pcap');
      expect(classic.interfaces[0]?.unitsPerSecond).toBe(1e9);
      expect(classic.packets.map((p) => p.time)).toEqual(read.packets.map((p) => p.time));
      expect(() => readCaptureFile(readFileSync(file).subarray(0, 200))).toThrow(CaptureFileError);
      expect(() => readCaptureFile(new Uint8Array(30))).toThrow(/bad magic/);
    },
    TOOL_TIMEOUT,
  );
});
