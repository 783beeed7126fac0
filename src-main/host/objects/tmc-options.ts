// Options of the [tmcXXXX stepper] sections: the current and mode options every driver has, how
// the driver is reached (UART pins or SPI chip select), and one driver_XXX option per register
// field Klipper documents for that driver (defaults from TMC_CHIPS).
import { defineOptions, type OptionSpec, type OptionTable } from '../config/options';
import { TMC_CHIPS, TmcFields, type TmcChipDef, type TmcChipName } from './tmc-registers';

export function tmcCurrentOptions(chip: TmcChipDef) {
  return defineOptions({
    run_current: { type: 'float', above: 0, maxval: chip.maxCurrentA, doc: 'Motor current (A rms) while moving' },
    hold_current: {
      type: 'float',
      optional: true,
      above: 0,
      maxval: chip.maxCurrentA,
      doc: 'Motor current (A rms) at standstill; default run_current (not reduced)',
    },
    interpolate: { type: 'boolean', default: true, doc: 'Interpolate to 256 microsteps (smoother, small position error)' },
    stealthchop_threshold: {
      type: 'float',
      default: 0,
      minval: 0,
      doc: 'Speed (mm/s) below which stealthChop runs; 0 = spreadCycle always',
    },
    microsteps: { type: 'int', optional: true, minval: 1, doc: 'Old place of [stepper] microsteps; must match it when given' },
  });
}

/** Homing with a different current (sensorless homing wants less, so the stall comes soon). */
export function tmcHomeCurrentOptions(chip: TmcChipDef) {
  return defineOptions({
    home_current: {
      type: 'float',
      optional: true,
      above: 0,
      maxval: chip.maxCurrentA,
      doc: 'Motor current (A rms) while homing; default run_current (no change)',
    },
    current_change_dwell_time: {
      type: 'float',
      default: 0.5,
      above: 0,
      doc: 'Wait (s) after changing the current for homing, before moving',
    },
  });
}

/** Sense resistor drivers: the resistor sets the full-scale current. */
export function tmcSenseOptions(chip: TmcChipDef) {
  return defineOptions({
    sense_resistor: {
      type: 'float',
      default: chip.senseResistorOhm,
      above: 0,
      doc: `Sense resistor (ohms) on the driver board; default ${chip.senseResistorOhm}`,
    },
  });
}

/** TMC2240: the resistor on IREF sets the full-scale current. */
export const TMC_RREF_OPTIONS = defineOptions({
  rref: { type: 'float', default: 12000, minval: 12000, maxval: 60000, doc: 'Resistor (ohms) between IREF and GND; default 12000' },
});

export const TMC_SG_OPTIONS = defineOptions({
  coolstep_threshold: { type: 'float', optional: true, minval: 0, doc: 'Speed (mm/s) above which coolStep (and StallGuard) run' },
});

export const TMC_HIGH_VELOCITY_OPTIONS = defineOptions({
  high_velocity_threshold: {
    type: 'float',
    optional: true,
    minval: 0,
    doc: 'Speed (mm/s) above which the driver uses its high-speed chopper (THIGH)',
  },
});

export const TMC_UART_OPTIONS = defineOptions({
  uart_pin: { type: 'pin', canPullup: true, doc: "Pin on the driver's PDN_UART line (receive; also transmit without tx_pin)" },
  tx_pin: { type: 'pin', optional: true, doc: 'Separate transmit pin when the board wires TX and RX apart' },
  uart_address: { type: 'int', default: 0, minval: 0, maxval: 3, doc: 'Node address (MS1/MS2 strapping) when drivers share one UART line' },
  select_pins: { type: 'stringList', optional: true, doc: 'Analog switch pins ("!" for low) that route a shared UART line to this driver' },
});

/** How an SPI driver is reached (the TMC2660 has no daisy chain options). */
export const TMC_SPI_BUS_OPTIONS = defineOptions({
  cs_pin: { type: 'pin', doc: 'SPI chip select pin (active low)' },
  spi_bus: { type: 'string', optional: true, doc: "Hardware SPI bus name of the MCU (default: the MCU's first bus)" },
  spi_speed: { type: 'int', default: 4000000, minval: 1, doc: 'SPI clock (Hz)' },
  spi_software_sclk_pin: { type: 'pin', optional: true, doc: 'Software SPI clock pin (all three software pins together)' },
  spi_software_mosi_pin: { type: 'pin', optional: true, doc: 'Software SPI MOSI pin' },
  spi_software_miso_pin: { type: 'pin', optional: true, doc: 'Software SPI MISO pin' },
});

export const TMC_SPI_OPTIONS = defineOptions({
  ...TMC_SPI_BUS_OPTIONS,
  chain_position: { type: 'int', optional: true, minval: 1, doc: 'Position (1 = nearest the MCU) in a daisy chain on one cs_pin' },
  chain_length: { type: 'int', optional: true, minval: 2, doc: 'Number of drivers in the daisy chain' },
});

export const TMC2209_DIAG_OPTIONS = defineOptions({
  diag_pin: {
    type: 'pin',
    optional: true,
    canInvert: true,
    canPullup: true,
    doc: 'MCU pin wired to DIAG: endstop_pin tmc2209_stepper_x:virtual_endstop homes on a stall (sensorless homing)',
  },
});

export const TMC_SPI_DIAG_OPTIONS = defineOptions({
  diag0_pin: {
    type: 'pin',
    optional: true,
    canInvert: true,
    canPullup: true,
    doc: 'MCU pin wired to DIAG0: the virtual_endstop for sensorless homing (used before diag1_pin)',
  },
  diag1_pin: {
    type: 'pin',
    optional: true,
    canInvert: true,
    canPullup: true,
    doc: 'MCU pin wired to DIAG1: the virtual_endstop for sensorless homing',
  },
});

/** driver_XXX: one option per documented field; 1-bit fields read as booleans (True/False). */
export function tmcFieldOptions(chip: TmcChipDef): OptionTable {
  const fields = new TmcFields(chip);
  const table: Record<string, OptionSpec> = {};
  for (const [name, def] of Object.entries(chip.defaults)) {
    const f = fields.field(name);
    if (!f) throw new Error(`${chip.name}: default for unknown field ${name}`);
    const key = `driver_${name.toUpperCase()}`;
    const doc = `Register ${f.register} field ${name} (datasheet); default ${def}`;
    if (f.width === 1) table[key] = { type: 'boolean', default: def === 1, doc };
    else if (f.signed) table[key] = { type: 'int', default: def, minval: -(2 ** (f.width - 1)), maxval: 2 ** (f.width - 1) - 1, doc };
    else table[key] = { type: 'int', default: def, minval: 0, maxval: 2 ** f.width - 1, doc };
  }
  return table;
}

/** The same options, none required (a TMC2240 takes either the UART or the SPI set). */
function allOptional(table: OptionTable): OptionTable {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { ...v, optional: true }]));
}

/** TMC2660 (Klipper's [tmc2660]): one current (no hold current), lowered when the printer idles. */
export const TMC2660_OPTIONS = defineOptions({
  run_current: { type: 'float', above: 0, maxval: 2.4, doc: 'Motor current (A rms)' },
  sense_resistor: { type: 'float', above: 0, doc: 'Sense resistor (ohms) on the driver board (required)' },
  interpolate: { type: 'boolean', default: true, doc: 'Interpolate to 256 microsteps (smoother, small position error)' },
  idle_current_percent: {
    type: 'int',
    default: 100,
    minval: 0,
    maxval: 100,
    doc: 'Current (% of run_current) once the idle timeout says the printer is idle; raised again on the next move',
  },
  microsteps: { type: 'int', optional: true, minval: 1, doc: 'Old place of [stepper] microsteps; must match it when given' },
});

/** Every option table of a driver section, for the catalog and for reading. */
export function tmcOptionTables(name: TmcChipName): OptionTable[] {
  const chip = TMC_CHIPS[name];
  if (name === 'tmc2660') return [TMC2660_OPTIONS, TMC_SPI_BUS_OPTIONS, tmcFieldOptions(chip)];
  const tables: OptionTable[] = [
    tmcCurrentOptions(chip),
    tmcHomeCurrentOptions(chip),
    chip.currentScale === 'rref' ? TMC_RREF_OPTIONS : tmcSenseOptions(chip),
  ];
  if (chip.bus === 'either') tables.push(allOptional(TMC_UART_OPTIONS), allOptional(TMC_SPI_OPTIONS));
  else tables.push(chip.bus === 'uart' ? TMC_UART_OPTIONS : TMC_SPI_OPTIONS);
  if (name !== 'tmc2208') tables.push(TMC_SG_OPTIONS);
  if (name === 'tmc2209') tables.push(TMC2209_DIAG_OPTIONS);
  if (chip.bus !== 'uart') tables.push(TMC_HIGH_VELOCITY_OPTIONS, TMC_SPI_DIAG_OPTIONS);
  tables.push(tmcFieldOptions(chip));
  return tables;
}
