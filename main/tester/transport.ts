/**
 * Newline-delimited JSON over a pair of streams: the agent's stdin/stdout when it runs as a child process (also
 * through `ip netns exec`). An Electron utility process would plug its MessagePort in behind the same interface.
 */
import type { Readable, Writable } from 'node:stream';

export interface MessageChannel<In, Out> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
  /** The peer went away (end of input) or the channel failed. */
  onClose(listener: (error?: Error) => void): void;
  /** Bytes accepted by send() but not yet taken by the peer: what a slow consumer backs up. */
  backlogBytes(): number;
  close(): void;
}

export class NdjsonChannel<In, Out> implements MessageChannel<In, Out> {
  private buffered = '';
  private readonly messageListeners: ((message: In) => void)[] = [];
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private closed = false;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly label = 'peer',
  ) {
    input.setEncoding('utf8');
    input.on('data', (text: string) => this.receive(text));
    input.on('end', () => this.finish());
    input.on('error', (error) => this.finish(error));
    output.on('error', (error) => this.finish(error));
  }

  private receive(text: string): void {
    this.buffered += text;
    let newline = this.buffered.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim() !== '') {
        let message: In;
        try {
          message = JSON.parse(line) as In;
        } catch {
          this.finish(new Error(`${this.label} sent a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`));
          return;
        }
        for (const listener of this.messageListeners) listener(message);
      }
      newline = this.buffered.indexOf('\n');
    }
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(error);
  }

  send(message: Out): void {
    if (this.closed || this.output.destroyed) return;
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  onMessage(listener: (message: In) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  backlogBytes(): number {
    return this.output.writableLength;
  }

  close(): void {
    this.output.end();
  }
}
