/**
 * PDF through Electron's own Chromium (webContents.printToPDF), so the desktop app needs no Chromium of its own.
 * The report's HTML is loaded from a temp file into a hidden, sandboxed window with JavaScript off, in a session of
 * its own that refuses every request but that file; the page sets its paper (A4) and margins in CSS.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session } from 'electron';
import type { PdfPrinter } from '../report/pdf.js';

export class ElectronPdfPrinter implements PdfPrinter {
  async print(html: string): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'bondbench-pdf-'));
    const file = join(dir, 'report.html');
    const url = pathToFileURL(file).href;
    await writeFile(file, html);
    const printSession = session.fromPartition('bondbench-pdf');
    printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== url }));
    const window = new BrowserWindow({
      show: false,
      webPreferences: { session: printSession, sandbox: true, javascript: false, contextIsolation: true },
    });
    try {
      await window.loadURL(url);
      return await window.webContents.printToPDF({ printBackground: true, preferCSSPageSize: true });
    } finally {
      window.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
