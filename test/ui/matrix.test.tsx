import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ResultMatrix } from '../../renderer/src/components/ResultMatrix.js';
import { ALL_REPETITIONS, type MatrixRow } from '../../shared/run/model.js';
import { renderIn } from './render.js';

const activeBackup: MatrixRow = {
  mode: 'active-backup',
  repetition: 1,
  notes: ['only the active slave sends'],
  cells: {
    eth1Mac: {
      value: '00:e0:4c:83:07:9c',
      text: '83:07:9c',
      verdict: 'expected',
      reason: 'slaves share the bond MAC',
      evidence: { steps: [1], readings: ['eth1 00:e0:4c:83:07:9c'] },
    },
    eth2Mac: {
      value: '00:e0:4c:83:07:9c',
      text: '83:07:9c',
      verdict: 'expected',
      reason: 'slaves share the bond MAC',
      evidence: { steps: [1] },
    },
    arpAtBoot: {
      value: 0,
      text: '0',
      verdict: 'unexpected',
      reason: 'the write-up saw 2 probes',
      evidence: { pcapng: 'capture/1-active-backup.pcapng', frames: [4, 5, 6, 9] },
    },
    failoverMs: {
      value: 112,
      text: '112 ms',
      verdict: 'not-measurable',
      reason: 'one pull only',
      evidence: { frames: [40, 41] },
    },
  },
};

describe('ResultMatrix', () => {
  it('is shaped like the write-up’s table, with the slaves’ names in the MAC headings', () => {
    renderIn(<ResultMatrix rows={[activeBackup]} modes={['balance-rr', 'active-backup']} slaves={['ens1', 'ens2']} />);
    const headings = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headings).toEqual([
      'mode',
      'ens1 MAC',
      'ens2 MAC',
      'ARP at boot',
      'load balancing',
      'fault tolerance',
      'failover',
      'notes',
    ]);
  });

  it('colours each cell by its verdict and puts reason and evidence on hover', () => {
    renderIn(<ResultMatrix rows={[activeBackup]} modes={['active-backup']} />);
    const row = screen.getByRole('row', { name: /1 active-backup/ });
    const cells = within(row).getAllByRole('cell');
    expect(cells[0]!.className).toBe('cell verdict-expected');
    expect(cells[2]!.className).toContain('verdict-unexpected');
    expect(cells[2]!.title).toContain('unexpected: the write-up saw 2 probes');
    expect(cells[2]!.title).toContain('frames 4, 5, 6, 9 in capture/1-active-backup.pcapng');
    expect(cells[0]!.title).toContain('eth1 00:e0:4c:83:07:9c');
    expect(cells[5]!.className).toContain('verdict-not-measurable');
    // Columns not measured yet stay empty, without a verdict.
    expect(cells[3]!.textContent).toBe('–');
    expect(cells[3]!.dataset.verdict).toBeUndefined();
  });

  it('lists planned modes that have no row yet as pending, in plan order after the measured ones', () => {
    renderIn(<ResultMatrix rows={[activeBackup]} modes={['balance-rr', 'active-backup', 'broadcast']} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-mode'))).toEqual(['active-backup', 'balance-rr', 'broadcast']);
    expect(rows[1]!.className).toBe('pending');
    expect(within(rows[1]!).getByText('not measured yet')).toBeTruthy();
  });

  it('jumps to a cell’s frames: mode, repetition and frame numbers', () => {
    const onJump = vi.fn();
    renderIn(<ResultMatrix rows={[activeBackup]} modes={['active-backup']} onJump={onJump} />);
    fireEvent.click(screen.getByRole('button', { name: 'Show the 4 frames behind 0' }));
    expect(onJump).toHaveBeenCalledWith({ mode: 'active-backup', repetition: 1, frames: [4, 5, 6, 9] });
    // A cell without frames offers no jump.
    expect(screen.getAllByRole('button')).toHaveLength(2);
  });

  it('numbers repetitions when a mode was run more than once', () => {
    renderIn(<ResultMatrix rows={[activeBackup, { ...activeBackup, repetition: 2 }]} modes={['active-backup']} />);
    expect(screen.getByRole('row', { name: /1 active-backup #2/ })).toBeTruthy();
  });

  it('shows the pooled row of a repeated mode as “all”, its distribution in the cell and min–max on hover', () => {
    const text = 'median 101.5 ms, p95 140 ms';
    const pooled: MatrixRow = {
      mode: 'active-backup',
      repetition: ALL_REPETITIONS,
      notes: [],
      cells: {
        failoverMs: {
          value: 101.5,
          text,
          textParts: [{ key: 'failover.repeat.text', vars: { median: 101.5, p95: 140 } }],
          verdict: 'expected',
          reason: '',
          reasonParts: [
            { key: 'failover.repeat.allFit', vars: { total: 10 } },
            { key: 'failover.repeat.spread', vars: { min: 97, max: 140, pulls: 10 } },
          ],
          evidence: { steps: [2, 5] },
        },
      },
    };
    renderIn(
      <ResultMatrix rows={[activeBackup, { ...activeBackup, repetition: 2 }, pooled]} modes={['active-backup']} />,
    );
    const row = screen.getByRole('row', { name: /1 active-backup #all/ });
    const cell = within(row).getByText(text).closest('td')!;
    expect(cell.title).toContain(
      'as expected: each of the 10 pulls fits the driver’s model; min–max 97–140 ms (pulls: 10)',
    );
  });
});
