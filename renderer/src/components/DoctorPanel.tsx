/**
 * The doctor panel: `bondbench doctor` in the app — what will and will not work on this machine (capture, each
 * interface, the SSH agent, known_hosts, PDF), ✓ or ✗ with the fix, optionally with a 5-second probe of a host.
 * Talks to the bench only through the API (BenchClient.doctor); lines are message keys, translated here.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchClient } from '../../../shared/api.js';
import { type DoctorReport, STATUS_MARK } from '../../../shared/doctor/doctor.js';
import { useAction } from '../useAction.js';

export function DoctorPanel({ client }: { client: Pick<BenchClient, 'doctor'> }) {
  const { t } = useTranslation();
  const [report, setReport] = useState<DoctorReport>();
  const [target, setTarget] = useState('');
  const { busy, error, run } = useAction();
  const check = () => run(async () => setReport(await client.doctor(target.trim())));
  return (
    <section className="panel doctor-panel" aria-label={t('doctor.ui.title')}>
      <h2>{t('doctor.ui.title')}</h2>
      <p className="subtle">{t('doctor.ui.intro')}</p>
      <label>
        {t('doctor.ui.probeTarget')}{' '}
        <input
          type="text"
          inputMode="decimal"
          placeholder="10.77.1.253"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
      </label>{' '}
      <button type="button" onClick={check} disabled={busy}>
        {busy ? t('doctor.ui.running') : t('doctor.ui.run')}
      </button>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <>
          <p className={report.ok ? 'ok' : 'warning'}>
            {report.ok ? t('doctor.ui.allGood') : t('doctor.ui.someFailed')}
          </p>
          <ul className="checks doctor-lines">
            {report.lines.map((line) => (
              <li
                key={`${line.check}:${line.key}:${String(line.vars?.name ?? line.vars?.file ?? '')}`}
                className={`doctor-${line.status}`}
              >
                <span role="img" aria-label={t(`doctor.ui.status.${line.status}`)}>
                  {STATUS_MARK[line.status]}
                </span>{' '}
                {t(line.key, line.vars ?? {})}
                {line.fix && line.status !== 'ok' ? (
                  <div className="fix">→ {t(line.fix.key, line.fix.vars ?? {})}</div>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
