import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { offsetOf, PlanEditor } from '../../renderer/src/components/PlanEditor.js';
import { defaultLabPlan } from '../../shared/plan/plan.js';
import { type PlanError, parsePlan, planToYaml } from '../../shared/plan/plan-file.js';
import { renderIn } from './render.js';

// The bench's own checker, as api.checkPlan runs it.
const check = async (yaml: string): Promise<PlanError[]> => parsePlan(yaml).errors;
const valid = planToYaml(defaultLabPlan('ui'));

function Harness({ initial, checker = check }: { initial: string; checker?: (yaml: string) => Promise<PlanError[]> }) {
  const [value, setValue] = useState(initial);
  return <PlanEditor value={value} onChange={setValue} check={checker} delayMs={10} />;
}

const editor = () => screen.getByRole('textbox', { name: 'Plan (YAML)' }) as HTMLTextAreaElement;
const status = () => screen.getByRole('status');

describe('PlanEditor', () => {
  it('says a valid plan is valid', async () => {
    renderIn(<Harness initial={valid} />);
    await waitFor(() => expect(status().textContent).toBe('✓ The plan is valid.'));
    expect(editor().getAttribute('aria-invalid')).toBeNull();
  });

  it('validates as you type, pointing at line and column, and clears when fixed', async () => {
    renderIn(<Harness initial={valid} />);
    await waitFor(() => expect(status().textContent).toBe('✓ The plan is valid.'));

    const broken = valid.replace('  - balance-rr\n', '  - balance-rrr\n');
    fireEvent.change(editor(), { target: { value: broken } });
    await waitFor(() => expect(status().textContent).toMatch(/✗ \d+ problems? to fix:/));
    const line = broken.split('\n').findIndex((l) => l.includes('balance-rrr')) + 1;
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items.some((text) => text?.startsWith(`${line}:`) && text.includes('modes[1]'))).toBe(true);
    expect(editor().getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(editor(), { target: { value: valid } });
    await waitFor(() => expect(status().textContent).toBe('✓ The plan is valid.'));
    expect(screen.queryAllByRole('listitem')).toHaveLength(0);
  });

  it('says the check’s findings in the UI’s language, with their line and field', async () => {
    const peerIsBond = valid.replace('peer: 10.77.1.252', 'peer: 10.77.1.253');
    const line = peerIsBond.split('\n').findIndex((l) => /^\s+peer: /.test(l)) + 1;
    renderIn(<Harness initial={peerIsBond} />, 'zh-CN');
    await waitFor(() => expect(screen.getAllByRole('listitem').length).toBeGreaterThan(0));
    const items = screen.getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(items).toContain(`${line}:3 bond.peer 是绑定自己的地址`);
    expect(items.join('\n')).not.toMatch(/own address/);
  });

  it('reports YAML syntax errors with their position, and puts the caret there on click', async () => {
    const text = 'version: 1\nhost:\n  target: lab\n  target: lab:x\n';
    renderIn(<Harness initial={text} />);
    await waitFor(() => expect(screen.getAllByRole('listitem').length).toBeGreaterThan(0));
    const first = screen.getAllByRole('listitem')[0]!;
    const position = first.querySelector('button')!.textContent!;
    expect(position).toMatch(/^\d+:\d+$/);
    fireEvent.click(first.querySelector('button')!);
    const [line, column] = position.split(':').map(Number) as [number, number];
    expect(editor().selectionStart).toBe(offsetOf(text, line, column));
    expect(document.activeElement).toBe(editor());
  });

  it('ignores an answer about text that has changed since', async () => {
    let release: (errors: PlanError[]) => void = () => undefined;
    const checker = vi.fn((yaml: string) =>
      yaml.includes('slow') ? new Promise<PlanError[]>((resolve) => (release = resolve)) : check(yaml),
    );
    renderIn(<Harness initial={`${valid}# slow\n`} checker={checker} />);
    await waitFor(() => expect(checker).toHaveBeenCalledTimes(1));
    fireEvent.change(editor(), { target: { value: valid } });
    await waitFor(() => expect(status().textContent).toBe('✓ The plan is valid.'));
    release([{ path: 'modes', message: 'stale', line: 1, column: 1 }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(status().textContent).toBe('✓ The plan is valid.');
  });

  it('says so when the check itself fails', async () => {
    renderIn(
      <Harness initial={valid} checker={() => Promise.reject(new Error('the connection to BondBench closed'))} />,
    );
    await waitFor(() =>
      expect(status().textContent).toBe('The plan could not be checked: the connection to BondBench closed'),
    );
  });
});

describe('offsetOf', () => {
  it('maps 1-based line:column to a text offset', () => {
    expect(offsetOf('ab\ncd\nef', 1, 1)).toBe(0);
    expect(offsetOf('ab\ncd\nef', 2, 2)).toBe(4);
    expect(offsetOf('ab\ncd\nef', 9, 1)).toBe(8);
  });
});
