// A live printer with two MCUs for tests: the main [mcu] and an [mcu toolboard], each its own
// sim process on its own pty (the machine split by the pins' chips), and the host connected to
// both. Everything goes under test-output/live/<name>-<pid>-<n>/.
import path from 'node:path';
import { Host } from '../../../src-main/host/host';
import { mcuSectionsOf, startSimPrinter, type SimPrinter } from '../../../src-main/host/sim/launch';
import type { SimMachineOverrides } from '../../../src-main/host/sim/machine';
import { runCollectingResponses } from '../../support/gcode-run';
import { readTraceEvents, writeTestConfig } from './live-printer';

/**
 * The default sim printer with the extruder (stepper, heater, thermistor) and the Z endstop on
 * [mcu toolboard]; X, Y, Z steppers, the bed and the fans stay on [mcu].
 */
export function toolboardConfig(dir: string, cfg: string): string {
  return cfg
    .replace(/^\[printer\]/m, `[mcu toolboard]\nserial: ${path.join(dir, 'tty-toolboard')}\n\n[printer]`)
    .replace('endstop_pin: ^PD3', 'endstop_pin: toolboard:PD3')
    .replace('step_pin: PA4', 'step_pin: toolboard:PA4')
    .replace('dir_pin: PA6', 'dir_pin: toolboard:PA6')
    .replace('enable_pin: !PA2', 'enable_pin: !toolboard:PA2')
    .replace('heater_pin: PB4', 'heater_pin: toolboard:PB4')
    .replace('sensor_pin: PK5', 'sensor_pin: toolboard:PK5');
}

export interface MultiMcuPrinter {
  dir: string;
  configPath: string;
  /** By MCU section name: 'mcu', 'mcu toolboard'. */
  sims: Map<string, SimPrinter>;
  host: Host;
  run(script: string): Promise<string>;
  /** Trace events of one MCU's sim ('mcu' or 'mcu toolboard'). */
  trace(section: string): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startMultiMcuPrinter(
  name: string,
  opts: {
    edit?: (cfg: string, dir: string) => string;
    overrides?: SimMachineOverrides;
    requireReady?: boolean;
    /** Start the sims in this order of MCU sections (default: the main [mcu] first). */
    order?: string[];
  } = {},
): Promise<MultiMcuPrinter> {
  let dirOf = '';
  const { dir, configPath } = writeTestConfig(name, (cfg) => {
    dirOf = path.dirname(/^serial: (.*)$/m.exec(cfg)![1]!);
    const two = toolboardConfig(dirOf, cfg);
    return opts.edit ? opts.edit(two, dirOf) : two;
  });
  // The sims start 0.3 s apart, so their clocks differ by that much: print time must be
  // mapped per MCU (using one MCU's clock for the other would be visibly off).
  const sims = new Map<string, SimPrinter>();
  try {
    for (const section of opts.order ?? mcuSectionsOf(configPath)) {
      if (sims.size) await new Promise((r) => setTimeout(r, 300));
      sims.set(section, await startSimPrinter({ configPath, dataDir: dir, overrides: opts.overrides, mcuSection: section }));
    }
  } catch (e) {
    await Promise.all([...sims.values()].map((s) => s.stop()));
    throw e;
  }
  const stopSims = () => Promise.all([...sims.values()].map((s) => s.stop()));
  const host = await Host.start({ configPath });
  await host.started;
  if (opts.requireReady !== false && host.printer.state !== 'ready') {
    await host.stop();
    await stopSims();
    throw new Error(`host did not get ready: ${host.printer.stateMessage}`);
  }
  return {
    dir,
    configPath,
    sims,
    host,
    run: (script) => runCollectingResponses(host, script),
    trace(section) {
      const sim = sims.get(section);
      if (!sim) throw new Error(`no sim for [${section}]`);
      return readTraceEvents(sim.tracePath);
    },
    async stop() {
      await host.stop();
      await stopSims();
    },
  };
}
