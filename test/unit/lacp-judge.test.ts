/**
 * The 802.3ad negotiation judge on recorded /proc/net/bonding files: the lab with its LACP partner (negotiated,
 * a pull, a key mismatch on either side), the plain lab (no partner, active and passive), and other kernels
 * (test/fixtures/lacp/SOURCES.md, test/fixtures/procfs/SOURCES.md). Cases no lab can produce are edits of a
 * recorded file, each named below.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcBonding } from '../../shared/bonding/procfs.js';
import { LAB_PARTNER } from '../../shared/lab/topology.js';
import { sayReason } from '../../shared/oracle/failover.js';
import { judgeLacp, type LacpJudgement } from '../../shared/oracle/lacp.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const text = (path: string) => readFileSync(join(fixtures, path), 'utf8');
/** Every judgement the cases below make, for the Chinese check at the end. */
const judged: LacpJudgement[] = [];
const judgeText = (body: string, name = 'fixture') => {
  const judgement = judgeLacp(parseProcBonding(body, name));
  judged.push(judgement);
  return judgement;
};
const judge = (path: string) => judgeText(text(path), path);

/** Replaces the n-th (0-based) line matching `pattern` in a recorded file: for the edited cases. */
function editLine(body: string, pattern: RegExp, n: number, replacement: string): string {
  let seen = -1;
  const lines = body.split('\n').map((line) => (pattern.test(line) && ++seen === n ? replacement : line));
  if (seen < n) throw new Error(`no line ${n} matching ${pattern}`);
  return lines.join('\n');
}

describe('with the lab’s LACP partner', () => {
  it('negotiated: one aggregator, both slaves, partner MAC and key, collecting and distributing', () => {
    const verdict = judge('lacp/partner-negotiated-fast.txt');
    expect(verdict).toMatchObject({ negotiated: true, outcome: 'negotiated' });
    expect(verdict.reason).toBe(
      `eth1 and eth2 in aggregator 1 with partner ${LAB_PARTNER.systemMac} key 9, collecting and distributing`,
    );
    expect(verdict.evidence).toMatchObject({
      lacpRate: 'fast',
      lacpActive: true,
      aggregatorIds: [1],
      activeAggregator: { aggregatorId: 1, ports: 2, actorKey: 9, partnerKey: 9, partnerMac: LAB_PARTNER.systemMac },
    });
    for (const slave of verdict.evidence.slaves) {
      expect(slave).toMatchObject({ miiStatus: 'up', speedMbps: 1000, duplex: 'full', actorKey: 9, partnerKey: 9 });
      expect(slave.actorState).toMatchObject({
        lacpActivity: true,
        lacpTimeout: 'short',
        collecting: true,
        distributing: true,
      });
      expect(slave.partnerState).toMatchObject({ lacpTimeout: 'short', synchronization: true, defaulted: false });
    }
  });

  it('negotiated with lacp_rate slow too: the rate is evidence, not a condition', () => {
    const verdict = judge('lacp/partner-negotiated-slow.txt');
    expect(verdict.outcome).toBe('negotiated');
    expect(verdict.evidence.lacpRate).toBe('slow');
    expect(verdict.evidence.slaves[0]!.actorState?.lacpTimeout).toBe('long');
  });

  it('eth1 pulled: the aggregate shrinks to eth2; not the full negotiation', () => {
    const verdict = judge('lacp/partner-eth1-pulled.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'shrunk' });
    expect(verdict.reason).toBe(
      `the aggregate shrank to 1 of 2 slaves: eth1 is down; eth2 in aggregator 1 (partner ${LAB_PARTNER.systemMac} key 9)`,
    );
    expect(verdict.evidence.activeAggregator?.ports).toBe(1);
  });

  it('partner key mismatch (the partner’s eth2 at 100 Mbps): names the partner’s differing keys', () => {
    const verdict = judge('lacp/partner-key-mismatch.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'key-mismatch' });
    expect(verdict.reason).toMatch(/^the partner's keys differ \(eth1 9, eth2 7; eth1 in 1, eth2 in 2\)/);
    expect(verdict.evidence.aggregatorIds).toEqual([1, 2]);
  });

  it('actor key mismatch (the host’s eth2 at 100 Mbps): names speed or duplex', () => {
    const verdict = judge('lacp/actor-key-mismatch.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'key-mismatch' });
    expect(verdict.reason).toMatch(/^actor keys differ \(eth1 9, eth2 7; .*\): the slaves differ in speed or duplex/);
  });
});

describe('without a partner', () => {
  it('the plain lab: each slave its own aggregator, and virtio without duplex sends no LACPDU at all', () => {
    const verdict = judge('lacp/plain-no-partner.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'no-partner' });
    expect(verdict.reason).toBe(
      'no LACP partner: each slave is its own aggregator (partner MAC 00:00:00:00:00:00, eth1 in 1, eth2 in 2); ' +
        'eth1 and eth2 report no full duplex (Duplex: Unknown), and the driver runs LACP only on full-duplex ports',
    );
  });

  it('the same in the procfs parser’s recording of the plain lab', () => {
    expect(judge('procfs/linux-6.1-802.3ad.txt').outcome).toBe('no-partner');
  });

  it('the plain lab with lacp_active off: both passive (or no partner)', () => {
    const verdict = judge('lacp/plain-passive-no-partner.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'both-passive' });
    expect(verdict.reason).toMatch(/^no LACPDU from a partner while the bond itself is passive \(lacp_active off\)/);
  });

  it('read without CAP_NET_ADMIN: the separate aggregator IDs still say no partner', () => {
    const verdict = judge('procfs/linux-6.1-802.3ad-unprivileged.txt');
    expect(verdict).toMatchObject({ negotiated: false, outcome: 'no-partner' });
    expect(verdict.reason).toContain('read /proc/net/bonding as root');
  });
});

describe('other kernels', () => {
  it('Ubuntu 5.15 with a real switch: negotiated', () => {
    const verdict = judge('procfs/linux-5.15-802.3ad-partner.txt');
    expect(verdict).toMatchObject({ negotiated: true, outcome: 'negotiated' });
    expect(verdict.reason).toContain('c2:d6:82:fb:f0:12 key 37');
  });

  it('bonding 3.5.0 with no active aggregator: unknown, not a guess', () => {
    expect(judge('procfs/driver-3.5.0-2008-802.3ad-no-active-aggregator.txt').outcome).toBe('unknown');
  });

  it('a bond in another mode is not judged as 802.3ad', () => {
    expect(judge('procfs/linux-6.1-balance-rr.txt')).toMatchObject({ negotiated: false, outcome: 'not-802.3ad' });
  });
});

describe('cases edited from the negotiated recording', () => {
  const negotiated = text('lacp/partner-negotiated-fast.txt');
  // The partner's system MAC appears per slave: 0 = eth1's partner details, 1 = eth2's. The port states in order:
  // eth1 actor, eth1 partner, eth2 actor, eth2 partner.
  const partnerMacLine = (n: number, mac: string) =>
    editLine(negotiated, /system mac address: 02:/, n, `    system mac address: ${mac}`);

  it('hidden details but one shared aggregator: aggregated, unverified', () => {
    const hidden = negotiated
      .split('\n')
      .filter((line) => !/^\s{4}|^details|^System |^Active Aggregator|^\t/.test(line))
      .join('\n');
    expect(judgeText(hidden)).toMatchObject({ negotiated: true, outcome: 'aggregated-unverified' });
  });

  it('eth2 reaches another switch: partner mismatch', () => {
    const verdict = judgeText(partnerMacLine(1, '02:00:5e:10:00:99'));
    expect(verdict.outcome).toBe('partner-mismatch');
    expect(verdict.reason).toContain('eth2 02:00:5e:10:00:99');
  });

  it('eth2 hears no partner while eth1 does: partial', () => {
    const verdict = judgeText(partnerMacLine(1, '00:00:00:00:00:00'));
    expect(verdict.outcome).toBe('partial-partner');
    expect(verdict.reason).toMatch(/^eth2 hears no LACP partner while eth1 \(02:00:5e:10:00:01\) does/);
  });

  it('the partner marks eth2 individual (state 59: aggregation bit off)', () => {
    const verdict = judgeText(editLine(negotiated, /port state: 63/, 3, '    port state: 59'));
    expect(verdict).toMatchObject({ outcome: 'individual', negotiated: false });
  });

  it('eth1 not yet distributing (actor state 31): not in sync', () => {
    const verdict = judgeText(editLine(negotiated, /port state: 63/, 0, '    port state: 31'));
    expect(verdict.outcome).toBe('not-in-sync');
    expect(verdict.reason).toMatch(/^eth1 \(actor active,short-timeout,aggregatable,in-sync,collecting; partner/);
  });

  it('no slave up', () => {
    const down = negotiated.replaceAll(/^MII Status: up$/gm, 'MII Status: down');
    expect(judgeText(down)).toMatchObject({ outcome: 'slaves-down', negotiated: false });
  });
});

describe('in the reader’s language', () => {
  it('says every reason above in message parts: the same English, and Chinese with only the field’s terms', () => {
    const outcomes = new Set(judged.map((j) => j.outcome));
    expect(outcomes.size).toBeGreaterThanOrEqual(10);
    for (const judgement of judged) {
      expect(sayReason('en', judgement.reasonParts)).toBe(judgement.reason);
      const zh = sayReason('zh-CN', judgement.reasonParts);
      expect(zh, judgement.reason).toMatch(/[\u4e00-\u9fff]/);
      // Interface names, MACs, keys, the protocol's and procfs's own names and the 802.1AX state bits stay as
      // the kernel prints them; no English word of ours may.
      const names = judgement.evidence.slaves.map((slave) => slave.name);
      const left = names
        .reduce((text, name) => text.replaceAll(name, ''), zh)
        .replace(
          /eth\d+|[0-9a-f]{2}(:[0-9a-f]{2}){5}|LACPDU|LACP|lacp_active|802\.3ad|balance-\w+|active-backup|\/proc\/net\/bonding|root|N\/A|Duplex|Unknown|Half|Aggregation|bond|slave|key|in-sync|collecting|distributing|active|short-timeout|aggregatable|defaulted|expired|none|off|down|up|MAC/g,
          '',
        );
      expect(left, zh).not.toMatch(/[a-z]{3,}/i);
    }
  });
});
