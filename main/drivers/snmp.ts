/**
 * SNMP (net-snmp, v2c and v3) as a PDU and as a managed switch. PDUs: APC PowerNet sPDUOutletCtl, Raritan PDU2
 * switchingOperation/outletSwitchingState, or raw OID templates. Switch ports: IF-MIB ifAdminStatus, the port's
 * ifIndex found by walking ifDescr, ifName or ifAlias — a port set down drops carrier on both ends, like a pull.
 */
import snmp, { type Session, type V3User, type Varbind } from 'net-snmp';
import {
  SNMP_LINK,
  SNMP_POWER,
  type SnmpLinkConfig,
  type SnmpPowerConfig,
  type SnmpRawOutlet,
  type SwitchPortRef,
} from '../../shared/drivers/snmp.js';
import type { SnmpAgentConfig } from '../../shared/drivers/snmp-agent.js';
import { expandOidTemplate } from '../../shared/drivers/template.js';
import { assertInterfaceName } from '../../shared/net/names.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { errorPart } from '../../shared/run/failure.js';
import type { ReasonPart } from '../../shared/run/model.js';
import {
  asDriverError,
  type DriverContext,
  DriverError,
  type LinkDriver,
  linkDriverModule,
  type PowerDriver,
  powerDriverModule,
  sleep,
  unmappedSlave,
} from './types.js';

/** PowerNet-MIB and PDU2-MIB, in the raw profile's terms. */
export const PDU_PROFILE_OIDS: Record<'apc-powernet' | 'raritan-pdu2', SnmpRawOutlet> = {
  // sPDUOutletCtl: write immediateOn(1) / immediateOff(2) / immediateReboot(3); reads outletOn(1) / outletOff(2).
  'apc-powernet': {
    control: '1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}',
    on: 1,
    off: 2,
    cycle: 3,
    state: '1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}',
    stateOn: 1,
    stateOff: 2,
  },
  // switchingOperation.<pduId 1>.<outlet>: off(0) on(1) cycle(2); outletSwitchingState: on(7) off(8).
  'raritan-pdu2': {
    control: '1.3.6.1.4.1.13742.6.4.1.2.1.2.1.{outlet}',
    on: 1,
    off: 0,
    cycle: 2,
    state: '1.3.6.1.4.1.13742.6.4.1.2.1.3.1.{outlet}',
    stateOn: 7,
    stateOff: 8,
  },
};

const IF_ADMIN_STATUS = '1.3.6.1.2.1.2.2.1.7';
const IF_COLUMNS = {
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
} as const;
const ADMIN_UP = 1;
const ADMIN_DOWN = 2;
const DEFAULT_CYCLE_DELAY_S = 5;

/** Hints for the error statuses a misconfigured agent or device answers with. */
/** SNMP error statuses (RFC 3416 §3) with a hint of what to check: catalogue keys `driverFailure.snmp.hint.*`. */
const STATUS_HINTS = new Set([
  'NoSuchName',
  'NoAccess',
  'NotWritable',
  'NoCreation',
  'AuthorizationError',
  'WrongValue',
  'WrongType',
  'BadValue',
  'ReadOnly',
]);

/** An Error said in `driverFailure.snmp.*` parts: the message is their English. */
function snmpError(key: string, vars: Record<string, string | number | ReasonPart>, cause?: unknown): Error {
  const parts = [{ key: `driverFailure.snmp.${key}`, vars }];
  return Object.assign(new Error(sayReason('en', parts), cause === undefined ? undefined : { cause }), { parts });
}

/** One agent, a session per operation (UDP: nothing to keep open between a pull and its plug). */
export class SnmpClient {
  readonly label: string;

  constructor(private readonly agent: SnmpAgentConfig) {
    this.label = `${agent.host.includes(':') ? `[${agent.host}]` : agent.host}:${agent.port ?? 161}`;
  }

  private open(): Session {
    const a = this.agent;
    const options = {
      port: a.port ?? 161,
      retries: a.retries ?? 1,
      timeout: a.timeoutMs ?? 2000,
      transport: a.host.includes(':') ? ('udp6' as const) : ('udp4' as const),
    };
    if (String(a.version) === '2c') {
      return snmp.createSession(a.host, a.community ?? '', { ...options, version: snmp.Version2c });
    }
    const u = a.user;
    if (!u) throw new Error('SNMPv3 needs a user');
    const user: V3User = {
      name: u.name,
      level: u.auth
        ? u.priv
          ? snmp.SecurityLevel.authPriv
          : snmp.SecurityLevel.authNoPriv
        : snmp.SecurityLevel.noAuthNoPriv,
    };
    if (u.auth) {
      user.authProtocol = snmp.AuthProtocols[u.auth.protocol];
      user.authKey = u.auth.password;
    }
    if (u.priv) {
      user.privProtocol = snmp.PrivProtocols[u.priv.protocol];
      user.privKey = u.priv.password;
    }
    return snmp.createV3Session(a.host, user, { ...options, version: snmp.Version3 });
  }

  private describe(error: Error, what: string): Error {
    const a = this.agent;
    if (error.name === 'RequestTimedOutError') {
      const who: ReasonPart =
        String(a.version) === '2c'
          ? { key: 'driverFailure.snmp.community' }
          : { key: 'driverFailure.snmp.user', vars: { name: a.user?.name ?? '' } };
      return snmpError(
        'timeout',
        { what, label: this.label, ms: a.timeoutMs ?? 2000, tries: (a.retries ?? 1) + 1, who },
        error,
      );
    }
    const status = (error as { status?: number }).status;
    const statusName = status === undefined ? undefined : String(snmp.ErrorStatus[status] ?? status);
    const vars = { what, label: this.label, message: error.message };
    return statusName && STATUS_HINTS.has(statusName)
      ? snmpError('answeredHint', { ...vars, hint: { key: `driverFailure.snmp.hint.${statusName}` } }, error)
      : snmpError('answered', vars, error);
  }

  private async withSession<T>(what: string, run: (session: Session) => Promise<T>): Promise<T> {
    let session: Session;
    try {
      session = this.open();
    } catch (error) {
      throw snmpError('open', { what, cause: errorPart(error) }, error);
    }
    // A socket error (e.g. a host name that does not resolve) is reported through the request's callback.
    session.on('error', () => undefined);
    try {
      return await run(session);
    } catch (error) {
      throw this.describe(error as Error, what);
    } finally {
      session.close();
    }
  }

  async getInteger(oid: string, what: string): Promise<number> {
    const varbind = await this.withSession(
      what,
      (session) =>
        new Promise<Varbind>((resolve, reject) =>
          session.get([oid], (error, varbinds) => (error ? reject(error) : resolve(varbinds![0]!))),
        ),
    );
    if (snmp.isVarbindError(varbind)) {
      throw snmpError('varbind', { what, error: snmp.varbindError(varbind), label: this.label });
    }
    if (typeof varbind.value !== 'number') {
      throw snmpError('notInteger', {
        what,
        oid,
        label: this.label,
        value: JSON.stringify(varbind.value) ?? 'undefined',
      });
    }
    return varbind.value;
  }

  async setInteger(oid: string, value: number, what: string): Promise<void> {
    const varbinds = await this.withSession(
      what,
      (session) =>
        new Promise<Varbind[]>((resolve, reject) =>
          session.set([{ oid, type: snmp.ObjectType.Integer, value }], (error, result) =>
            error ? reject(error) : resolve(result ?? []),
          ),
        ),
    );
    const varbind = varbinds[0];
    if (varbind && snmp.isVarbindError(varbind)) {
      throw snmpError('varbindSet', { what, error: snmp.varbindError(varbind), label: this.label });
    }
  }

  /** A column of strings by row index, e.g. ifDescr. */
  async walkStrings(column: string, what: string): Promise<Map<number, string>> {
    const rows = new Map<number, string>();
    await this.withSession(
      what,
      (session) =>
        new Promise<void>((resolve, reject) =>
          session.subtree(
            column,
            20,
            (varbinds) => {
              for (const varbind of varbinds) {
                if (snmp.isVarbindError(varbind)) continue;
                const index = Number(varbind.oid.slice(column.length + 1).split('.')[0]);
                const value = varbind.value;
                rows.set(index, Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
              }
              return undefined;
            },
            (error) => (error ? reject(error) : resolve()),
          ),
        ),
    );
    return rows;
  }
}

function snmpPowerDriver(config: SnmpPowerConfig, context: DriverContext): PowerDriver {
  const client = new SnmpClient(config);
  const oids: SnmpRawOutlet = config.profile === 'oid' ? config.oid! : PDU_PROFILE_OIDS[config.profile];
  const control = expandOidTemplate(oids.control, config.outlet, 'oid.control');
  const state = oids.state === undefined ? undefined : expandOidTemplate(oids.state, config.outlet, 'oid.state');
  const name = `SNMP ${config.profile} outlet ${config.outlet} at ${client.label}`;

  const write = async (value: number, action: string) => {
    context.log({ key: 'log.driver.snmpSet', vars: { driver: name, action, oid: control, value } });
    await asDriverError(name, client.setInteger(control, value, `power ${action}`));
  };

  return {
    name,
    readable: state !== undefined,
    set: (s) => write(s === 'on' ? oids.on : oids.off, s),
    async cycle() {
      if (oids.cycle !== undefined) return write(oids.cycle, 'cycle');
      await write(oids.off, 'off');
      await sleep((config.delay ?? DEFAULT_CYCLE_DELAY_S) * 1000);
      await write(oids.on, 'on');
    },
    async get() {
      if (state === undefined) return 'unknown';
      const value = await asDriverError(name, client.getInteger(state, 'read the outlet'));
      return value === oids.stateOn ? 'on' : value === oids.stateOff ? 'off' : 'unknown';
    },
  };
}

function describePort(ref: SwitchPortRef): string {
  const [key, value] = Object.entries(ref)[0] as [string, string | number];
  return `${key} ${JSON.stringify(value)}`;
}

function snmpLinkDriver(config: SnmpLinkConfig, context: DriverContext): LinkDriver {
  const client = new SnmpClient(config);
  const name = `SNMP switch ${client.label} (IF-MIB ifAdminStatus)`;
  const indexes = new Map<string, number>();

  /** The switch port's ifIndex, looked up once per slave. */
  async function ifIndexOf(slave: string, action: string): Promise<number> {
    assertInterfaceName(slave, 'slave');
    const known = indexes.get(slave);
    if (known !== undefined) return known;
    const ref = Object.hasOwn(config.ports, slave) ? config.ports[slave] : undefined;
    if (!ref) throw unmappedSlave(name, action, slave, config.ports);
    if ('ifIndex' in ref) {
      indexes.set(slave, ref.ifIndex);
      return ref.ifIndex;
    }
    const [key, wanted] = Object.entries(ref)[0] as [keyof typeof IF_COLUMNS, string];
    const rows = await asDriverError(
      name,
      client.walkStrings(IF_COLUMNS[key], `${action} ${slave}: find the port with ${key} "${wanted}"`),
    );
    const matches = [...rows].filter(([, value]) => value === wanted).map(([index]) => index);
    if (matches.length !== 1) {
      const seen = [...rows.values()].filter(Boolean).slice(0, 12);
      throw new DriverError(
        name,
        `${action} ${slave}: ${matches.length ? `${matches.length} ports have` : 'no port has'} ${key} ` +
          `${JSON.stringify(wanted)} (ifIndex ${matches.join(', ') || '—'}); the switch has ${seen.length ? seen.map((s) => JSON.stringify(s)).join(', ') : 'none'}` +
          `${rows.size > seen.length ? ', …' : ''}: fix ports.${slave}`,
      );
    }
    const index = matches[0]!;
    context.log({ key: 'log.driver.snmpPort', vars: { driver: name, slave, index, port: describePort(ref) } });
    indexes.set(slave, index);
    return index;
  }

  const setAdmin = async (slave: string, value: number, action: 'pull' | 'plug') => {
    const index = await ifIndexOf(slave, action);
    const oid = `${IF_ADMIN_STATUS}.${index}`;
    context.log({
      key: 'log.driver.snmpAdmin',
      vars: { driver: name, action, slave, index, value: value === ADMIN_UP ? 'up' : 'down' },
    });
    await asDriverError(name, client.setInteger(oid, value, `${action} ${slave}`));
  };

  return {
    name,
    physical: true,
    // No instant of its own to report: the verifier times the pull by the host's read-back.
    async pull(slave) {
      await setAdmin(slave, ADMIN_DOWN, 'pull');
    },
    plug: (slave) => setAdmin(slave, ADMIN_UP, 'plug'),
    async state(slave) {
      const index = await ifIndexOf(slave, 'state');
      const value = await asDriverError(name, client.getInteger(`${IF_ADMIN_STATUS}.${index}`, `state ${slave}`));
      return value === ADMIN_UP ? 'plugged' : value === ADMIN_DOWN ? 'pulled' : 'unknown';
    },
  };
}

export const snmpPower = powerDriverModule(SNMP_POWER, snmpPowerDriver);
export const snmpLink = linkDriverModule(SNMP_LINK, snmpLinkDriver);
