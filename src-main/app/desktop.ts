// What the API can ask of the desktop shell (src-main/api/backend.ts DesktopServices): laptop
// care's power state, an open dialog for printer.cfg, a save dialog for diagnostics. Electron's
// dialog is passed in so tests hand in a fake.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import type { DesktopServices } from '../api/backend';
import type { LaptopCare } from './laptop-care';
import type { MainStrings } from './strings';

export interface DesktopOptions {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  care: LaptopCare;
  window: () => BrowserWindow | null;
  strings: MainStrings;
  /** Where the save dialog starts (the user's Downloads folder). */
  downloadsDir: string;
}

export function createDesktopServices(o: DesktopOptions): DesktopServices {
  const win = () => o.window() ?? undefined;
  return {
    power: () => o.care.info(),
    onPower: (listener) => o.care.onChange(listener),
    async pickConfigFile() {
      const opts = {
        title: o.strings.pickConfigTitle,
        properties: ['openFile' as const],
        filters: [
          { name: o.strings.configFiles, extensions: ['cfg'] },
          { name: o.strings.allFiles, extensions: ['*'] },
        ],
      };
      const w = win();
      const r = w ? await o.dialog.showOpenDialog(w, opts) : await o.dialog.showOpenDialog(opts);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
    async saveFile(suggestedName, data) {
      const opts = {
        title: o.strings.saveDiagnosticsTitle,
        defaultPath: path.join(o.downloadsDir, suggestedName),
        filters: [{ name: o.strings.archives, extensions: ['tar.gz', 'gz'] }],
      };
      const w = win();
      const r = w ? await o.dialog.showSaveDialog(w, opts) : await o.dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return null;
      await writeFile(r.filePath, data);
      return r.filePath;
    },
    versions: () => ({ electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' }),
  };
}

/**
 * Asks before a quit that would interrupt a print; true means quit. Without a running print
 * it does not ask.
 */
export function confirmQuitWhilePrinting(
  dialog: Pick<Dialog, 'showMessageBoxSync'>,
  window: BrowserWindow | null,
  printerNames: string[],
  strings: MainStrings,
): boolean {
  if (printerNames.length === 0) return true;
  const opts = {
    type: 'warning' as const,
    title: strings.quitTitle,
    message: strings.quitMessage.replace('{printers}', printerNames.join(', ')),
    detail: strings.quitDetail,
    buttons: [strings.keepPrinting, strings.quitAnyway],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
  const choice = window ? dialog.showMessageBoxSync(window, opts) : dialog.showMessageBoxSync(opts);
  return choice === 1;
}
