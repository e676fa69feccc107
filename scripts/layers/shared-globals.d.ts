/**
 * The globals shared/ may use: those Node (≥ 20) and every browser we target both provide, declared with just the
 * members shared/ relies on. Used only by scripts/check-layers.ts, which type-checks shared/ without the DOM and
 * @types/node libraries; anything not declared here is a name from one platform only. Add to it only what both
 * platforms really have.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare class URL {
  constructor(url: string, base?: string | URL);
  hash: string;
  host: string;
  hostname: string;
  href: string;
  password: string;
  pathname: string;
  port: string;
  protocol: string;
  search: string;
  readonly searchParams: { get(name: string): string | null; has(name: string): boolean };
  username: string;
  toString(): string;
}
