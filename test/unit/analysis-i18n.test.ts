/**
 * The matrix said again in the UI's language (renderer/src/cells.ts) must say what the oracle says: in English it
 * gives the oracle's own text for every cell and mode summary of the recorded fixtures, so a change to the oracle's
 * wording that the catalogue does not follow fails here; in Chinese those cells and summaries hold no English.
 */
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import { cellText, rowNotes } from '../../renderer/src/cells.js';
import { i18nextResources } from '../../shared/i18n/catalogue.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { expectationFor, judgeRun } from '../../shared/oracle/oracle.js';
import { MODE_NAMES } from '../../shared/plan/plan.js';
import { MATRIX_COLUMNS } from '../../shared/run/model.js';
import { fixtureNames, loadFixture } from './report-fixtures.js';

function translator(lng: 'en' | 'zh-CN') {
  const i18n = createInstance();
  void i18n.init({
    lng,
    resources: i18nextResources(),
    nsSeparator: false,
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  return i18n.t.bind(i18n);
}

describe('the matrix in the UI’s language', () => {
  it('in English, says exactly what the oracle wrote', async () => {
    const t = translator('en');
    for (const name of fixtureNames()) {
      const run = await loadFixture(name);
      const options = {
        num_grat_arp: run.plan.bond.options.num_grat_arp?.toString(),
        xmit_hash_policy: run.plan.bond.options.xmit_hash_policy,
      };
      for (const row of judgeRun(run.plan, run.steps)) {
        expect(rowNotes(row, options, t)).toEqual(row.notes);
        for (const column of MATRIX_COLUMNS) {
          const cell = row.cells[column];
          if (cell) expect(cellText(column, cell, run.steps, t), `${row.mode} ${column}`).toBe(cell.text);
        }
      }
    }
  });

  it('has every mode’s summary as the oracle words it, options filled in', () => {
    const t = translator('en');
    for (const mode of MODE_NAMES) {
      const options = { num_grat_arp: 3, xmit_hash_policy: 'layer3+4' as const };
      const row = { mode, repetition: 1, cells: {}, notes: [expectationFor(mode, options).summary] };
      expect(rowNotes(row, { num_grat_arp: '3', xmit_hash_policy: 'layer3+4' }, t)).toEqual(row.notes);
    }
  });

  it('in Chinese, leaves no English word in those cells and summaries', async () => {
    const t = translator('zh-CN');
    const run = await loadFixture(fixtureNames()[0]!);
    for (const row of judgeRun(run.plan, run.steps)) {
      const [summary] = rowNotes(row, {}, t);
      // Option names (num_grat_arp, xmit_hash_policy), their values and MAC/LACP/ARP are the field's own terms.
      expect(summary!.replace(/num_grat_arp|xmit_hash_policy|layer2|MAC|LACP|ARP/g, '')).not.toMatch(/[a-z]{3,}/i);
      for (const column of ['arpAtBoot', 'faultTolerance'] as const) {
        const cell = row.cells[column];
        if (cell) expect(cellText(column, cell, run.steps, t).replace(/ARP/g, '')).not.toMatch(/[a-z]{2,}/i);
      }
      // Every reason is said in message parts; in Chinese only the field's terms and mode names stay Latin (the
      // failover columns' reasons name kernel functions too: their own tests are #12's).
      for (const column of MATRIX_COLUMNS) {
        const cell = row.cells[column];
        if (!cell) continue;
        expect(cell.reasonParts, `${row.mode} ${column}`).toBeDefined();
        if (column === 'faultTolerance' || column === 'failoverMs') continue;
        // The LACP judge's own reason (shared/oracle/lacp.ts) is still English text: not checked here.
        const parts = cell.reasonParts!.map((p) =>
          p.key === 'oracle.spreadNoAggregate' ? { ...p, vars: { issue: '' } } : p,
        );
        const said = sayReason('zh-CN', parts);
        expect(
          said.replace(
            /[\w.-]*(balance|broadcast|active|802|standalone)[\w.-]*|bond|MAC|ARP|LACP|miimon|downdelay|updelay|eth\d|ms\b/g,
            '',
          ),
          said,
        ).not.toMatch(/[a-z]{4,}/i);
      }
    }
  });
});
