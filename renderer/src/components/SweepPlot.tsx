/**
 * A sweep run's failover against the swept value, per mode: the report's own plot (shared/report/svg.ts sweepSvg
 * over shared/report/build.ts sweepReport) and the figures behind each dot, under the matrix while a sweep runs
 * and for a recorded one. Nothing for a run without a sweep, or a plan text that does not parse.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { parse } from 'yaml';
import type { Language } from '../../../shared/api.js';
import { modeKey } from '../../../shared/i18n/catalogue.js';
import { MODE_NAMES, type ModeName, type Plan } from '../../../shared/plan/plan.js';
import { sweepReport } from '../../../shared/report/build.js';
import { PLOT_CSS, sweepSvg } from '../../../shared/report/svg.js';
import type { StepRecord } from '../../../shared/run/model.js';

// The report's plot styles, each rule (all start with `svg`) scoped under this section: they reach no other SVG.
export const SCOPED_PLOT_CSS = PLOT_CSS.replace(/(^|\} )svg/gm, '$1.sweep-plot svg');

/**
 * A plan's sweep and repetitions, read from its YAML. Not through parsePlan: its schema validator (ajv) compiles
 * code with `new Function`, which the app's content security policy (script-src 'self') refuses, and the bench
 * validated this plan when the run started. Undefined for a text that does not parse or has no sweep of lists.
 */
export function sweepOf(
  planYaml: string,
): (Pick<Plan, 'sweep' | 'repeat' | 'modes'> & { sweep: NonNullable<Plan['sweep']> }) | undefined {
  let doc: unknown;
  try {
    doc = parse(planYaml);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const { sweep, repeat, modes } = doc as { sweep?: unknown; repeat?: unknown; modes?: unknown };
  if (!sweep || typeof sweep !== 'object' || Array.isArray(sweep)) return undefined;
  const axes = Object.entries(sweep);
  const valid = (v: unknown) => typeof v === 'number' || typeof v === 'string';
  if (
    axes.length === 0 ||
    !axes.every(([, values]) => Array.isArray(values) && values.length > 0 && values.every(valid))
  )
    return undefined;
  return {
    sweep: sweep as NonNullable<Plan['sweep']>,
    repeat: typeof repeat === 'number' && Number.isInteger(repeat) && repeat > 0 ? repeat : 1,
    modes: Array.isArray(modes)
      ? MODE_NAMES.filter((m) => modes.includes(m)).sort((a, b) => modes.indexOf(a) - modes.indexOf(b))
      : [],
  };
}

const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);

export function SweepPlot({ planYaml, steps }: { planYaml: string | undefined; steps: readonly StepRecord[] }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const plan = useMemo(() => (planYaml ? sweepOf(planYaml) : undefined), [planYaml]);
  const sweep = useMemo(
    () =>
      plan ? sweepReport(plan, steps, [...new Set<ModeName>([...plan.modes, ...steps.map((s) => s.mode)])]) : undefined,
    [plan, steps],
  );
  const svg = useMemo(() => (sweep ? sweepSvg(sweep, language) : ''), [sweep, language]);
  if (!plan || !sweep) return null;
  const option = sweep.axes.map((a) => a.option).join(' × ');
  const measured = sweep.series.some((s) => s.cells.some((c) => c.failoverMedianMs !== undefined));
  return (
    <section className="sweep-plot" aria-label={t('sweep.section', { option })}>
      <style>{SCOPED_PLOT_CSS}</style>
      <h3>{t('sweep.section', { option })}</h3>
      <p className="subtle">{t('sweep.explain', { repeat: plan.repeat })}</p>
      {measured ? (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the report's SVG builder escapes every text it writes (shared/report/escape.ts); one plot, one home
        <figure dangerouslySetInnerHTML={{ __html: svg }} />
      ) : (
        <p className="subtle">{t('ui.sweep.noneYet')}</p>
      )}
      <table className="sweep">
        <thead>
          <tr>
            <th scope="col">{t('ui.sweep.mode')}</th>
            <th scope="col">{t('sweep.point')}</th>
            <th scope="col">{t('sweep.pulls')}</th>
            <th scope="col">{t('sweep.median')}</th>
            <th scope="col">{t('sweep.p95')}</th>
            <th scope="col">{t('sweep.max')}</th>
          </tr>
        </thead>
        <tbody>
          {sweep.series.flatMap((s) =>
            s.cells.map((c) => (
              <tr key={`${s.mode}-${c.point}`} data-mode={s.mode} data-point={c.point}>
                <td>{t(modeKey(s.mode))}</td>
                <td>{sweep.points[c.point]?.label ?? c.point}</td>
                <td className="num">
                  {c.pulls} ({c.measured})
                </td>
                <td className="num">{ms(c.failoverMedianMs)}</td>
                <td className="num">{ms(c.failoverP95Ms)}</td>
                <td className="num">{ms(c.failoverMaxMs)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}
