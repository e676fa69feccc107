/**
 * The plan's common fields as a form beside its YAML: modes, slaves, the bond options of every mode, probe rates,
 * steps and repetitions. The YAML is the source of truth: every field reads the text on each render and writes
 * one edit into it (shared/plan/yaml-edit.ts, comments kept), and the errors of the bench's own plan check
 * (api.checkPlan, as the editor ran it) show at the field they name, as they show at the line in the editor.
 */
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BOND_OPTION_NAMES, BOND_OPTION_SPECS, type BondOptionName } from '../../../shared/bonding/options.js';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import {
  DEFAULT_OFF_SECONDS,
  DEFAULT_POWER_CYCLES,
  DEFAULT_PROBE,
  DEFAULT_REBOOT_SECONDS,
  MODE_NAMES,
} from '../../../shared/plan/plan.js';
import type { PlanError } from '../../../shared/plan/plan-file.js';
import {
  errorsAt,
  type FieldPath,
  numberOrText,
  readField,
  readList,
  readSteps,
  STEP_KINDS,
  type StepFields,
  setListMember,
  writeField,
  writeList,
  writeSteps,
} from '../../../shared/plan/yaml-edit.js';
import { planErrorText } from '../cells.js';

export interface PlanFormProps {
  plan: string;
  onPlanChange: (yaml: string) => void;
  /** The plan check's last answer (undefined while none has come). */
  errors: readonly PlanError[] | undefined;
}

/** Applies an edit to the text; a text that does not parse is the editor's to fix, and the form waits. */
function useEdit(plan: string, onPlanChange: (yaml: string) => void) {
  return (edit: (yaml: string) => string) => {
    try {
      onPlanChange(edit(plan));
    } catch {
      // The editor already shows why the plan does not parse.
    }
  };
}

/** What each part of the form is given: the text, the check's errors, and the edit to apply to the text. */
interface SectionProps {
  plan: string;
  errors: PlanFormProps['errors'];
  edit: ReturnType<typeof useEdit>;
}

/** The check's messages for one field, tied to its input by id (aria-describedby). */
export function FieldErrors({ id, errors }: { id: string; errors: readonly PlanError[] }) {
  const { t } = useTranslation();
  if (errors.length === 0) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {errors
        .map((e) => {
          const message = planErrorText(e, t);
          return e.line ? t('ui.planForm.atLine', { line: e.line, message }) : message;
        })
        .join('; ')}
    </span>
  );
}

/** Props that mark an input invalid and point it at its messages. */
export function invalidProps(id: string, errors: readonly PlanError[]) {
  return errors.length ? { 'aria-invalid': true as const, 'aria-describedby': id } : {};
}

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** A list typed as words: the text is the user's while they type; it follows the YAML when the YAML changes. */
function ListInput({
  values,
  onChange,
  label,
  errors,
  placeholder,
}: {
  values: string[];
  onChange: (values: string[]) => void;
  label: string;
  errors: readonly PlanError[];
  placeholder?: string;
}) {
  const id = useId();
  const [text, setText] = useState(values.join(' '));
  const joined = values.join(' ');
  useEffect(() => {
    setText((typed) => (words(typed).join(' ') === joined ? typed : joined));
  }, [joined]);
  return (
    <span className="field">
      <label>
        {label}
        <input
          value={text}
          spellCheck={false}
          placeholder={placeholder}
          {...invalidProps(id, errors)}
          onChange={(event) => {
            setText(event.target.value);
            onChange(words(event.target.value));
          }}
        />
      </label>
      <FieldErrors id={id} errors={errors} />
    </span>
  );
}

/** One scalar field of the plan: a text or number input, or a choice. */
function ScalarField({
  plan,
  path,
  label,
  errors,
  edit,
  choices,
  number,
  placeholder,
}: {
  plan: string;
  path: FieldPath;
  label: string;
  errors: readonly PlanError[] | undefined;
  edit: (fn: (yaml: string) => string) => void;
  choices?: readonly string[];
  number?: boolean;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const inputId = useId();
  const value = readField(plan, path);
  const mine = errorsAt(errors, path, true);
  const write = (text: string) =>
    edit((yaml) => writeField(yaml, path, number ? numberOrText(text) : text === '' ? undefined : text));
  return (
    <span className="field">
      <label htmlFor={inputId}>{label}</label>
      {choices ? (
        <select id={inputId} value={value ?? ''} onChange={(e) => write(e.target.value)} {...invalidProps(id, mine)}>
          <option value="">{placeholder ?? t('ui.planForm.default')}</option>
          {value !== undefined && !choices.includes(value) ? <option value={value}>{value}</option> : null}
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={inputId}
          value={value ?? ''}
          inputMode={number ? 'decimal' : undefined}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => write(e.target.value)}
          {...invalidProps(id, mine)}
        />
      )}
      <FieldErrors id={id} errors={mine} />
    </span>
  );
}

function ModesField({ plan, errors, edit }: SectionProps) {
  const { t } = useTranslation();
  const id = useId();
  const modes = readList(plan, ['modes']);
  const mine = errorsAt(errors, ['modes'], true);
  return (
    <fieldset className="plan-modes" {...invalidProps(id, mine)}>
      <legend>{t('ui.planForm.modes')}</legend>
      {MODE_NAMES.map((mode) => (
        <label key={mode} className="choice">
          <input
            type="checkbox"
            checked={modes.includes(mode)}
            onChange={(e) => edit((yaml) => setListMember(yaml, ['modes'], mode, e.target.checked, MODE_NAMES))}
          />
          {t(modeKey(mode))}
        </label>
      ))}
      {modes
        .filter((m) => !(MODE_NAMES as readonly string[]).includes(m))
        .map((m) => (
          <label key={m} className="choice">
            <input type="checkbox" checked onChange={() => edit((yaml) => setListMember(yaml, ['modes'], m, false))} />
            {m}
          </label>
        ))}
      <FieldErrors id={id} errors={mine} />
    </fieldset>
  );
}

function optionInput(name: BondOptionName): { choices?: readonly string[]; number?: boolean; list?: boolean } {
  const schema = BOND_OPTION_SPECS[name].schema as { enum?: readonly (string | number)[]; type?: string };
  if (schema.enum) return { choices: schema.enum.map(String) };
  if (schema.type === 'integer' || schema.type === 'number') return { number: true };
  if (schema.type === 'array') return { list: true };
  return {};
}

function OptionsField({ plan, errors, edit }: SectionProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="plan-options">
      <legend>{t('ui.planForm.options')}</legend>
      {BOND_OPTION_NAMES.map((name) => {
        const path = ['bond', 'options', name] as const;
        const input = optionInput(name);
        if (input.list) {
          return (
            <ListInput
              key={name}
              label={name}
              values={readList(plan, path)}
              errors={errorsAt(errors, path, true)}
              onChange={(values) =>
                edit((yaml) => (values.length ? writeList(yaml, path, values) : writeField(yaml, path, undefined)))
              }
            />
          );
        }
        return (
          <ScalarField
            key={name}
            plan={plan}
            path={path}
            label={name}
            errors={errors}
            edit={edit}
            choices={input.choices}
            number={input.number}
            placeholder={input.choices ? t('ui.planForm.driverDefault') : undefined}
          />
        );
      })}
      <p className="subtle">{t('ui.planForm.optionsHint')}</p>
    </fieldset>
  );
}

function StepsField({ plan, errors, edit }: SectionProps) {
  const { t } = useTranslation();
  const read = readSteps(plan);
  const slaves = readList(plan, ['bond', 'slaves']);
  if (!read) return null;
  const { steps, defaulted } = read;
  const save = (next: StepFields[]) => edit((yaml) => writeSteps(yaml, next));
  const change = (index: number, fields: StepFields) => save(steps.map((s, i) => (i === index ? fields : s)));
  const kindChange = (index: number, kind: StepFields['kind']) =>
    change(
      index,
      kind === 'pull' || kind === 'plug' ? { kind, slave: steps[index]?.slave ?? slaves[0] ?? '' } : { kind },
    );
  const move = (index: number, by: number) => {
    const next = [...steps];
    const [step] = next.splice(index, 1);
    next.splice(index + by, 0, step!);
    save(next);
  };
  const secondsLabel = (kind: StepFields['kind']) =>
    kind === 'probe'
      ? t('ui.planForm.seconds')
      : kind === 'pull'
        ? t('ui.planForm.hold')
        : kind === 'plug'
          ? t('ui.planForm.settle')
          : t('ui.planForm.off');
  return (
    <fieldset className="plan-steps">
      <legend>{t('ui.planForm.steps')}</legend>
      {defaulted ? <p className="subtle">{t('ui.planForm.stepsDefault')}</p> : null}
      <ol>
        {steps.map((step, index) => (
          <StepRow
            // biome-ignore lint/suspicious/noArrayIndexKey: a step is its position in the list
            key={index}
            index={index}
            step={step}
            slaves={slaves}
            last={index === steps.length - 1}
            errors={defaulted ? [] : errorsAt(errors, ['steps', index], true)}
            secondsLabel={secondsLabel(step.kind)}
            onKind={(kind) => kindChange(index, kind)}
            onChange={(fields) => change(index, fields)}
            onMove={(by) => move(index, by)}
            onRemove={() => save(steps.filter((_, i) => i !== index))}
          />
        ))}
      </ol>
      <button type="button" onClick={() => save([...steps, { kind: 'probe', seconds: '2' }])}>
        {t('ui.planForm.addStep')}
      </button>
    </fieldset>
  );
}

function StepRow(props: {
  index: number;
  step: StepFields;
  slaves: string[];
  last: boolean;
  errors: PlanError[];
  secondsLabel: string;
  onKind: (kind: StepFields['kind']) => void;
  onChange: (fields: StepFields) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { index, step, slaves, errors } = props;
  const n = index + 1;
  const hasSlave = step.kind === 'pull' || step.kind === 'plug';
  const hasSeconds = step.kind !== 'read-macs' && step.kind !== 'reboot';
  return (
    <li className="plan-step" data-step={index}>
      <select
        aria-label={t('ui.planForm.stepKind', { n })}
        value={step.kind}
        onChange={(e) => props.onKind(e.target.value as StepFields['kind'])}
        {...invalidProps(id, errors)}
      >
        {STEP_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(`ui.planForm.kind.${kind}`)}
          </option>
        ))}
      </select>
      {hasSlave ? (
        <select
          aria-label={t('ui.planForm.stepSlave', { n })}
          value={step.slave ?? ''}
          onChange={(e) => props.onChange({ ...step, slave: e.target.value })}
        >
          {step.slave !== undefined && !slaves.includes(step.slave) ? (
            <option value={step.slave}>{step.slave}</option>
          ) : null}
          {slaves.map((slave) => (
            <option key={slave} value={slave}>
              {slave}
            </option>
          ))}
        </select>
      ) : null}
      {hasSeconds ? (
        <label>
          {props.secondsLabel}
          <input
            className="seconds"
            value={step.seconds ?? ''}
            inputMode="decimal"
            aria-label={t('ui.planForm.stepTime', { what: props.secondsLabel, n })}
            onChange={(e) => props.onChange({ ...step, seconds: e.target.value === '' ? undefined : e.target.value })}
          />
        </label>
      ) : null}
      <span className="step-tools">
        <button
          type="button"
          className="link"
          aria-label={t('ui.planForm.up', { n })}
          disabled={index === 0}
          onClick={() => props.onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          className="link"
          aria-label={t('ui.planForm.down', { n })}
          disabled={props.last}
          onClick={() => props.onMove(1)}
        >
          ↓
        </button>
        <button type="button" className="link" aria-label={t('ui.planForm.remove', { n })} onClick={props.onRemove}>
          ✕
        </button>
      </span>
      <FieldErrors id={id} errors={errors} />
    </li>
  );
}

/** A scalar of the plan in a group of the form: where it lives, its label key (ui.planForm.*), its default. */
interface ScalarSpec {
  path: FieldPath;
  label: string;
  placeholder: string;
  /** A choice among these (a number otherwise). */
  choices?: readonly string[];
}

/** The probe's settings (shared/plan/plan.ts ProbeSettings; defaults from DEFAULT_PROBE as placeholders). */
const PROBE_FIELDS: readonly ScalarSpec[] = [
  { path: ['probe', 'rate'], label: 'rate', placeholder: String(DEFAULT_PROBE.rate) },
  { path: ['probe', 'pullRate'], label: 'pullRate', placeholder: String(DEFAULT_PROBE.pullRate) },
  {
    path: ['probe', 'arpPolicy'],
    label: 'arpPolicy',
    placeholder: DEFAULT_PROBE.arpPolicy,
    choices: ['passive', 'os-like'],
  },
];

/**
 * How modes come up and how the host is booted (plan apply and timeouts): netifrc with a reboot or a power-cycle
 * through the power driver, the power-off time, and the watchdog's limits. Defaults as placeholders.
 */
const BOOT_FIELDS: readonly ScalarSpec[] = [
  { path: ['apply', 'method'], label: 'applyMethod', placeholder: 'runtime', choices: ['runtime', 'netifrc'] },
  { path: ['apply', 'boot'], label: 'applyBoot', placeholder: 'reboot', choices: ['reboot', 'power-cycle'] },
  { path: ['apply', 'offSeconds'], label: 'applyOff', placeholder: String(DEFAULT_OFF_SECONDS) },
  { path: ['timeouts', 'rebootSeconds'], label: 'rebootSeconds', placeholder: String(DEFAULT_REBOOT_SECONDS) },
  { path: ['timeouts', 'powerCycles'], label: 'powerCycles', placeholder: String(DEFAULT_POWER_CYCLES) },
];

/** A fieldset of scalars, each read from and written into the YAML at its path. */
function ScalarGroup({
  plan,
  errors,
  edit,
  className,
  legend,
  fields,
  hint,
}: SectionProps & { className: string; legend: string; fields: readonly ScalarSpec[]; hint?: string }) {
  const { t } = useTranslation();
  return (
    <fieldset className={className}>
      <legend>{t(legend)}</legend>
      {fields.map((field) => (
        <ScalarField
          key={field.path.join('.')}
          plan={plan}
          path={field.path}
          label={t(`ui.planForm.${field.label}`)}
          errors={errors}
          edit={edit}
          choices={field.choices}
          number={!field.choices}
          placeholder={field.placeholder}
        />
      ))}
      {hint ? <p className="subtle">{t(hint)}</p> : null}
    </fieldset>
  );
}

export function PlanForm({ plan, onPlanChange, errors }: PlanFormProps) {
  const { t } = useTranslation();
  const edit = useEdit(plan, onPlanChange);
  const parses = readSteps(plan) !== undefined;
  const slavesPath = ['bond', 'slaves'] as const;
  return (
    <section className="panel plan-form" aria-label={t('ui.planForm.title')}>
      <h2>{t('ui.planForm.title')}</h2>
      {parses ? null : <p className="warning">{t('ui.planForm.notParsed')}</p>}
      <fieldset disabled={!parses} className="plan-form-fields">
        <ModesField plan={plan} errors={errors} edit={edit} />
        <div className="row">
          <ListInput
            label={t('ui.planForm.slaves')}
            values={readList(plan, slavesPath)}
            errors={errorsAt(errors, slavesPath, true)}
            placeholder="eth1 eth2"
            onChange={(values) => edit((yaml) => writeList(yaml, slavesPath, values))}
          />
        </div>
        <OptionsField plan={plan} errors={errors} edit={edit} />
        <ScalarGroup
          plan={plan}
          errors={errors}
          edit={edit}
          className="plan-probe"
          legend="ui.planForm.probe"
          fields={PROBE_FIELDS}
        />
        <ScalarGroup
          plan={plan}
          errors={errors}
          edit={edit}
          className="plan-boots"
          legend="ui.planForm.boots"
          fields={BOOT_FIELDS}
          hint="ui.planForm.bootsHint"
        />
        <StepsField plan={plan} errors={errors} edit={edit} />
        <div className="row">
          <ScalarField
            plan={plan}
            path={['repeat']}
            label={t('ui.planForm.repeat')}
            errors={errors}
            edit={edit}
            number
            placeholder="1"
          />
        </div>
      </fieldset>
    </section>
  );
}
