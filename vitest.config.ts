import { defineConfig } from 'vitest/config';

// Pure/unit tests that need nothing, lab tests sharing one virtual lab brought up per run, Chromium tests that need
// no lab, and UI component tests.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          // A guard against hangs, not a speed target: report and tshark tests take seconds on a loaded 2-core CI.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
          // One guest, one bond: lab test files take turns.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 300_000,
        },
      },
      {
        // Real Chromium on files and pages that need no lab: reports, PDF.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        // React components in jsdom: the matrix, the capture list, the plan editor, the language switch.
        test: {
          name: 'ui',
          include: ['test/ui/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['test/ui/setup.ts'],
        },
      },
    ],
  },
});
