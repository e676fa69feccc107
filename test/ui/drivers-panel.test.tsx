/**
 * The setup form's driver panel is built from the driver modules: each type's label, picking a type writes that
 * driver's example settings (a valid plan), and its fields edit the plan's YAML (integers as numbers).
 */
import { fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { DriversPanel } from '../../renderer/src/views/SetupView.js';
import { LINK_DRIVERS, POWER_DRIVERS } from '../../shared/drivers/builtin.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { renderIn } from './render.js';

let current = '';
function Harness({ initial }: { initial: string }) {
  const [plan, setPlan] = useState(initial);
  current = plan;
  return <DriversPanel plan={plan} onPlanChange={setPlan} />;
}

const initial = planToYaml(defaultLabPlan('ui'));

describe('DriversPanel', () => {
  it('lists every driver module by its own label, in English and Chinese', () => {
    const { unmount } = renderIn(<Harness initial={initial} />);
    const power = screen.getByRole('combobox', { name: 'Power (reboots)' });
    const options = [...power.querySelectorAll('option')].map((o) => o.textContent);
    expect(options).toEqual(POWER_DRIVERS.map((d) => d.label.en));
    unmount();
    renderIn(<Harness initial={initial} />, 'zh-CN');
    const link = screen.getByRole('combobox', { name: '链路（拔网线）' });
    expect([...link.querySelectorAll('option')].map((o) => o.textContent)).toEqual(
      LINK_DRIVERS.map((d) => d.label['zh-CN']),
    );
  });

  it('writes the picked driver’s example settings, then edits its fields in the plan', () => {
    renderIn(<Harness initial={initial} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Power (reboots)' }), { target: { value: 'pdudaemon' } });
    let plan = parsePlan(current);
    expect(plan.errors).toEqual([]);
    expect(plan.plan?.drivers.power).toEqual(POWER_DRIVERS[1].example);

    fireEvent.change(screen.getByRole('textbox', { name: 'outlet' }), { target: { value: '7' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'PDU (in pdudaemon.conf)' }), {
      target: { value: 'rack-2' },
    });
    plan = parsePlan(current);
    expect(plan.errors).toEqual([]);
    expect(plan.plan?.drivers.power).toMatchObject({ type: 'pdudaemon', hostname: 'rack-2', port: 7 });

    // An empty optional field is no setting; a bad value is the plan check's to refuse, with the field's path.
    fireEvent.change(screen.getByRole('textbox', { name: 'off time in a cycle (s)' }), { target: { value: '' } });
    expect(current).not.toMatch(/delay:/);
    fireEvent.change(screen.getByRole('textbox', { name: 'pdudaemon URL' }), { target: { value: 'ftp://pdu' } });
    expect(parsePlan(current).errors.map((e) => e.path)).toContain('drivers.power.url');
  });
});
