/** The doctor panel renders the bench's report (message keys) in the chosen language and asks only the API. */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DoctorPanel } from '../../renderer/src/components/DoctorPanel.js';
import { type DoctorFacts, diagnose } from '../../shared/doctor/doctor.js';
import { mergeInterfaces } from '../../shared/tester/interfaces.js';
import { TESTER_GUID, windowsOs, windowsPcap } from '../fixtures/platform/interfaces.js';
import { renderIn } from './render.js';

const facts: DoctorFacts = {
  platform: 'win32',
  runtime: { runtime: 'electron', version: '41.7.1', modules: '145' },
  agent: { started: true, capVersion: '0.2.1', timestampPrecision: 'micro' },
  npcap: { dir: 'C:\\Windows\\System32\\Npcap', wpcap: true, packet: true, compatWpcap: false },
  interfaces: mergeInterfaces(windowsPcap, windowsOs).map((i) => ({
    ...i,
    capture: i.loopback ? 'untested' : 'failed',
    captureError: 'Error opening adapter: Access is denied. (5)',
  })),
  ssh: { knownHosts: [] },
  pdf: { via: 'printToPDF' },
};

describe('doctor panel', () => {
  it('shows ✓ and ✗ lines with their fixes, friendly names first, and passes the probe target', async () => {
    const asked: string[] = [];
    const client = {
      doctor: async (target: string) => {
        asked.push(target);
        return diagnose(facts);
      },
    };
    renderIn(<DoctorPanel client={client} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: ' 10.77.1.253 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check this machine' }));
    await waitFor(() => expect(screen.getByText('Something failed: see ✗ and its fix.')).toBeTruthy());
    expect(asked).toEqual(['10.77.1.253']);
    const items = screen.getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(items.some((text) => text.startsWith('✓ Npcap found in C:\\Windows\\System32\\Npcap'))).toBe(true);
    expect(items.some((text) => text.includes(`Ethernet 2 (${TESTER_GUID})`) && text.includes('capture ✗'))).toBe(true);
    expect(items.some((text) => text.includes('→ Npcap was installed with "Restrict Npcap driver'))).toBe(true);
  });

  it('speaks Chinese', async () => {
    renderIn(<DoctorPanel client={{ doctor: async () => diagnose({ ...facts, interfaces: [] }) }} />, 'zh-CN');
    fireEvent.click(screen.getByRole('button', { name: '检查本机' }));
    await waitFor(() => expect(screen.getByText(/PDF 报告：使用 Electron 的 printToPDF/)).toBeTruthy());
  });
});
