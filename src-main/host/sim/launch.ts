// Runs a printer.cfg as a simulated printer: writes the sim's machine file generated from the
// config and starts firmware/build/sim/tether-sim on a pty whose link path is the config's
// [mcu] serial, so the host connects to it exactly as to a real board.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '../config/reader';
import { PrinterConfig } from '../config/section';
import { chipNameOf } from '../objects/mcu-names';
import { machineFromConfig, type SimMachineOverrides } from './machine';

export interface SimPrinterOptions {
  configPath: string;
  /** Machine file, trace and pty link go here when the config names no serial. */
  dataDir: string;
  overrides?: SimMachineOverrides;
  /** The tether-sim binary; default: firmware/build/sim/tether-sim of this checkout or $TETHER_SIM. */
  simBinary?: string;
  /** Extra sim arguments (--late-limit-ms, --drop-rate ...). */
  extraArgs?: string[];
  /**
   * The MCU section this sim plays: 'mcu' (default) or 'mcu toolboard'. Each MCU of a printer is
   * its own sim process on its own pty, with the part of the machine whose pins are on it.
   */
  mcuSection?: string;
}

export interface SimPrinter {
  /** The pty link the host opens ([mcu] serial). */
  ptyPath: string;
  machinePath: string;
  tracePath: string;
  /** Where this sim publishes its stepper positions for the other MCUs' sims (`--positions`). */
  positionsPath: string;
  pid: number;
  /** SIGTERM and wait: the sim flushes its trace and removes the link. */
  stop(): Promise<void>;
  /** Resolves with the exit code when the sim exits. */
  exited: Promise<number | null>;
}

export function defaultSimBinary(): string {
  if (process.env.TETHER_SIM) return process.env.TETHER_SIM;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..', '..']) {
    const p = path.resolve(here, up, 'firmware/build/sim/tether-sim');
    if (existsSync(p)) return p;
  }
  return path.resolve(here, '../../../firmware/build/sim/tether-sim');
}

/** The sims' files in dataDir: the main MCU keeps the plain names, others get `-<chip>`. */
const simFile = (dataDir: string, base: string, chip: string, ext: string) =>
  path.join(dataDir, `${base}${chip === 'mcu' ? '' : `-${chip}`}${ext}`);

/**
 * Starts the sim for a printer.cfg; resolves once its pty link exists. With several MCUs, an
 * endstop whose stepper runs on another MCU's sim follows that sim's positions file in dataDir:
 * start order does not matter (the switch reads open until the other sim has published).
 */
export async function startSimPrinter(o: SimPrinterOptions): Promise<SimPrinter> {
  const config = new PrinterConfig(readConfigFile(o.configPath));
  const section = o.mcuSection ?? 'mcu';
  const chip = chipNameOf(section);
  if (!config.has(section)) throw new Error(`${o.configPath} has no [${section}] section to simulate`);
  const dataDir = path.resolve(o.dataDir);
  const positionsOf = (c: string) => simFile(dataDir, 'sim-positions', c, '.bin');
  const machine = machineFromConfig(config, o.overrides, chip, positionsOf);
  mkdirSync(dataDir, { recursive: true });
  const machinePath = simFile(dataDir, 'sim-machine', chip, '.json');
  const tracePath = simFile(dataDir, 'sim-trace', chip, '.jsonl');
  const positionsPath = positionsOf(chip);
  writeFileSync(machinePath, JSON.stringify(machine, null, 2));
  const serial = config.getOrNull(section)?.getString('serial', '') ?? '';
  const ptyPath = serial || simFile(dataDir, 'tether-sim-pty', chip, '');
  mkdirSync(path.dirname(ptyPath), { recursive: true });
  const binary = o.simBinary ?? defaultSimBinary();
  if (!existsSync(binary)) throw new Error(`The printer simulator ${binary} is missing: build it with 'make -C firmware native'`);
  const proc = spawn(
    binary,
    ['--pty', ptyPath, '--machine', machinePath, '--trace', tracePath, '--positions', positionsPath, ...(o.extraArgs ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.on('error', () => resolve(null));
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`The printer simulator did not start within 10 s: ${stderr}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += String(d);
      if (/pty: \S+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start the printer simulator ${binary}: ${e.message}`));
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The printer simulator exited (${code}) before it was ready: ${stderr.trim()}`));
    });
  });
  return {
    ptyPath,
    machinePath,
    tracePath,
    positionsPath,
    pid: proc.pid!,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** The MCU sections of a printer.cfg, the main [mcu] first. */
export function mcuSectionsOf(configPath: string): string[] {
  const config = new PrinterConfig(readConfigFile(configPath));
  const names = config
    .sections()
    .map((s) => s.name)
    .filter((n) => n === 'mcu' || /^mcu \S+$/.test(n));
  return names.sort((a, b) => Number(b === 'mcu') - Number(a === 'mcu'));
}

/**
 * One sim process per MCU of the config ([mcu] and every [mcu NAME]), each on its own pty (the
 * section's serial). Resolves to them by section name once all are up; if one fails to start,
 * the others are stopped.
 */
export async function startSimPrinters(o: Omit<SimPrinterOptions, 'mcuSection'>): Promise<Map<string, SimPrinter>> {
  const sims = new Map<string, SimPrinter>();
  try {
    for (const section of mcuSectionsOf(o.configPath)) sims.set(section, await startSimPrinter({ ...o, mcuSection: section }));
  } catch (e) {
    await Promise.all([...sims.values()].map((s) => s.stop()));
    throw e;
  }
  return sims;
}
