// The part of net-snmp (3.29, CommonJS, ships no types) that the SNMP drivers use.
declare module 'net-snmp' {
  interface Varbind {
    oid: string;
    type: number;
    value: unknown;
  }

  interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    backoff?: number;
  }

  interface V3User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  interface Session {
    get(oids: string[], callback: (error: Error | null, varbinds?: Varbind[]) => void): Session;
    set(varbinds: Varbind[], callback: (error: Error | null, varbinds?: Varbind[]) => void): Session;
    subtree(
      oid: string,
      maxRepetitions: number,
      feed: (varbinds: Varbind[]) => boolean | undefined,
      done: (error: Error | null) => void,
    ): Session;
    close(): Session;
    on(event: 'error', listener: (error: Error) => void): Session;
  }

  interface NetSnmp {
    createSession(target: string, community: string, options?: SessionOptions): Session;
    createV3Session(target: string, user: V3User, options?: SessionOptions): Session;
    isVarbindError(varbind: Varbind): boolean;
    varbindError(varbind: Varbind): string;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number> & { Integer: number; OctetString: number };
    ErrorStatus: Record<string | number, string | number>;
    SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    AuthProtocols: Record<string, number>;
    PrivProtocols: Record<string, number>;
  }

  const snmp: NetSnmp;
  export default snmp;
  export type { Session, V3User, Varbind };
}
