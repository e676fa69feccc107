/**
 * libpcap through `cap`, patched at install time (scripts/patch-cap.mjs) to hand over libpcap's packet
 * timestamps and pcap_stats counters. This module is the only one that touches cap; everything else sees
 * PacketSource.
 */
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { mergeInterfaces, type OsInterfaces, resolveCaptureDevice } from '../../shared/tester/interfaces.js';
import type { InterfaceInfo } from '../../shared/tester/protocol.js';
import { ipv4InSubnet } from '../../shared/wire/bytes.js';
import { BATCH_HEADER, forEachPacket, type PacketBatch, type PacketListener } from './batch.js';

export type { PacketBatch, PacketListener };

export interface KernelStats {
  received: number;
  dropped: number;
  ifDropped: number;
}

export interface PacketSource {
  readonly device: string;
  readonly filter: string;
  readonly linkType: string;
  readonly timestampPrecision: 'nano' | 'micro';
  onPacket(listener: PacketListener): void;
  /** Each wakeup's packets at once, in cap's batch format (main/tester/batch.ts); replaces onPacket's listener. */
  onBatch(listener: (batch: PacketBatch) => void): void;
  send(frame: Uint8Array): void;
  stats(): KernelStats | undefined;
  /**
   * Called once if reading stops for good (the interface removed or gone down): libpcap's message. Frames read
   * before it were delivered; close() is still due.
   */
  onError?(listener: (message: string) => void): void;
  close(): void;
}

export interface OpenOptions {
  device: string;
  filter: string;
  bufferBytes?: number;
  snapLength?: number;
  /** Bytes for one batch of packets handed over at once (default 4 MiB; handles that only send need little). */
  batchBytes?: number;
  /**
   * Deliver each packet at once (libpcap immediate mode, TPACKET_V2: one ring slot per frame, so a burst
   * overflows sooner) or in blocks at most deliveryMs late (TPACKET_V3, frames packed tightly). Timestamps are
   * the kernel's either way. Default: blocks, 10 ms.
   */
  immediate?: boolean;
  deliveryMs?: number;
}

interface CapHandle {
  open(
    device: string,
    filter: string,
    bufSize: number,
    buffer: Buffer,
    options?: { snapLength?: number; immediate?: boolean; timeoutMs?: number },
  ): string;
  on(event: 'packets', listener: (count: number, bytes: number) => void): void;
  /** Our patch: a read that failed for good (scripts/patches/cap+0.2.1.patch). */
  on(event: 'error', listener: (error: Error) => void): void;
  send(buffer: Buffer, length?: number): void;
  close(): boolean;
  stats?: () => KernelStats;
  timestampPrecision?: () => 'nano' | 'micro';
  setBatchMode?: (on: boolean) => void;
}

interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): {
      name: string;
      description?: string;
      addresses: { addr?: string; netmask?: string }[];
      flags?: string;
    }[];
    findDevice(ip?: string): string | undefined;
  };
}

export class CapNotPatchedError extends Error {
  constructor() {
    super(
      'the installed cap gives no packet timestamps: its BondBench patch is missing. ' +
        'Run "node scripts/patch-cap.mjs" (npm runs it at postinstall) and try again.',
    );
    this.name = 'CapNotPatchedError';
  }
}

let capModule: CapModule | undefined;

function loadCap(): CapModule {
  if (!capModule) {
    try {
      capModule = createRequire(import.meta.url)('cap') as CapModule;
    } catch (error) {
      throw new Error(
        `cannot load cap (libpcap binding): ${(error as Error).message}. Install libpcap (Npcap on Windows) and run "npm ci".`,
      );
    }
  }
  return capModule;
}

export function capVersion(): string {
  try {
    return (createRequire(import.meta.url)('cap/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const DEFAULT_BUFFER = 32 * 1024 * 1024;
/** Without immediate mode the kernel hands over a block of frames at the latest this long after its first. */
export const DEFAULT_DELIVERY_MS = 10;
/** Batches of packets from one wakeup land here: a header and a full snap length must fit, and then many more. */
const BATCH_BUFFER = 4 * 1024 * 1024;

/** Opens a live capture in immediate mode; throws with libpcap's message (bad filter, no permission …). */
export function openLive(options: OpenOptions): PacketSource {
  const { Cap } = loadCap();
  const cap = new Cap();
  if (
    typeof cap.stats !== 'function' ||
    typeof cap.setBatchMode !== 'function' ||
    typeof cap.timestampPrecision !== 'function'
  ) {
    throw new CapNotPatchedError();
  }
  const snapLength = options.snapLength ?? 65535;
  const buffer = Buffer.alloc(Math.max(options.batchBytes ?? BATCH_BUFFER, BATCH_HEADER + snapLength + 4));
  let linkType: string;
  try {
    linkType = cap.open(options.device, options.filter, options.bufferBytes ?? DEFAULT_BUFFER, buffer, {
      snapLength,
      immediate: options.immediate ?? false,
      timeoutMs: options.deliveryMs ?? DEFAULT_DELIVERY_MS,
    });
  } catch (error) {
    throw new Error(
      `cannot capture on ${options.device} with filter ${JSON.stringify(options.filter)}: ${(error as Error).message}`,
    );
  }
  // One crossing into JavaScript per wakeup, not per packet: what lets capture keep up with a flood.
  cap.setBatchMode(true);
  const precision = cap.timestampPrecision();
  let closed = false;
  let listener: ((batch: PacketBatch) => void) | undefined;
  cap.on('packets', (count, bytes) => listener?.({ buffer, count, bytes }));
  // Always listened to: an 'error' nobody listens to would throw out of the addon's callback.
  let failure: string | undefined;
  let errorListener: ((message: string) => void) | undefined;
  cap.on('error', (error) => {
    failure ??= error.message;
    errorListener?.(failure);
  });
  return {
    device: options.device,
    filter: options.filter,
    linkType,
    timestampPrecision: precision,
    onPacket(l) {
      listener = (batch) => forEachPacket(batch, l);
    },
    onBatch(l) {
      listener = l;
    },
    onError(l) {
      errorListener = l;
      if (failure !== undefined) l(failure);
    },
    send(frame) {
      if (closed) throw new Error(`capture on ${options.device} is closed`);
      cap.send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), frame.byteLength);
    },
    stats() {
      if (closed) return undefined;
      try {
        return cap.stats!();
      } catch {
        return undefined;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      cap.close();
    },
  };
}

/**
 * Interfaces libpcap can capture on, joined with the OS's by address (shared/tester/interfaces.ts): MACs,
 * friendly names (Windows) and prefixes from pcap's netmasks.
 */
export function listInterfaces(): InterfaceInfo[] {
  const { Cap } = loadCap();
  return mergeInterfaces(Cap.deviceList(), networkInterfaces() as OsInterfaces);
}

/** The interface with an IPv4 address inside the subnet (the test subnet), as Cap.findDevice does by address. */
export function findInterfaceInSubnet(subnet: string, interfaces = listInterfaces()): InterfaceInfo {
  const found = interfaces.find((i) => i.addresses.some((a) => a.family === 'IPv4' && ipv4InSubnet(a.address, subnet)));
  if (!found) {
    const seen = interfaces
      .map((i) => `${i.name} (${i.addresses.map((a) => a.address).join(', ') || 'no address'})`)
      .join('; ');
    throw new Error(`no interface has an address in ${subnet}; libpcap sees: ${seen || 'no interfaces'}`);
  }
  return found;
}

/** The device a name stands for: pcap name, or its friendly name / description (Windows). */
export function findInterface(name: string, interfaces = listInterfaces()): InterfaceInfo {
  return resolveCaptureDevice(interfaces, name, 'interface');
}
