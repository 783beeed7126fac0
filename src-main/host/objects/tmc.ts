// [tmc2208 stepper_x], [tmc2209 ...], [tmc2130 ...], [tmc5160 ...]: a Trinamic driver configured
// over UART or SPI. At load the section's options become register values (current, microsteps
// from the stepper section, chopper and stealthChop settings, driver_XXX overrides); once the
// printer is ready they are written (UART writes checked through IFCNT), and while the stepper
// is enabled DRV_STATUS and GSTAT are checked every second: a driver that reports overheating,
// a short or a reset shuts the printer down naming the fields. Status 'tmc2209 stepper_x'.
// G-code: DUMP_TMC, SET_TMC_CURRENT, SET_TMC_FIELD, INIT_TMC (STEPPER=name).
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { ConfigError } from '../config/errors';
import { McuEndstop } from '../mcu/endstop';
import type { Mcu } from '../mcu/mcu';
import type { Toolhead } from '../motion/index';
import { TmcUartBus } from '../mcu/tmc-uart';
import { spi20Datagram, TmcSpiBus } from '../mcu/tmc-spi';
import type { Printer } from '../printer';
import type { PrinterExtruder } from './extruder';
import { isKnownUnsupportedSection } from './known-sections';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import type { StepperEnable } from './stepper-enable';
import type { PrinterStepper } from './stepper';
import type { PrinterToolhead } from './toolhead';
import type { SaveConfig } from './save-config';
import {
  currentForCs,
  currentForGlobalScaler,
  currentForRref,
  globalScalerCurrentBits,
  rrefCurrentBits,
  SENSE_VOLTAGE,
  tmc2240TemperatureC,
  vsenseCurrentBits,
} from './tmc-current';
import {
  TMC_HIGH_VELOCITY_OPTIONS,
  TMC_SG_OPTIONS,
  TMC_SPI_DIAG_OPTIONS,
  TMC_SPI_OPTIONS,
  TMC2209_DIAG_OPTIONS,
  TMC_UART_OPTIONS,
  TMC_RREF_OPTIONS,
  tmcSenseOptions,
  tmcCurrentOptions,
  tmcFieldOptions,
  tmcHomeCurrentOptions,
  TMC2660_OPTIONS,
  TMC_SPI_BUS_OPTIONS,
} from './tmc-options';
import { TMC_CHIPS, TmcFields, type TmcChipDef, type TmcChipName } from './tmc-registers';

/** How often DRV_STATUS/GSTAT are checked while the motor is on (s), as Klipper. */
const CHECK_PERIOD_MS = 1000;
const WRITE_RETRIES = 5;
/** Default step pulse for a stepper behind a UART/SPI driver (s). */
const TMC_STEP_PULSE_S = 0.0000001;
/** Fields in TSTEP units: SET_TMC_FIELD takes VELOCITY= (mm/s) for them. */
const VELOCITY_FIELDS = new Set(['tpwmthrs', 'tcoolthrs', 'thigh']);
/** How often a TMC2660 with idle_current_percent looks at the idle timeout's state (ms). */
const IDLE_POLL_MS = 200;

export class TmcError extends Error {
  override name = 'TmcError';
}

/** Register access for one driver, whatever the bus. Names are register names. */
interface TmcRegisterLink {
  read(register: string): Promise<number>;
  /** Writes (UART: checked through IFCNT on a live MCU). */
  write(register: string, value: number): Promise<void>;
  /** Batch mode: the write as an init command of the MCU config. */
  addInitWrite(register: string, value: number): void;
  readonly live: boolean;
}

class UartLink implements TmcRegisterLink {
  private ifcnt: number | null = null;
  constructor(
    private readonly bus: TmcUartBus,
    private readonly chip: TmcChipDef,
    private readonly stepperName: string,
    private readonly nodeAddr: number,
    private readonly select: number[] | null,
  ) {}
  get live(): boolean {
    return !this.bus.mcu.isFileOutput();
  }
  async read(register: string): Promise<number> {
    const v = await this.bus.readRegister(this.nodeAddr, this.chip.registers[register].addr, this.select);
    if (v === null) throw new TmcError(`Unable to read tmc uart '${this.stepperName}' register ${register}`);
    return v;
  }
  async write(register: string, value: number): Promise<void> {
    const addr = this.chip.registers[register].addr;
    if (!this.live) return this.bus.writeRegister(this.nodeAddr, addr, value, this.select);
    for (let i = 0; i < WRITE_RETRIES; i++) {
      this.ifcnt ??= await this.read('IFCNT');
      await this.bus.writeRegister(this.nodeAddr, addr, value, this.select);
      const after = await this.read('IFCNT');
      const landed = after === ((this.ifcnt + 1) & 0xff);
      this.ifcnt = after;
      if (landed) return;
    }
    throw new TmcError(`Unable to write tmc uart '${this.stepperName}' register ${register}`);
  }
  addInitWrite(register: string, value: number): void {
    this.bus.addInitWrite(this.nodeAddr, this.chip.registers[register].addr, value, this.select);
  }
}

class SpiLink implements TmcRegisterLink {
  constructor(
    private readonly bus: TmcSpiBus,
    private readonly chip: TmcChipDef,
    private readonly chainPosition: number,
  ) {}
  get live(): boolean {
    return !this.bus.mcu.isFileOutput();
  }
  async read(register: string): Promise<number> {
    return (await this.bus.readRegister(this.chainPosition, this.chip.registers[register].addr)).value;
  }
  write(register: string, value: number): Promise<void> {
    return this.bus.writeRegister(this.chainPosition, this.chip.registers[register].addr, value);
  }
  addInitWrite(register: string, value: number): void {
    this.bus.addInitWrite(this.chainPosition, this.chip.registers[register].addr, value);
  }
}

/**
 * TMC2660: 20-bit datagrams, no register addresses to read. Every transfer answers with the read
 * response DRVCONF.rdsel selects, so reading READRSP@RDSELn first writes DRVCONF with rdsel n
 * (if it is not already), then sends DRVCONF again and takes the response.
 */
class Spi20Link implements TmcRegisterLink {
  constructor(
    private readonly bus: TmcSpiBus,
    private readonly chip: TmcChipDef,
    private readonly fields: TmcFields,
  ) {}
  get live(): boolean {
    return !this.bus.mcu.isFileOutput();
  }
  async read(register: string): Promise<number> {
    const rdsel = this.chip.registers[register].addr;
    const drvconf = this.chip.registers.DRVCONF.addr;
    if (this.fields.getField('rdsel') !== rdsel) {
      this.fields.setField('rdsel', rdsel);
      await this.bus.write20(drvconf | this.fields.values.get('DRVCONF')!);
    }
    return this.bus.transfer20(drvconf | this.fields.values.get('DRVCONF')!);
  }
  write(register: string, value: number): Promise<void> {
    return this.bus.write20(this.chip.registers[register].addr | value);
  }
  addInitWrite(register: string, value: number): void {
    this.bus.addInitBytes(spi20Datagram(this.chip.registers[register].addr | value));
  }
}

/** Shared buses of a printer: one per UART pin pair / SPI chip select. */
const buses = new WeakMap<Printer, Map<string, TmcUartBus | TmcSpiBus>>();
function busesOf(printer: Printer): Map<string, TmcUartBus | TmcSpiBus> {
  let m = buses.get(printer);
  if (!m) buses.set(printer, (m = new Map()));
  return m;
}

export class TmcDriver {
  readonly fields: TmcFields;
  private readonly link: TmcRegisterLink;
  /** sense_resistor (ohms), or rref on a TMC2240. */
  private readonly senseOhm: number;
  /** UART (else SPI): fixed by the chip, or for a TMC2240 by whether uart_pin is given. */
  private readonly uart: boolean;
  private temperatureC: number | null = null;
  /** hold_current as asked (default: the driver's maximum, so IHOLD follows IRUN). */
  private reqHoldA: number;
  /** run_current as asked (config or SET_TMC_CURRENT). */
  private reqRunA = 0;
  /** home_current (default: the configured run_current) and the wait after changing to it (s). */
  private homeA = 0;
  readonly currentDwellS: number = 0.5;
  /** The run current to go back to while home_current is in use (null: not homing). */
  private homingRunA: number | null = null;
  /** Fields the stall detection set up changed, with their values before (null: not homing). */
  private beforeStall: Map<string, number> | null = null;
  /** Microstep distance / 256 (mm): what TSTEP-unit thresholds are computed from. */
  private readonly dist256Mm: number;
  private lastDrvStatus: Record<string, number> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private checking = false;
  /** TMC2660 idle_current_percent, and whether the idle current is in use now. */
  private readonly idlePercent: number = 100;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private idleCurrentOn = false;

  constructor(
    private readonly printer: Printer,
    readonly name: string,
    readonly chip: TmcChipDef,
    readonly stepper: PrinterStepper,
    section: ConfigSection,
    microsteps: number,
  ) {
    this.fields = new TmcFields(chip);
    const is2660 = chip.bus === 'spi20';
    let o: { run_current: number; hold_current?: number; interpolate: boolean; stealthchop_threshold: number; microsteps?: number };
    if (is2660) {
      const t = section.read(TMC2660_OPTIONS);
      o = { ...t, stealthchop_threshold: 0 };
      this.senseOhm = t.sense_resistor;
      this.idlePercent = t.idle_current_percent;
    } else {
      o = section.read(tmcCurrentOptions(chip));
      this.senseOhm =
        chip.currentScale === 'rref' ? section.read(TMC_RREF_OPTIONS).rref : section.read(tmcSenseOptions(chip)).sense_resistor;
    }
    this.uart = chip.bus === 'uart' || (chip.bus === 'either' && section.has('uart_pin'));
    const mres = Math.log2(256 / microsteps);
    if (!Number.isInteger(mres) || mres < 0 || mres > 8) {
      throw section.error(
        'microsteps',
        `microsteps ${microsteps} of [${stepper.name}] cannot be set on ${chip.name}: use 1, 2, 4, ... 256 (a power of two)`,
      );
    }
    if (o.microsteps !== undefined && o.microsteps !== microsteps) {
      throw section.error(
        'microsteps',
        `microsteps ${o.microsteps} in [${this.name}] differs from [${stepper.name}] microsteps ${microsteps}`,
      );
    }
    this.dist256Mm = (stepper.stepDistMm * microsteps) / 256;
    // Documented driver_XXX values first; the options below override the fields they own.
    for (const [key, value] of Object.entries(section.read(tmcFieldOptions(chip)))) {
      this.fields.setField(key.slice('driver_'.length), typeof value === 'boolean' ? Number(value) : (value as number));
    }
    this.fields.setField('mres', mres);
    this.fields.setField('intpol', o.interpolate ? 1 : 0);
    if (this.fields.field('pdn_disable')) {
      // UART control: PDN_UART is the interface, not power-down; MRES from the register, not MS1/MS2.
      this.fields.setField('pdn_disable', 1);
      this.fields.setField('mstep_reg_select', 1);
    }
    if (this.uart) {
      // 8 bit times before a reply is the minimum the datasheet allows with several nodes on a line.
      this.fields.setField('senddelay', 2);
    }
    if (!is2660) this.setStealthchop(o.stealthchop_threshold);
    if (chip.name !== 'tmc2208' && !is2660) {
      const cool = section.read(TMC_SG_OPTIONS).coolstep_threshold;
      if (cool !== undefined) this.fields.setField('tcoolthrs', this.tstepThreshold(cool));
    }
    if (chip.bus !== 'uart' && !is2660) {
      const high = section.read(TMC_HIGH_VELOCITY_OPTIONS).high_velocity_threshold;
      if (high !== undefined) this.fields.setField('thigh', this.tstepThreshold(high));
    }
    this.reqHoldA = o.hold_current ?? chip.maxCurrentA;
    this.setCurrent(o.run_current, this.reqHoldA);
    if (!is2660) {
      const h = section.read(tmcHomeCurrentOptions(chip));
      this.homeA = h.home_current ?? o.run_current;
      this.currentDwellS = h.current_change_dwell_time;
    } else this.homeA = o.run_current;
    // Step on both edges: the stepper decides at config time whether the MCU can (see stepper.ts).
    stepper.requestStepBothEdge = true;
    // A TMC driver takes 100 ns pulses, so step_pulse_duration defaults to that (as in Klipper).
    stepper.defaultStepPulseS = TMC_STEP_PULSE_S;
    this.link = this.connectLink(section);
    this.attachVirtualEndstop(section);
    stepper.mcu.registerConfigCallback(() => {
      this.fields.setField('dedge', this.stepsOnBothEdges() ? 1 : 0);
      if (!this.link.live) for (const r of this.chip.initRegisters) this.link.addInitWrite(r, this.fields.values.get(r)!);
    });
    if (this.link.live) {
      printer.on('printer:ready', () => this.initOnReady());
      const stop = (): void => {
        if (this.timer) clearInterval(this.timer);
        if (this.idleTimer) clearInterval(this.idleTimer);
        this.timer = this.idleTimer = null;
      };
      printer.on('printer:shutdown', stop);
      printer.on('printer:disconnect', stop);
    }
  }

  /** The same rule the stepper applies when it writes config_stepper (invert_step=-1). */
  private stepsOnBothEdges(): boolean {
    return (
      this.stepper.requestStepBothEdge &&
      Number(this.stepper.mcu.getConstant('STEPPER_STEP_BOTH_EDGE', 0)) !== 0 &&
      !this.stepper.stepPin.invert
    );
  }

  private connectLink(section: ConfigSection): TmcRegisterLink {
    const pins = this.printer.lookupObject<PinRegistry>('pins');
    const all = busesOf(this.printer);
    if (this.uart) {
      const u = section.read(TMC_UART_OPTIONS);
      if (this.chip.name === 'tmc2209') section.read(TMC2209_DIAG_OPTIONS);
      if (this.chip.bus === 'either') section.read(TMC_SPI_DIAG_OPTIONS);
      const mcu = mcuForPin(this.printer, u.uart_pin, section, 'uart_pin');
      const tx = u.tx_pin ?? u.uart_pin;
      if (u.tx_pin) mcuForPin(this.printer, u.tx_pin, section, 'tx_pin');
      if (tx.chip !== u.uart_pin.chip)
        throw section.error('tx_pin', `tx_pin must be on the same MCU as uart_pin in section '${this.name}'`);
      pins.resolve(u.uart_pin, section.placeOf('uart_pin'));
      pins.resolve(tx, section.placeOf('tx_pin'));
      const key = `uart ${u.uart_pin.chip}:${u.uart_pin.pin}:${tx.pin}`;
      let bus = all.get(key) as TmcUartBus | undefined;
      if (!bus) {
        // Drivers on one line share its pins (and its MCU oid).
        pins.claim(u.uart_pin, `[${this.name}] uart_pin`, section.placeOf('uart_pin'), 'tmc_uart');
        if (u.tx_pin) pins.claim(u.tx_pin, `[${this.name}] tx_pin`, section.placeOf('tx_pin'), 'tmc_uart');
        bus = new TmcUartBus(mcu, u.uart_pin, tx);
        all.set(key, bus);
      }
      let select: number[] | null = null;
      if (u.select_pins) {
        const parsed = u.select_pins.map((text) => parseSelectPin(section, text, u.uart_pin.chip));
        for (const p of parsed) pins.resolve(p, section.placeOf('select_pins'));
        const names = parsed.map((p) => p.pin);
        if (bus.selectPinNames && bus.selectPinNames.join() !== names.join()) {
          throw section.error(
            'select_pins',
            `select_pins of [${this.name}] must name the same pins as the other drivers on its UART line (${bus.selectPinNames.join(', ')})`,
          );
        }
        if (!bus.selectPinNames) {
          for (const p of parsed) pins.claim(p, `[${this.name}] select_pins`, section.placeOf('select_pins'), 'tmc_uart');
          bus.setSelectPins(parsed);
        }
        select = parsed.map((p) => (p.invert ? 0 : 1));
      }
      return new UartLink(bus, this.chip, this.stepper.name, u.uart_address, select);
    }
    const is2660 = this.chip.bus === 'spi20';
    const s: ReturnType<typeof section.read<typeof TMC_SPI_OPTIONS>> = is2660
      ? { ...section.read(TMC_SPI_BUS_OPTIONS), chain_position: undefined, chain_length: undefined }
      : section.read(TMC_SPI_OPTIONS);
    if (!is2660) section.read(TMC_SPI_DIAG_OPTIONS);
    const mcu = mcuForPin(this.printer, s.cs_pin, section, 'cs_pin');
    const swPins = [s.spi_software_miso_pin, s.spi_software_mosi_pin, s.spi_software_sclk_pin];
    const swCount = swPins.filter((p) => p !== undefined).length;
    if (swCount !== 0 && swCount !== 3) {
      throw section.error(
        'spi_software_sclk_pin',
        `spi_software_miso_pin, spi_software_mosi_pin and spi_software_sclk_pin go together in section '${this.name}'`,
      );
    }
    if ((s.chain_position === undefined) !== (s.chain_length === undefined)) {
      throw section.error(
        s.chain_position === undefined ? 'chain_length' : 'chain_position',
        `chain_position and chain_length go together in section '${this.name}'`,
      );
    }
    const chainLength = s.chain_length ?? 1;
    const chainPosition = s.chain_position ?? 1;
    if (chainPosition > chainLength)
      throw section.error(
        'chain_position',
        `chain_position ${chainPosition} is beyond chain_length ${chainLength} in section '${this.name}'`,
      );
    pins.resolve(s.cs_pin, section.placeOf('cs_pin'));
    const key = `spi ${s.cs_pin.chip}:${s.cs_pin.pin}`;
    let bus = all.get(key) as TmcSpiBus | undefined;
    if (!bus) {
      pins.claim(s.cs_pin, `[${this.name}] cs_pin`, section.placeOf('cs_pin'), 'tmc_spi_chain');
      const software =
        swCount === 3 ? { miso: s.spi_software_miso_pin!, mosi: s.spi_software_mosi_pin!, sclk: s.spi_software_sclk_pin! } : undefined;
      // Software SPI lines are often shared by several chip selects: TMC buses may share them.
      for (const [opt, p] of Object.entries({
        spi_software_miso_pin: software?.miso,
        spi_software_mosi_pin: software?.mosi,
        spi_software_sclk_pin: software?.sclk,
      })) {
        if (!p) continue;
        if (p.chip !== s.cs_pin.chip) throw section.error(opt, `${opt} must be on the MCU of cs_pin in section '${this.name}'`);
        pins.claim(p, `[${this.name}] ${opt}`, section.placeOf(opt), 'tmc_spi_software');
      }
      bus = new TmcSpiBus(mcu, { csPin: s.cs_pin, spiBus: s.spi_bus, software, speedHz: s.spi_speed, chainLength });
      all.set(key, bus);
    } else if (bus.opts.chainLength !== chainLength) {
      throw section.error(
        'chain_length',
        `chain_length ${chainLength} differs from the other drivers on cs_pin ${s.cs_pin.pin} (${bus.opts.chainLength})`,
      );
    }
    return is2660 ? new Spi20Link(bus, this.chip, this.fields) : new SpiLink(bus, this.chip, chainPosition);
  }

  /**
   * endstop_pin: tmc2209_stepper_x:virtual_endstop on any rail makes the driver's DIAG pin that
   * rail's MCU endstop (endstop_home + trsync, as a switch), stopping all the rail's steppers.
   */
  private attachVirtualEndstop(section: ConfigSection): void {
    const chipName = virtualEndstopChip(this.name);
    const rails = (this.printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.homingRails ?? []).filter(
      (r) => r.settings.endstop_pin.chip === chipName,
    );
    if (!rails.length) return;
    const config = this.printer.lookupObject<SaveConfig>('configfile').printerConfig;
    for (const rail of rails) {
      const pin = rail.settings.endstop_pin;
      const at = config.getOrNull(rail.steppers[0]!.name) ?? section;
      const where = `endstop_pin '${pin.text}' in section '${at.name}'`;
      if (pin.pin !== 'virtual_endstop')
        throw at.error('endstop_pin', `${where}: [${this.name}] offers only '${chipName}:virtual_endstop'`);
      if (pin.invert || pin.pullup)
        throw at.error('endstop_pin', `${where}: a TMC virtual endstop cannot be inverted or pulled up (remove '!', '^', '~')`);
      if (this.chip.name === 'tmc2208') {
        throw at.error(
          'endstop_pin',
          `${where}: a TMC2208 has no StallGuard; sensorless homing needs a TMC2209, TMC2130, TMC5160 or TMC2240`,
        );
      }
    }
    const diag = this.diagPin(section);
    if (!diag) {
      const opt = this.chip.name === 'tmc2209' ? 'diag_pin' : 'diag0_pin or diag1_pin';
      throw section.error(
        this.chip.name === 'tmc2209' ? 'diag_pin' : 'diag1_pin',
        `[${this.name}] is a virtual endstop (endstop_pin '${rails[0]!.settings.endstop_pin.text}') but has no ${opt}: set it to the MCU pin wired to the driver's DIAG output`,
      );
    }
    const mcu = mcuForPin(this.printer, diag.pin, section, diag.option);
    const pins = this.printer.lookupObject<PinRegistry>('pins');
    pins.resolve(diag.pin, section.placeOf(diag.option));
    pins.claim(diag.pin, `[${this.name}] ${diag.option}`, section.placeOf(diag.option), 'endstop');
    const endstop = new TmcVirtualEndstop(mcu, diag.pin, this);
    this.diagStallField = diag.option === 'diag0_pin' ? 'diag0_stall' : diag.option === 'diag1_pin' ? 'diag1_stall' : null;
    for (const rail of rails) {
      rail.endstop = endstop;
      for (const s of rail.steppers) endstop.addStepper(s.oid, s.mcu);
    }
  }

  /** The GCONF field that routes a stall to the DIAG pin in use (SPI drivers' DIAG0/DIAG1). */
  private diagStallField: string | null = null;

  /** Klipper's choice: diag_pin on a TMC2209; DIAG0 before DIAG1 on the others. */
  private diagPin(section: ConfigSection): { pin: PinDesc; option: 'diag_pin' | 'diag0_pin' | 'diag1_pin' } | null {
    if (this.chip.name === 'tmc2209') {
      const p = section.read(TMC2209_DIAG_OPTIONS).diag_pin;
      return p ? { pin: p, option: 'diag_pin' } : null;
    }
    const o = section.read(TMC_SPI_DIAG_OPTIONS);
    if (o.diag0_pin) return { pin: o.diag0_pin, option: 'diag0_pin' };
    return o.diag1_pin ? { pin: o.diag1_pin, option: 'diag1_pin' } : null;
  }

  /**
   * A homing move on the virtual endstop starts: StallGuard on, as the chip needs it. StallGuard4
   * (TMC2209) works in stealthChop: stealthChop at every speed (TPWMTHRS 0, en_spreadcycle 0).
   * StallGuard2 (TMC2130/5160/2240) works in spreadCycle: en_pwm_mode 0, the stall routed to the
   * DIAG pin. Both report only above TCOOLTHRS's speed: the slowest if it was 0; THIGH 0.
   */
  async beginStallDetection(): Promise<void> {
    const f = this.fields;
    const changes: [string, number][] = [];
    if (!f.field('en_pwm_mode')) changes.push(['tpwmthrs', 0], ['en_spreadcycle', 0]);
    else {
      changes.push(['en_pwm_mode', 0]);
      if (this.diagStallField) changes.push([this.diagStallField, 1]);
    }
    if (f.getField('tcoolthrs') === 0) changes.push(['tcoolthrs', 0xfffff]);
    if (f.field('thigh')) changes.push(['thigh', 0]);
    this.beforeStall ??= new Map(changes.map(([k]) => [k, f.getField(k)]));
    await this.writeFields(changes);
  }

  /** The homing move ended: the fields beginStallDetection changed get their values back. */
  async endStallDetection(): Promise<void> {
    const before = this.beforeStall;
    if (!before) return;
    this.beforeStall = null;
    await this.writeFields([...before]);
  }

  /** Sets fields and writes their registers, each once, in the order first touched. */
  private async writeFields(changes: [string, number][]): Promise<void> {
    const regs = new Set<string>();
    for (const [k, v] of changes) regs.add(this.fields.setField(k, v));
    for (const r of regs) await this.writeRegister(r);
  }

  /** Whether homing changes this driver's current (home_current differs from the run current). */
  get changesCurrentForHoming(): boolean {
    return this.homingRunA !== null || Math.abs(this.homeA - this.reqRunA) > 1e-9;
  }

  /** home_current for homing (on) or the run current back (off). */
  async useHomeCurrent(on: boolean): Promise<void> {
    let regs: string[];
    if (on) {
      if (this.homingRunA !== null) return;
      this.homingRunA = this.reqRunA;
      regs = this.setCurrent(this.homeA, this.reqHoldA);
    } else {
      if (this.homingRunA === null) return;
      regs = this.setCurrent(this.homingRunA, this.reqHoldA);
      this.homingRunA = null;
    }
    for (const r of regs) await this.writeRegister(r);
  }

  /** TSTEP units (internal clocks per 1/256 microstep) for a speed; 0 mm/s = the slowest. */
  tstepThreshold(speedMmS: number): number {
    if (speedMmS <= 0) return 0xfffff;
    return Math.max(0, Math.min(0xfffff, Math.round((this.chip.clockHz * this.dist256Mm) / speedMmS)));
  }

  private setStealthchop(speedMmS: number): void {
    const on = speedMmS > 0;
    if (on) this.fields.setField('tpwmthrs', this.tstepThreshold(speedMmS));
    if (this.fields.field('en_pwm_mode')) this.fields.setField('en_pwm_mode', on ? 1 : 0);
    else this.fields.setField('en_spreadcycle', on ? 0 : 1);
  }

  /** Sets IRUN/IHOLD (hold never above run) and their scale (vsense or GLOBALSCALER); returns
   *  the registers that hold them. */
  setCurrent(runA: number, holdA: number): string[] {
    this.reqHoldA = holdA;
    this.reqRunA = runA;
    const regs = new Set<string>();
    if (this.chip.currentScale === 'vsense') {
      const b = vsenseCurrentBits(runA, holdA, this.senseOhm, SENSE_VOLTAGE[this.chip.name as keyof typeof SENSE_VOLTAGE]);
      regs.add(this.fields.setField('vsense', b.vsense));
      regs.add(this.fields.setField('irun', b.irun));
      this.fields.setField('ihold', b.ihold);
    } else if (this.chip.currentScale === 'cs') {
      // One current scale: the hold current does not exist (idle_current_percent instead).
      const b = vsenseCurrentBits(runA, runA, this.senseOhm, SENSE_VOLTAGE.tmc2660, 0);
      regs.add(this.fields.setField('vsense', b.vsense));
      regs.add(this.fields.setField('cs', b.irun));
    } else if (this.chip.currentScale === 'rref') {
      const b = rrefCurrentBits(runA, holdA, this.senseOhm);
      regs.add(this.fields.setField('current_range', b.currentRange));
      regs.add(this.fields.setField('globalscaler', b.globalscaler));
      regs.add(this.fields.setField('irun', b.irun));
      this.fields.setField('ihold', b.ihold);
    } else {
      const b = globalScalerCurrentBits(runA, holdA, this.senseOhm, SENSE_VOLTAGE[this.chip.name as 'tmc5160'].low);
      regs.add(this.fields.setField('globalscaler', b.globalscaler));
      regs.add(this.fields.setField('irun', b.irun));
      this.fields.setField('ihold', b.ihold);
    }
    return [...regs];
  }

  /** The currents the register values give (A rms). */
  currents(): { runA: number; holdA: number } {
    const f = this.fields;
    if (this.chip.currentScale === 'rref') {
      const [range, gs] = [f.getField('current_range'), f.getField('globalscaler')];
      return {
        runA: currentForRref(range, gs, f.getField('irun'), this.senseOhm),
        holdA: currentForRref(range, gs, f.getField('ihold'), this.senseOhm),
      };
    }
    const volts = SENSE_VOLTAGE[this.chip.name as keyof typeof SENSE_VOLTAGE];
    if (this.chip.currentScale === 'cs') {
      const a = currentForCs(f.getField('cs'), this.senseOhm, f.getField('vsense') ? volts.high : volts.low, 0);
      return { runA: a, holdA: a };
    }
    if (this.chip.currentScale === 'vsense') {
      const vfs = f.getField('vsense') ? volts.high : volts.low;
      return { runA: currentForCs(f.getField('irun'), this.senseOhm, vfs), holdA: currentForCs(f.getField('ihold'), this.senseOhm, vfs) };
    }
    const vfs = volts.low;
    const gs = f.getField('globalscaler');
    return {
      runA: currentForGlobalScaler(gs, f.getField('irun'), this.senseOhm, vfs),
      holdA: currentForGlobalScaler(gs, f.getField('ihold'), this.senseOhm, vfs),
    };
  }

  get live(): boolean {
    return this.link.live;
  }

  get requestedHoldA(): number {
    return this.reqHoldA;
  }

  readRegister(register: string): Promise<number> {
    return this.link.read(register);
  }

  /** Writes the held value of `register` (after a field or current change). */
  writeRegister(register: string): Promise<void> {
    return this.link.write(register, this.fields.values.get(register)!);
  }

  /** Writes every held register, then clears and checks GSTAT (live MCU). */
  async init(): Promise<void> {
    for (const r of this.chip.initRegisters) await this.writeRegister(r);
    if (!this.link.live || !this.chip.registers.GSTAT) return;
    // GSTAT bits are cleared by writing 1s: the reset flag of the power-up must not look like an error later.
    await this.link.write('GSTAT', 0x7);
    await this.checkRegister('GSTAT', ['drv_err', 'uv_cp']);
  }

  private async initOnReady(): Promise<void> {
    try {
      await this.init();
    } catch (e) {
      // Klipper refuses to start with a driver it cannot configure: the printer waits for a fix and FIRMWARE_RESTART.
      this.printer.setState('error', e instanceof Error ? e.message : String(e));
      return;
    }
    this.timer ??= setInterval(() => void this.periodicCheck(), CHECK_PERIOD_MS);
    if (this.idlePercent < 100) this.idleTimer ??= setInterval(() => void this.followIdleState(), IDLE_POLL_MS);
  }

  /**
   * TMC2660 idle_current_percent: the current drops to that share of the run current once the
   * idle timeout reports the toolhead caught up (Ready/Idle) and is back on the next activity.
   */
  private async followIdleState(): Promise<void> {
    if (this.checking || this.printer.state !== 'ready') return;
    const state = this.printer.lookupObjectOrNull<{ state: string }>('idle_timeout')?.state;
    const idle = state !== undefined && state !== 'Printing';
    if (idle === this.idleCurrentOn) return;
    this.idleCurrentOn = idle;
    const runA = this.reqRunA;
    const regs = this.setCurrent(idle ? (runA * this.idlePercent) / 100 : runA, this.reqHoldA);
    this.reqRunA = runA;
    this.checking = true;
    try {
      for (const r of regs) await this.writeRegister(r);
    } catch (e) {
      if (this.printer.state === 'ready') await this.printer.invokeShutdown(e instanceof Error ? e.message : String(e));
    } finally {
      this.checking = false;
    }
  }

  /** A driver with a hold current (not the TMC2660). */
  get hasHoldCurrent(): boolean {
    return this.chip.currentScale !== 'cs';
  }

  /** Reads a status register; error fields set -> TmcError naming them. Returns its fields. */
  private async checkRegister(register: string, errorFields: string[]): Promise<Record<string, number>> {
    const v = await this.link.read(register);
    const set: Record<string, number> = {};
    for (const f of Object.keys(this.chip.registers[register].fields)) {
      const fv = this.fields.getField(f, v);
      if (fv !== 0) set[f] = fv;
    }
    if (errorFields.some((f) => set[f])) {
      throw new TmcError(`TMC '${this.stepper.name}' reports error: ${this.fields.formatRegister(register, v, false)}`);
    }
    return set;
  }

  private async periodicCheck(): Promise<void> {
    if (this.checking || this.printer.state !== 'ready') return;
    const enable = this.printer.lookupObjectOrNull<StepperEnable>('stepper_enable');
    if (!enable?.isEnabled(this.stepper.name)) {
      this.lastDrvStatus = null;
      return;
    }
    this.checking = true;
    try {
      this.lastDrvStatus = await this.checkRegister(this.chip.statusRegister ?? 'DRV_STATUS', this.chip.errorFields);
      // A reset (the driver lost power) means every register is back at its power-on value.
      if (this.chip.registers.GSTAT) await this.checkRegister('GSTAT', ['reset', 'drv_err', 'uv_cp']);
      if (this.chip.registers.ADC_TEMP) {
        this.temperatureC = Math.round(tmc2240TemperatureC(this.fields.getField('adc_temp', await this.link.read('ADC_TEMP'))) * 10) / 10;
      }
    } catch (e) {
      if (this.printer.state === 'ready') await this.printer.invokeShutdown(e instanceof Error ? e.message : String(e));
    } finally {
      this.checking = false;
    }
  }

  getStatus(): Record<string, unknown> {
    const c = this.currents();
    return {
      run_current: round3(c.runA),
      hold_current: this.hasHoldCurrent ? round3(c.holdA) : null,
      drv_status: this.lastDrvStatus,
      temperature: this.temperatureC,
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A select pin: '!' means the switch wants it low for this driver. Plain pins are on `chip`. */
function parseSelectPin(section: ConfigSection, text: string, chip: string): PinDesc {
  const m = /^(!?)(?:(\w+):)?(\w+)$/.exec(text.trim());
  if (!m) throw section.error('select_pins', `select_pins entry '${text}' in section '${section.name}' is not a pin`);
  const pinChip = m[2] ?? chip;
  if (pinChip !== chip) throw section.error('select_pins', `select_pins must be on the MCU of uart_pin in section '${section.name}'`);
  return { chip: pinChip, pin: m[3], invert: m[1] === '!', pullup: 0, text };
}

/** Klipper's pin chip name of a driver section: 'tmc2209 stepper_x' -> 'tmc2209_stepper_x'. */
function virtualEndstopChip(sectionName: string): string {
  return sectionName.replace(/\s+/, '_');
}

/**
 * The driver's DIAG output as an MCU endstop: homing arms it (endstop_home, trsync) like a
 * switch; homing calls the hooks around each move on it to switch stall detection on and off.
 */
class TmcVirtualEndstop extends McuEndstop {
  constructor(
    mcu: Mcu,
    pin: PinDesc,
    private readonly driver: TmcDriver,
  ) {
    super(mcu, pin.pin, pin.invert, pin.pullup);
  }
  homingMoveBegin(): Promise<void> {
    return this.driver.beginStallDetection();
  }
  homingMoveEnd(): Promise<void> {
    return this.driver.endStallDetection();
  }
}

/**
 * Homing these steppers (on=true) or done (false): drivers with a home_current switch to it or
 * back. The queued moves finish first and current_change_dwell_time passes after (the longest
 * of the drivers), only when a current changes.
 */
export async function setHomingCurrents(printer: Printer, stepperNames: string[], on: boolean, toolhead: Toolhead): Promise<void> {
  const drivers = commands.get(printer)?.drivers;
  const changing = stepperNames.map((n) => drivers?.get(n)).filter((d): d is TmcDriver => !!d && d.changesCurrentForHoming);
  if (!changing.length || printer.state === 'shutdown') return;
  await toolhead.drainMoves();
  for (const d of changing) await d.useHomeCurrent(on);
  toolhead.dwell(Math.max(...changing.map((d) => d.currentDwellS)));
}

/**
 * After loading: an endstop_pin naming a driver's virtual endstop whose driver section is
 * missing (the driver attaches itself to the rail when it loads).
 */
export function checkTmcVirtualEndstops(printer: Printer): void {
  const rails = printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.homingRails ?? [];
  const config = printer.lookupObject<SaveConfig>('configfile').printerConfig;
  for (const r of rails) {
    const pin = r.settings.endstop_pin;
    const m = /^(tmc\d+)_(.+)$/.exec(pin.chip);
    if (r.endstop || !m) continue;
    const at = config.getOrNull(r.steppers[0]!.name);
    const why = `endstop_pin '${pin.text}' in section '${r.steppers[0]!.name}' names the driver [${m[1]} ${m[2]}], which is not configured: add that section with its diag pin for sensorless homing`;
    throw at ? at.error('endstop_pin', why) : new ConfigError(why);
  }
}

/** The printer's steppers by section name (axes and extruder), for drivers to attach to. */
function findStepper(printer: Printer, name: string): PrinterStepper | null {
  const own = printer.lookupObjectOrNull<{ stepper?: PrinterStepper | null }>(name)?.stepper;
  const all = [
    ...(printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.steppers ?? []),
    printer.lookupObjectOrNull<PrinterExtruder>('extruder')?.stepper ?? null,
    // [extruder1], [extruder_stepper name]: the object of that name owns the stepper.
    own ?? null,
  ];
  return all.find((s) => s?.name === name) ?? null;
}

/**
 * Builds the driver of a [tmcXXXX name] section and registers it as 'tmcXXXX name'. When the
 * stepper's own section is one Tether does not handle yet (skipped in lint mode), the options
 * are still checked, but nothing is attached.
 */
export function loadTmcDriver(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, skipUnsupported: boolean): void {
  const chipName = section.name.split(' ')[0] as TmcChipName;
  const chip = TMC_CHIPS[chipName];
  const stepperName = section.suffix;
  const stepperSection = printer.lookupObject<SaveConfig>('configfile').printerConfig.getOrNull(stepperName);
  const stepper = findStepper(printer, stepperName);
  if (!stepper || !stepperSection) {
    if (stepperSection && isKnownUnsupportedSection(stepperName) && skipUnsupported) {
      for (const t of [chip.bus === 'spi20' ? TMC2660_OPTIONS : tmcCurrentOptions(chip), tmcFieldOptions(chip)]) section.read(t);
      for (const n of section.optionNames()) section.getString(n);
      return;
    }
    if (stepperSection && isKnownUnsupportedSection(stepperName)) {
      throw section.error('run_current', `[${section.name}] drives [${stepperName}], which is not supported yet`);
    }
    throw new TmcError(`[${section.name}]: there is no stepper section [${stepperName}] for this driver (check the section name)`);
  }
  const microsteps = stepperSection.getInt('microsteps', undefined, { minval: 1 });
  const driver = new TmcDriver(printer, section.name, chip, stepper, section, microsteps);
  printer.addObject(section.name, driver);
  tmcCommandsOf(printer, gcode).drivers.set(stepperName, driver);
}

/** DUMP_TMC, SET_TMC_CURRENT, SET_TMC_FIELD, INIT_TMC: registered with the first driver. */
class TmcCommands {
  readonly drivers = new Map<string, TmcDriver>();

  constructor(private readonly gcode: GCodeDispatcher) {
    const stepperParam = { STEPPER: 'stepper name (stepper_x, extruder, ...)' };
    gcode.register('DUMP_TMC', (c) => this.cmdDump(c), {
      help: 'Read and display TMC stepper driver registers',
      params: { ...stepperParam, REGISTER: 'one register name (default: all)', FIELD: 'one field name (toff, cs_actual, ...)' },
    });
    gcode.register('SET_TMC_CURRENT', (c) => this.cmdSetCurrent(c), {
      help: 'Set the current of a TMC driver',
      params: { ...stepperParam, CURRENT: 'run current (A rms)', HOLDCURRENT: 'hold current (A rms)' },
    });
    gcode.register('SET_TMC_FIELD', (c) => this.cmdSetField(c), {
      help: 'Set a register field of a TMC driver',
      params: { ...stepperParam, FIELD: 'field name (toff, sgthrs, ...)', VALUE: 'raw value', VELOCITY: 'mm/s (threshold fields)' },
    });
    gcode.register('INIT_TMC', (c) => this.cmdInit(c), { help: 'Initialize TMC stepper driver registers', params: stepperParam });
  }

  private driverOf(c: GCodeCommand): TmcDriver {
    const name = c.get('STEPPER');
    const d = this.drivers.get(name);
    if (!d) throw c.error(`Unknown TMC stepper '${name}' (TMC steppers: ${[...this.drivers.keys()].join(', ')})`);
    return d;
  }

  private async cmdDump(c: GCodeCommand): Promise<void> {
    const d = this.driverOf(c);
    const regs = d.chip.registers;
    const readable = (r: string): boolean => regs[r].access !== 'w';
    const held = (r: string): boolean => d.fields.values.has(r) && regs[r].access === 'w';
    if (c.has('FIELD')) {
      // One field: read from its register (held value for write-only registers and batch mode).
      const name = c.get('FIELD').toLowerCase();
      const f = d.fields.field(name);
      if (!f) throw c.error(`Unknown field name '${name}' (${d.chip.name} fields: ${d.fields.fieldNames().join(', ')})`);
      const value = readable(f.register) && d.live ? await this.read(c, d, f.register) : d.fields.values.get(f.register);
      if (value === undefined) throw c.error(`Register ${f.register} of field '${name}' is write-only and has not been set`);
      return this.gcode.respondInfo(`${name}=${d.fields.getField(name, value)} (${d.fields.formatRegister(f.register, value, false)})`);
    }
    if (c.has('REGISTER')) {
      const r = c.get('REGISTER').toUpperCase();
      if (!regs[r]) throw c.error(`Unknown register name '${r}' (${d.chip.name} registers: ${Object.keys(regs).join(', ')})`);
      if (readable(r) && d.live) return this.gcode.respondInfo(d.fields.formatRegister(r, await this.read(c, d, r)));
      if (d.fields.values.has(r)) return this.gcode.respondInfo(d.fields.formatRegister(r, d.fields.values.get(r)!));
      throw c.error(`Register ${r} is write-only and has not been set`);
    }
    if (!d.live) {
      const lines = ['========== Registers as written (batch mode: no MCU to read from) =========='];
      for (const r of Object.keys(regs)) if (d.fields.values.has(r)) lines.push(d.fields.formatRegister(r, d.fields.values.get(r)!));
      return this.gcode.respondInfo(lines.join('\n'));
    }
    const lines = ['========== Write-only registers =========='];
    for (const r of Object.keys(regs)) if (held(r)) lines.push(d.fields.formatRegister(r, d.fields.values.get(r)!));
    lines.push('========== Queried registers ==========');
    for (const r of Object.keys(regs)) if (readable(r)) lines.push(d.fields.formatRegister(r, await this.read(c, d, r)));
    this.gcode.respondInfo(lines.join('\n'));
  }

  private async read(c: GCodeCommand, d: TmcDriver, r: string): Promise<number> {
    try {
      return await d.readRegister(r);
    } catch (e) {
      throw c.error(e instanceof Error ? e.message : String(e));
    }
  }

  private async cmdSetCurrent(c: GCodeCommand): Promise<void> {
    const d = this.driverOf(c);
    const now = d.currents();
    if (!c.has('CURRENT') && !c.has('HOLDCURRENT')) {
      if (!d.hasHoldCurrent) return this.gcode.respondInfo(`Run Current: ${now.runA.toFixed(2)}A`);
      return this.gcode.respondInfo(`Run Current: ${now.runA.toFixed(2)}A Hold Current: ${now.holdA.toFixed(2)}A`);
    }
    const limits = { above: 0, maxval: d.chip.maxCurrentA };
    const runA = c.getFloat('CURRENT', now.runA, limits);
    const holdA = c.getFloat('HOLDCURRENT', d.requestedHoldA, limits);
    const regs = d.setCurrent(runA, holdA);
    for (const r of regs) await this.write(c, d, r);
  }

  private async cmdSetField(c: GCodeCommand): Promise<void> {
    const d = this.driverOf(c);
    const field = c.get('FIELD').toLowerCase();
    if (!d.fields.field(field)) throw c.error(`Unknown field name '${field}'`);
    if (!d.fields.isWritable(field)) throw c.error(`Field '${field}' is read-only`);
    let value: number;
    if (c.has('VELOCITY')) {
      if (!VELOCITY_FIELDS.has(field)) throw c.error(`VELOCITY applies to ${[...VELOCITY_FIELDS].join(', ')}, not '${field}': use VALUE`);
      if (c.has('VALUE')) throw c.error('Give VALUE or VELOCITY, not both');
      value = d.tstepThreshold(c.getFloat('VELOCITY', undefined, { minval: 0 }));
    } else value = c.getInt('VALUE');
    let register: string;
    try {
      register = d.fields.setField(field, value);
    } catch (e) {
      throw c.error((e as Error).message);
    }
    await this.write(c, d, register);
  }

  private async cmdInit(c: GCodeCommand): Promise<void> {
    const d = this.driverOf(c);
    try {
      await d.init();
    } catch (e) {
      throw c.error(e instanceof Error ? e.message : String(e));
    }
  }

  private async write(c: GCodeCommand, d: TmcDriver, r: string): Promise<void> {
    try {
      await d.writeRegister(r);
    } catch (e) {
      throw c.error(e instanceof Error ? e.message : String(e));
    }
  }
}

const commands = new WeakMap<Printer, TmcCommands>();
function tmcCommandsOf(printer: Printer, gcode: GCodeDispatcher): TmcCommands {
  let c = commands.get(printer);
  if (!c) commands.set(printer, (c = new TmcCommands(gcode)));
  return c;
}
