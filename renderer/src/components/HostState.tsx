/**
 * The host as `ifconfig` and /proc/net/bonding/bond0 show it, refreshed after every step: bond mode, the bond's
 * MAC, the active slave, and per slave its MII status, current and permanent MAC, failures and counters (with
 * the change since the previous reading, which tells which slave carried the traffic).
 */
import { useTranslation } from 'react-i18next';
import type { HostReading } from '../../../shared/run/model.js';

export interface HostStateProps {
  reading?: HostReading;
  previous?: HostReading;
  host?: string;
}

function delta(now: number, before: number | undefined): string {
  if (before === undefined || now < before) return '';
  return ` (+${now - before})`;
}

export function HostState({ reading, previous, host }: HostStateProps) {
  const { t } = useTranslation();
  return (
    <section className="host-state" aria-label={t('ui.host.title')}>
      <h2>
        {t('ui.host.title')}
        {host ? <span className="subtle"> · {host}</span> : null}
      </h2>
      {!reading ? (
        <p className="subtle">{t('ui.host.noReading')}</p>
      ) : (
        <>
          <dl className="facts">
            <dt>{t('ui.host.mode')}</dt>
            <dd data-field="mode">{reading.bondMode ?? t('ui.host.noBond')}</dd>
            <dt>{t('ui.host.bondMac')}</dt>
            <dd className="mac">{reading.bondMac ?? '–'}</dd>
            <dt>{t('ui.host.activeSlave')}</dt>
            <dd data-field="active">{reading.activeSlave ?? '–'}</dd>
            <dt>{t('ui.host.miimon')}</dt>
            <dd>{reading.miimon !== undefined ? `${reading.miimon} ms` : '–'}</dd>
            {reading.lacp ? (
              <>
                <dt>{t('ui.host.lacpPartner')}</dt>
                <dd className="mac">{reading.lacp.partnerMac ?? '–'}</dd>
                <dt>{t('ui.host.aggregators')}</dt>
                <dd>{reading.lacp.aggregators}</dd>
              </>
            ) : null}
          </dl>
          <table className="slaves">
            <thead>
              <tr>
                <th scope="col">{t('ui.host.slave')}</th>
                {reading.slaves.map((slave) => (
                  <th scope="col" key={slave.name} data-slave={slave.name}>
                    {slave.name}
                    {slave.name === reading.activeSlave ? ' ★' : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t('ui.host.mii')}</th>
                {reading.slaves.map((slave) => (
                  <td key={slave.name} className={`mii mii-${slave.mii}`}>
                    {slave.mii}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">{t('ui.host.mac')}</th>
                {reading.slaves.map((slave) => {
                  const moved = slave.permanentMac && slave.permanentMac !== slave.mac;
                  return (
                    <td
                      key={slave.name}
                      className="mac"
                      title={slave.permanentMac ? t('ui.host.permanentMac', { mac: slave.permanentMac }) : undefined}
                    >
                      {slave.mac}
                      {moved ? <div className="moved">{t('ui.host.notOwnMac')}</div> : null}
                    </td>
                  );
                })}
              </tr>
              <tr>
                <th scope="row">{t('ui.host.failures')}</th>
                {reading.slaves.map((slave) => (
                  <td key={slave.name}>{slave.linkFailures ?? '–'}</td>
                ))}
              </tr>
              {(['txPackets', 'rxPackets'] as const).map((counter) => (
                <tr key={counter}>
                  <th scope="row">{t(counter === 'txPackets' ? 'ui.host.tx' : 'ui.host.rx')}</th>
                  {reading.slaves.map((slave) => (
                    <td key={slave.name}>
                      {slave[counter]}
                      <span className="delta">
                        {delta(slave[counter], previous?.slaves.find((s) => s.name === slave.name)?.[counter])}
                      </span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="subtle">{t('ui.host.readAt', { at: new Date(reading.at).toLocaleTimeString() })}</p>
        </>
      )}
    </section>
  );
}
