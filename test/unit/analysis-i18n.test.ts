/**
 * The matrix said again in the UI's language (renderer/src/cells.ts) must say what the oracle says: in English it
 * gives the oracle's own text for every cell and mode summary of the recorded fixtures, so a change to the oracle's
 * wording that the catalogue does not follow fails here; in Chinese those cells and summaries hold no English.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import { cellText, rowNotes } from '../../renderer/src/cells.js';
import { parseProcBonding } from '../../shared/bonding/procfs.js';
import { i18nextResources } from '../../shared/i18n/catalogue.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { judgeLacp } from '../../shared/oracle/lacp.js';
import { expectationFor, judgeMode, judgeRun } from '../../shared/oracle/oracle.js';
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

  it('in Chinese, says every note — mode summary, LACP’s reason, MAC moves, a failed bring-up — in Chinese', async () => {
    const t = translator('zh-CN');
    const en = translator('en');
    const lacpFile = (name: string) =>
      judgeLacp(
        parseProcBonding(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'lacp', name), 'utf8'), name),
      );
    const seen = new Set<string>();
    for (const lacp of [lacpFile('plain-no-partner.txt'), lacpFile('partner-negotiated-fast.txt')]) {
      for (const name of fixtureNames()) {
        const run = await loadFixture(name);
        // The 802.3ad readings as a run records them now: the judge's reason with its message parts.
        const steps = run.steps.map((step) =>
          step.reading?.lacp
            ? {
                ...step,
                reading: {
                  ...step.reading,
                  lacp: {
                    ...step.reading.lacp,
                    negotiated: lacp.negotiated,
                    outcome: lacp.outcome,
                    reason: lacp.reason,
                    reasonParts: lacp.reasonParts,
                  },
                },
              }
            : step,
        );
        const rows = [...judgeRun(run.plan, steps), judgeMode(run.plan, 'balance-rr', 99, [])];
        for (const row of rows) {
          for (const part of (row.noteParts ?? []).flat()) if (part) seen.add(part.key);
          // A cell that names the LACP problem says it in Chinese too.
          for (const cell of Object.values(row.cells)) {
            if (!JSON.stringify(cell.reasonParts ?? []).includes('lacpJudge.')) continue;
            seen.add('cell');
            const said = sayReason('zh-CN', cell.reasonParts!);
            expect(said).not.toContain(lacp.reason);
            expect(said).toContain(sayReason('zh-CN', lacp.reasonParts));
          }
          // In English the parts say what the oracle wrote.
          expect(rowNotes(row, {}, en)).toEqual(row.notes);
          for (const note of rowNotes(row, {}, t)) {
            const left = note.replace(
              /eth\d+|[0-9a-f]{2}(:[0-9a-f]{2}){2,5}|LACPDU|LACP|lacp_active|num_grat_arp|xmit_hash_policy|layer\d(\+\d)?|MAC|ARP|bond|slave|key|Duplex|Unknown|in-sync|collecting|distributing|up|down|off/g,
              '',
            );
            expect(left, note).not.toMatch(/[a-z]{3,}/i);
          }
        }
      }
    }
    for (const key of ['oracle.note.notRun', 'oracle.note.lacp', 'lacpJudge.noPartnerEach', 'cell'])
      expect(seen).toContain(key);
    expect([...seen].some((key) => key === 'oracle.note.macMoved' || key === 'oracle.note.macKept')).toBe(true);
  });
});
