/** One contract, two transports: the renderer asks for a Connection and cannot tell which one it got. */
import type { Connection } from './bridge.js';
import { electronBridge } from './electron.js';
import { apiUrl, connectWebSocket } from './ws.js';

/** Saves through the browser's download (browser mode has no file dialog of its own). */
function download(fileName: string, mime: string, base64: string): Promise<string> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return Promise.resolve(fileName);
}

export async function connect(): Promise<Connection> {
  if (window.bondbench) {
    const bridge = electronBridge(window.bondbench);
    return {
      client: bridge,
      kind: 'electron',
      saveFile: (fileName, _mime, base64) => bridge.saveFile(fileName, base64),
      // The shell and its page live and die together.
      onClose: () => () => undefined,
      planKeeper: { keep: (yaml) => bridge.keepPlan(yaml), kept: () => bridge.keptPlan() },
    };
  }
  const client = await connectWebSocket(apiUrl(window.location));
  return { client, kind: 'browser', saveFile: download, onClose: (listener) => client.onClose(listener) };
}
