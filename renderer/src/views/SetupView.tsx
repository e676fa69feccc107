/**
 * Setup: the host (target, first-contact host key, what the bench sees there), the tester interface, the power
 * and link drivers, the plan itself with validation as you type, and "check everything" before a run.
 * Every form field edits the plan's YAML, so what is checked and run is exactly what the editor shows.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchClient, CheckItem, HostCheck, TesterInterface } from '../../../shared/api.js';
import type { DriverKind } from '../../../shared/drivers/define.js';
import { sayReasonWith } from '../../../shared/oracle/failover.js';
import type { PlanError } from '../../../shared/plan/plan-file.js';
import {
  DRIVERS,
  driverDefinition,
  errorsAt,
  type FieldPath,
  fieldValue,
  readField,
  writeField,
} from '../../../shared/plan/yaml-edit.js';
import { checkItemText, errorText } from '../cells.js';
import { DoctorPanel } from '../components/DoctorPanel.js';
import { PlanEditor } from '../components/PlanEditor.js';
import { FieldErrors, invalidProps, PlanForm } from '../components/PlanForm.js';
import { uiLanguage } from '../i18n.js';
import { useAction } from '../useAction.js';

export interface SetupViewProps {
  client: BenchClient;
  plan: string;
  onPlanChange: (yaml: string) => void;
  onStart: () => void;
  starting: boolean;
  running: boolean;
}

/** The plan check's last answer, for the fields that show their own errors. */
type Checked = { errors?: readonly PlanError[] };

function useField(plan: string, onPlanChange: (yaml: string) => void, path: FieldPath) {
  const value = readField(plan, path);
  const set = (next: string) => {
    try {
      onPlanChange(writeField(plan, path, next));
    } catch {
      // The editor already shows why the plan does not parse; the field waits for a fix.
    }
  };
  return [value, set] as const;
}

function HostPanel({
  client,
  plan,
  onPlanChange,
  errors,
}: Pick<SetupViewProps, 'client' | 'plan' | 'onPlanChange'> & Checked) {
  const { t } = useTranslation();
  const [target, setTarget] = useField(plan, onPlanChange, ['host', 'target']);
  const targetErrors = errorsAt(errors, ['host', 'target']);
  const targetId = useId();
  const [result, setResult] = useState<HostCheck>();
  const { busy, error, run } = useAction();

  const check = () =>
    run(async () => {
      if (!target) return;
      setResult(undefined);
      setResult(await client.checkHost(target));
    });

  const accept = (fingerprint: string) =>
    run(async () => {
      if (!target) return;
      await client.acceptHostKey(target, fingerprint);
      setResult(await client.checkHost(target));
    });

  return (
    <section className="panel host-panel" aria-label={t('ui.setup.host')}>
      <h2>{t('ui.setup.host')}</h2>
      <div className="row">
        <label>
          {t('ui.setup.target')}
          <input
            value={target ?? ''}
            disabled={target === undefined}
            spellCheck={false}
            placeholder="lab | lab:NAME | alias | user@host[:port]"
            onChange={(event) => setTarget(event.target.value)}
            {...invalidProps(targetId, targetErrors)}
          />
        </label>
        <FieldErrors id={targetId} errors={targetErrors} />
        <button type="button" onClick={check} disabled={busy || !target}>
          {busy ? t('ui.setup.checking') : t('ui.setup.checkHost')}
        </button>
      </div>
      <p className="subtle">{t('ui.setup.credentials')}</p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {result && !result.ok && result.hostKey ? (
        <div className="host-key" role="alertdialog" aria-label={t('ui.setup.hostKeyTitle')}>
          <h3>{t('ui.setup.hostKeyTitle')}</h3>
          <p>{t('ui.setup.hostKeyText', { target: result.hostKey.target, type: result.hostKey.keyType })}</p>
          <code className="fingerprint">{result.hostKey.fingerprint}</code>
          <p className="subtle">{t('ui.setup.hostKeyHint')}</p>
          <button type="button" onClick={() => accept(result.hostKey!.fingerprint)} disabled={busy}>
            {t('ui.setup.acceptKey')}
          </button>
        </div>
      ) : null}
      {result && !result.ok && !result.hostKey ? (
        <p className="error" role="alert">
          {result.errorParts ? sayReasonWith((key, vars) => t(key, vars ?? {}), result.errorParts) : result.error}
        </p>
      ) : null}
      {result?.ok ? (
        <div className="host-facts">
          <p className="ok">
            ✓{' '}
            {t('ui.setup.hostReached', {
              kernel: result.kernel,
              distribution: result.distribution,
              bonding: result.bondingPart ? t(result.bondingPart.key) : result.bonding,
            })}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ui.setup.interface')}</th>
                <th scope="col">{t('ui.host.mac')}</th>
                <th scope="col">{t('ui.setup.addresses')}</th>
              </tr>
            </thead>
            <tbody>
              {result.interfaces.map((nic) => (
                <tr key={nic.name}>
                  <th scope="row">{nic.name}</th>
                  <td className="mac">{nic.mac}</td>
                  <td>{nic.addresses.join(', ') || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function TesterPanel({ client, plan, onPlanChange }: Pick<SetupViewProps, 'client' | 'plan' | 'onPlanChange'>) {
  const { t } = useTranslation();
  const [chosen, choose] = useField(plan, onPlanChange, ['tester', 'interface']);
  const [interfaces, setInterfaces] = useState<TesterInterface[]>();
  // As thrown; said in the UI's language when shown.
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    setError(undefined);
    client.testerInterfaces().then(setInterfaces, setError);
  }, [client]);
  useEffect(load, [load]);

  // Capture ports with an address first; pseudo-devices and bare switch ports folded away.
  const addressed = interfaces?.filter((nic) => nic.addresses.length > 0) ?? [];
  const unaddressed = interfaces?.filter((nic) => nic.addresses.length === 0) ?? [];
  const choice = (nic: TesterInterface) => (
    <label className="choice" key={nic.name}>
      <input type="radio" name="tester" checked={chosen === nic.name} onChange={() => choose(nic.name)} />
      <strong>{nic.friendlyName ?? nic.name}</strong>{' '}
      <span className="subtle">{nic.addresses.join(', ') || t('ui.setup.noAddress')}</span>
      {nic.description ? <span className="subtle"> · {nic.description}</span> : null}
      {nic.friendlyName ? <span className="subtle device-name"> · {nic.name}</span> : null}
    </label>
  );

  return (
    <section className="panel tester-panel" aria-label={t('ui.setup.tester')}>
      <h2>
        {t('ui.setup.tester')}{' '}
        <button type="button" className="link" onClick={load}>
          {t('ui.setup.refresh')}
        </button>
      </h2>
      {error !== undefined ? (
        <p className="error" role="alert">
          {errorText(error, t)}
        </p>
      ) : null}
      {!interfaces && error === undefined ? <p className="subtle">{t('ui.setup.loading')}</p> : null}
      <fieldset disabled={chosen === undefined}>
        <legend className="visually-hidden">{t('ui.setup.tester')}</legend>
        <label className="choice">
          <input type="radio" name="tester" checked={chosen === 'auto'} onChange={() => choose('auto')} />
          <strong>auto</strong> <span className="subtle">{t('ui.setup.testerAuto')}</span>
        </label>
        {addressed.map(choice)}
        {unaddressed.length > 0 ? (
          <details open={unaddressed.some((nic) => nic.name === chosen)}>
            <summary className="subtle">{t('ui.setup.withoutAddress', { count: unaddressed.length })}</summary>
            {unaddressed.map(choice)}
          </details>
        ) : null}
        {chosen && chosen !== 'auto' && interfaces && !interfaces.some((n) => n.name === chosen) ? (
          <p className="warning">{t('ui.setup.testerMissing', { name: chosen })}</p>
        ) : null}
      </fieldset>
    </section>
  );
}

/** One driver: its type (picking one writes that driver's example settings) and the settings its module lists. */
function DriverFields({
  kind,
  plan,
  onPlanChange,
  errors,
}: Pick<SetupViewProps, 'plan' | 'onPlanChange'> & Checked & { kind: DriverKind }) {
  const { t } = useTranslation();
  const id = useId();
  const type = readField(plan, ['drivers', kind, 'type']);
  const definition = driverDefinition(kind, type);
  const write = (path: FieldPath, value: Parameters<typeof writeField>[2]) => {
    try {
      onPlanChange(writeField(plan, path, value));
    } catch {
      // The editor already shows why the plan does not parse; the field waits for a fix.
    }
  };
  const pick = (next: string) => {
    const chosen = driverDefinition(kind, next);
    if (chosen) write(['drivers', kind], chosen.example);
  };
  return (
    <fieldset className={`driver driver-${kind}`}>
      <label>
        {t(kind === 'power' ? 'ui.setup.power' : 'ui.setup.link')}
        <select
          value={type ?? ''}
          disabled={type === undefined && readField(plan, ['version']) === undefined}
          onChange={(e) => pick(e.target.value)}
        >
          {definition ? null : <option value="">{type ?? '–'}</option>}
          {DRIVERS[kind].map((d) => (
            <option key={d.type} value={d.type}>
              {t(`drivers.${kind}.${d.type}.label`)}
            </option>
          ))}
        </select>
      </label>
      {definition?.fields.map((field) => {
        const mine = errorsAt(errors, ['drivers', kind, field.key], true);
        return (
          <span className="field" key={field.key}>
            <label>
              {t(`drivers.${kind}.${definition.type}.field.${field.key}`)}
              <input
                value={readField(plan, ['drivers', kind, field.key]) ?? ''}
                inputMode={field.input === 'integer' ? 'numeric' : undefined}
                placeholder={field.placeholder}
                spellCheck={false}
                onChange={(e) => write(['drivers', kind, field.key], fieldValue(field.input, e.target.value))}
                {...invalidProps(`${id}-${field.key}`, mine)}
              />
            </label>
            <FieldErrors id={`${id}-${field.key}`} errors={mine} />
          </span>
        );
      })}
    </fieldset>
  );
}

export function DriversPanel({ plan, onPlanChange, errors }: Pick<SetupViewProps, 'plan' | 'onPlanChange'> & Checked) {
  const { t } = useTranslation();
  return (
    <section className="panel drivers-panel" aria-label={t('ui.setup.drivers')}>
      <h2>{t('ui.setup.drivers')}</h2>
      <div className="row">
        <DriverFields kind="power" plan={plan} onPlanChange={onPlanChange} errors={errors} />
        <DriverFields kind="link" plan={plan} onPlanChange={onPlanChange} errors={errors} />
      </div>
      <p className="subtle">{t('ui.setup.driversHint')}</p>
    </section>
  );
}

function CheckEverything({ client, plan }: Pick<SetupViewProps, 'client' | 'plan'>) {
  const { t } = useTranslation();
  const [items, setItems] = useState<CheckItem[]>();
  const { busy, error, run: act } = useAction();
  const run = () => act(async () => setItems(await client.checkEverything(plan)));
  const failing = items?.filter((i) => !i.ok) ?? [];
  return (
    <section className="panel check-panel" aria-label={t('ui.check.title')}>
      <h2>{t('ui.check.title')}</h2>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? t('ui.check.running') : t('ui.check.button')}
      </button>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {items ? (
        <>
          <p className={failing.length ? 'warning' : 'ok'}>
            {failing.length ? t('ui.check.toFix', { count: failing.length }) : t('ui.check.allGood')}
          </p>
          <ul className="checks">
            {items.map((item) => {
              const said = checkItemText(item, t);
              return (
                <li key={item.what} className={item.ok ? 'check-ok' : 'check-fail'}>
                  <span aria-hidden="true">{item.ok ? '✓' : '✗'}</span> <strong>{said.what}</strong>
                  {t('checkItem.colon')}
                  {said.detail}
                  {!item.ok && said.fix ? <div className="fix">{t('ui.check.fix', { fix: said.fix })}</div> : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function SetupView({ client, plan, onPlanChange, onStart, starting, running }: SetupViewProps) {
  const { t, i18n } = useTranslation();
  const [planErrors, setPlanErrors] = useState<PlanError[] | undefined>();
  const check = useCallback((yaml: string) => client.checkPlan(yaml), [client]);
  const loadDefault = async () => onPlanChange(await client.defaultPlan(uiLanguage(i18n.language)));
  return (
    <div className="setup">
      <div className="setup-side">
        <HostPanel client={client} plan={plan} onPlanChange={onPlanChange} errors={planErrors} />
        <PlanForm plan={plan} onPlanChange={onPlanChange} errors={planErrors} />
        <TesterPanel client={client} plan={plan} onPlanChange={onPlanChange} />
        <DriversPanel plan={plan} onPlanChange={onPlanChange} errors={planErrors} />
        <CheckEverything client={client} plan={plan} />
        <DoctorPanel client={client} />
      </div>
      <div className="setup-plan">
        <PlanEditor value={plan} onChange={onPlanChange} check={check} onChecked={setPlanErrors} />
        <div className="row actions">
          <button type="button" className="link" onClick={loadDefault}>
            {t('ui.plan.loadDefault')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={onStart}
            disabled={starting || running || planErrors === undefined || planErrors.length > 0}
          >
            {running ? t('ui.setup.runInProgress') : starting ? t('ui.setup.starting') : t('ui.setup.start')}
          </button>
        </div>
      </div>
    </div>
  );
}
