/** IPC channel names, shared by the shell's main process and its preload. */
import type { ApiMethod } from '../../shared/api.js';

export const EVENT_CHANNEL = 'bench:event';
export const apiChannel = (method: ApiMethod): string => `bench:${method}`;

export const SHELL_CHANNELS = {
  saveFile: 'shell:saveFile',
  keepPlan: 'shell:keepPlan',
  keptPlan: 'shell:keptPlan',
} as const;
