// Electron main entry: one window, one fleet of printer hosts (each in its own worker thread),
// the API wired to IPC. No printer logic here.
import { app, type BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, powerMonitor, powerSaveBlocker } from 'electron';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAppPage, wireIpc } from './ipc';
import { confirmQuitWhilePrinting, createDesktopServices } from './desktop';
import { LaptopCare, printingPrinters } from './laptop-care';
import { createAppServices, type AppServices } from './services';
import { mainStringsFor } from './strings';
import { APP_VERSION } from './version';
import { applySessionPolicy, createMainWindow } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, '../preload/preload.cjs');
const indexHtmlPath = path.join(here, '../renderer/index.html');

// One instance: a second would fight the first over the same serial ports.
if (!app.requestSingleInstanceLock()) app.quit();

const dataDir = app.getPath('userData');
const appLogPath = path.join(dataDir, 'logs', 'app.log');
function log(message: string): void {
  try {
    mkdirSync(path.dirname(appLogPath), { recursive: true });
    appendFileSync(appLogPath, `${new Date().toISOString()} ${message}\n`);
  } catch {
    // Logging must never take the app down.
  }
  console.error(message);
}

// Every web contents, not only ours, gets the same lockdown (defence in depth).
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

let mainWindow: BrowserWindow | null = null;
const appUrl = pathToFileURL(indexHtmlPath).href;
const isTrustedSender = (event: IpcMainInvokeEvent): boolean =>
  event.sender === mainWindow?.webContents && isAppPage(event.senderFrame?.url, appUrl);

async function start(): Promise<void> {
  await app.whenReady();
  applySessionPolicy();
  // Packaged: resources/ and firmware builds are extra resources beside the app (electron-builder.yml).
  const packaged = app.isPackaged
    ? {
        resourcesDir: path.join(process.resourcesPath, 'resources'),
        firmwareDir: path.join(process.resourcesPath, 'firmware'),
        simBinary: path.join(process.resourcesPath, 'firmware', 'sim', process.platform === 'win32' ? 'tether-sim.exe' : 'tether-sim'),
      }
    : {};
  const strings = mainStringsFor(app.getLocale());
  // Laptop care: awake while printing, battery state for the UI, and the quit warning below.
  let services: AppServices | null = null;
  const care = new LaptopCare({
    powerSaveBlocker,
    powerMonitor,
    printing: () => (services ? printingPrinters(services.fleet) : Promise.resolve([])),
    log,
  });
  const desktop = createDesktopServices({ dialog, care, window: () => mainWindow, strings, downloadsDir: app.getPath('downloads') });
  services = createAppServices({
    dataDir,
    entryUrl: import.meta.url,
    appInfo: { appVersion: APP_VERSION, mode: 'electron', platform: process.platform, dataDir },
    log,
    // With no printer yet, the first start creates the simulated printer (TETHER_SIM_PRINTER=0: don't).
    simulatedPrinter: process.env.TETHER_SIM_PRINTER !== '0',
    ...packaged,
    desktop,
  });
  const { backend } = services;
  care.start();
  wireIpc({ ipcMain, backend, isTrustedSender, targets: () => (mainWindow ? [mainWindow.webContents] : []), log });
  const openWindow = (): void => {
    mainWindow = createMainWindow({ preloadPath, indexHtmlPath, log });
    mainWindow.on('closed', () => (mainWindow = null));
  };
  openWindow();
  app.on('second-instance', () => mainWindow?.focus());
  app.on('activate', () => {
    if (!mainWindow) openWindow();
  });
  // Hosts start after the window, so the UI shows 'starting' instead of a blank wait.
  services.start().catch((e: unknown) => log(`could not start printers: ${e instanceof Error ? e.message : e}`));

  let quitting = false;
  const running = services;
  app.on('before-quit', (event) => {
    if (quitting) return;
    // The last printing check (at most a few seconds old): asking the hosts now would need an await.
    const printing = care.info().printing;
    const names = running.fleet.list().filter((p) => printing.includes(p.id)).map((p) => p.name);
    if (!confirmQuitWhilePrinting(dialog, mainWindow, names, strings)) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    quitting = true;
    care.stop();
    void running.stop().finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

start().catch((e: unknown) => {
  log(`Tether failed to start: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  app.exit(1);
});
