/** Test streams. */
import { Writable } from 'node:stream';

/** A sink that accepts writes but completes them only when released: a disk that fell behind. */
export class StalledSink extends Writable {
  private held: (() => void)[] = [];
  private stalled = true;
  readonly chunks: Buffer[] = [];

  constructor() {
    super({ highWaterMark: 64 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A writer may reuse a chunk once its write has called back (the pcapng writer does): keep a copy.
    this.chunks.push(Buffer.from(chunk));
    if (this.stalled) this.held.push(() => callback());
    else callback();
  }

  release(): void {
    this.stalled = false;
    for (const done of this.held.splice(0)) done();
  }
}
