// What the desktop app and `tether serve` both run behind their carriers: the printer fleet,
// ports/boards/flash services and the API backend, plus the default simulated printer for a
// user with no printer yet. One code path for both, so serve mode tests the app's wiring.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppInfo } from '../api/contract';
import { createApiBackend, type DesktopServices } from '../api/backend';
import { HardwareServices } from '../api/hardware';
import type { ApiBackend } from '../api/dispatch';
import { readConfigFile } from '../host/config/reader';
import { PrinterConfig } from '../host/config/section';
import { startSimPrinters, type SimPrinter } from '../host/sim/launch';
import { PrinterFleet } from '../host/worker/fleet';
import { hostWorkerEntry } from '../host/worker/host-thread';

export const SIM_PRINTER_ID = 'simulated-printer';
export const SIM_PRINTER_NAME = 'Simulated printer';

export interface AppServicesOptions {
  dataDir: string;
  /** The running entry's import.meta.url, to find the host worker beside it. */
  entryUrl: string;
  appInfo: AppInfo;
  /** printer.cfg for the first printer (serve --config). */
  configPath?: string | null;
  /** With no printer remembered and no configPath: create "Simulated printer" (the app and `tether serve` do). */
  simulatedPrinter?: boolean;
  /** The app's resources/ folder (packaged: process.resourcesPath/resources). */
  resourcesDir?: string;
  /** firmware/build (packaged: process.resourcesPath/firmware). */
  firmwareDir?: string;
  /** The sim executable; default: the launcher's (checkout build or $TETHER_SIM). */
  simBinary?: string;
  log: (message: string) => void;
  /** The desktop shell's power state and dialogs (absent in serve mode). */
  desktop?: DesktopServices;
}

export interface AppServices {
  fleet: PrinterFleet;
  backend: ApiBackend & { close(): void };
  hardware: HardwareServices;
  /** Creates the first printer if needed, starts the sim for it, then every host. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The checkout (or unpacked app) root: src-main/app/ from source, out/main/ when built. */
const checkoutRoot =
  ['../..', '..', '../../..']
    .map((up) => path.resolve(path.dirname(fileURLToPath(import.meta.url)), up))
    .find((dir) => existsSync(path.join(dir, 'resources/boards/catalog.json'))) ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function createAppServices(o: AppServicesOptions): AppServices {
  const resourcesDir = o.resourcesDir ?? path.join(checkoutRoot, 'resources');
  const firmwareDir = o.firmwareDir ?? path.join(checkoutRoot, 'firmware/build');
  const fleet = new PrinterFleet({ dataDir: o.dataDir, workerEntry: hostWorkerEntry(o.entryUrl), defaultConfigPath: o.configPath ?? null });
  const hardware = new HardwareServices({
    catalogPath: path.join(resourcesDir, 'boards/catalog.json'),
    firmwareBuildDir: firmwareDir,
    // Builds from the flash wizard are kept with the user's data, so they survive a restart.
    buildOutputDir: path.join(o.dataDir, 'firmware-builds'),
    printerPorts: () =>
      fleet
        .list()
        .flatMap((p) => (p.configPath ? [{ name: p.name, identity: { path: serialOf(p.configPath) } }] : []))
        .filter((p) => p.identity.path),
  });
  const backend = createApiBackend({ fleet, appInfo: o.appInfo, hardware, desktop: o.desktop });
  // One sim process per MCU of the simulated printer ([mcu] and every [mcu NAME]).
  let sims = new Map<string, SimPrinter>();

  return {
    fleet,
    backend,
    hardware,
    async start() {
      const simConfig = simConfigPath(o.dataDir);
      if (o.simulatedPrinter && !o.configPath && !existsSync(fleet.printersFile))
        createSimPrinter(o.dataDir, path.join(resourcesDir, 'printers/tether-sim.cfg'), fleet.printersFile);
      if (remembersConfig(fleet.printersFile, simConfig)) {
        try {
          sims = await startSimPrinters({ configPath: simConfig, dataDir: path.dirname(simConfig), simBinary: o.simBinary });
          for (const [section, sim] of sims) {
            const which = section === 'mcu' ? 'Simulated printer' : `Simulated printer [${section}]`;
            o.log(`${which} running on ${sim.ptyPath}`);
            sim.exited.then(
              (code) => o.log(`${which} exited (${code}); restart Tether to start it again.`),
              () => undefined,
            );
          }
        } catch (e) {
          // The host still starts and shows why it cannot connect; this says how to fix it.
          o.log(`Cannot start the simulated printer: ${e instanceof Error ? e.message : e}. Build it with 'npm run build:firmware'.`);
        }
      }
      await fleet.start();
    },
    async stop() {
      backend.close();
      hardware.close();
      await fleet.stopAll();
      await Promise.all([...sims.values()].map((sim) => sim.stop()));
    },
  };
}

/** Where the simulated printer's editable printer.cfg lives; its pty sits beside it. */
export function simConfigPath(dataDir: string): string {
  return path.join(dataDir, 'sim', 'printer.cfg');
}

/**
 * First start with nothing configured: a "Simulated printer" from the packaged sim config,
 * copied so the user can edit it, its [mcu] serial moved into the data folder (two Tethers
 * with different data folders then never share a pty).
 */
function createSimPrinter(dataDir: string, templatePath: string, printersFile: string): void {
  const target = simConfigPath(dataDir);
  mkdirSync(path.dirname(target), { recursive: true });
  if (!existsSync(target)) {
    const template = readFileSync(templatePath, 'utf8');
    const pty = path.join(path.dirname(target), 'ttyTether');
    writeFileSync(target, template.replace(/^(serial\s*[:=]\s*).*$/m, `$1${pty}`));
  }
  // TODO(fleet): PrinterFleet names its first printer "Printer 1"; a `firstPrinter` option there
  // would replace writing its printers.json (version 1 format) here.
  mkdirSync(path.dirname(printersFile), { recursive: true });
  writeFileSync(
    printersFile,
    `${JSON.stringify({ version: 1, printers: [{ id: SIM_PRINTER_ID, name: SIM_PRINTER_NAME, configPath: target }] }, null, 2)}\n`,
  );
}

function remembersConfig(printersFile: string, configPath: string): boolean {
  if (!existsSync(printersFile) || !existsSync(configPath)) return false;
  try {
    const data = JSON.parse(readFileSync(printersFile, 'utf8')) as { printers?: { configPath?: unknown }[] };
    return (data.printers ?? []).some((p) => p.configPath === configPath);
  } catch {
    return false; // the fleet reports a broken printers.json with a fix
  }
}

/** The [mcu] serial of a printer.cfg, or '' when it cannot be read (the host reports why). */
function serialOf(configPath: string): string {
  try {
    return new PrinterConfig(readConfigFile(configPath)).getOrNull('mcu')?.getString('serial', '') ?? '';
  } catch {
    return '';
  }
}
