// Accelerometers read in bulk by the MCU ([adxl345], [lis2dw], [lis3dh], [mpu9250], [icm20948]):
// BulkAccelerometer runs a recording (the chip's query_<chip> polling, samples in
// sensor_bulk_data, sensor_bulk_status reports for timing); each chip module adds its register
// setup. ACCELEROMETER_QUERY reports one reading; ACCELEROMETER_MEASURE starts and stops a
// recording written as CSV next to printer.cfg. [resonance_tester] records through measure().
// Sample times: sample number k (from the message sequence) maps to MCU clock by a line fitted
// through the sensor_bulk_status reports (their clock and how many samples existed then).
// [adxl345] / [adxl345 NAME]: an ADXL345 on SPI (config_adxl345, 5-byte samples).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { MessageParams } from '../mcu/codec';
import type { McuQueryCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { accelSpiBus, type AccelBus } from './adxl345-bus';
import { ADXL345_OPTIONS, ADXL345_RATES } from './adxl345-options';
import { ADXL345_FORMAT, countsToAccel, fitSampleClock, parseAxesMap, type RawSample, type SampleFormat } from './adxl345-samples';

export { fitSampleClock } from './adxl345-samples';

const REG_DEVID = 0x00;
const REG_BW_RATE = 0x2c;
const REG_POWER_CTL = 0x2d;
const REG_DATA_FORMAT = 0x31;
const REG_FIFO_CTL = 0x38;
const ADXL345_DEVID = 0xe5;
/** Poll the 32-entry FIFO every 8 samples: a quarter full, room for 3 missed polls. */
const SAMPLES_PER_POLL = 8;
/** Status reports (clock + sample count) this often while recording, for the time fit. */
const STATUS_INTERVAL_MS = 500;

/** One sample on the printer's axes: print time (s) and acceleration (mm/s^2). */
export interface AccelSample {
  timeS: number;
  x: number;
  y: number;
  z: number;
}

/** A recording in progress; finish() stops it (when it is the last) and returns its samples. */
export interface AccelRecording {
  finish(): Promise<AccelSample[]>;
}

/** What a chip module gives the shared recorder. */
export interface BulkChip {
  /** Section kind: 'adxl345', 'lis2dw', ... (the commands are query_<kind>, query_<kind>_status). */
  kind: string;
  bus: AccelBus;
  format: SampleFormat;
  rateHz: number;
  /** Samples between FIFO polls (a quarter of the FIFO or less). */
  samplesPerPoll: number;
  /** The MCU commands' chip name when not the kind (a LIS3DH uses query_lis2dw). */
  commandName?: string;
}

export abstract class BulkAccelerometer {
  /** Name as CHIP= takes it: the kind for [lis2dw], NAME for [lis2dw NAME]. */
  readonly chipName: string;
  readonly kind: string;
  readonly configDir: string;
  protected readonly bus: AccelBus;
  private readonly format: SampleFormat;
  protected readonly rateHz: number;
  private readonly samplesPerPoll: number;
  private readonly axesMap: { index: number; sign: number }[];
  private readonly oid: number;
  private readonly commandName: string;
  private raw: { seq: number; samples: RawSample[] }[] = [];
  private statusPoints: { count: number; clock: number }[] = [];
  private clients = 0;
  private statusTimer: NodeJS.Timeout | null = null;
  private statusCmd: McuQueryCommand | null = null;
  private seqHigh = 0;
  private lastSeq = -1;
  private starting: Promise<void> | null = null;

  constructor(section: ConfigSection, axesMapText: string, chip: BulkChip, configCmd: (oid: number) => string) {
    this.kind = chip.kind;
    this.chipName = section.name === chip.kind ? chip.kind : section.name.slice(chip.kind.length).trim();
    try {
      this.axesMap = parseAxesMap(axesMapText);
    } catch (e) {
      throw section.error('axes_map', (e as Error).message);
    }
    this.bus = chip.bus;
    this.format = chip.format;
    this.rateHz = chip.rateHz;
    this.samplesPerPoll = chip.samplesPerPoll;
    this.commandName = chip.commandName ?? chip.kind;
    this.configDir = path.dirname(path.resolve(section.place.file));
    const mcu = chip.bus.mcu;
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(configCmd(this.oid));
      mcu.registerResponse((p) => this.onBulk(p), 'sensor_bulk_data', this.oid);
    });
  }

  protected get mcu() {
    return this.bus.mcu;
  }

  /** Check the chip's identity and set it up, not yet measuring (sample 0 comes after startMeasuring). */
  protected abstract setupChip(): Promise<void>;
  protected abstract startMeasuring(): Promise<void>;
  protected abstract stopMeasuring(): Promise<void>;

  private onBulk(p: MessageParams): void {
    if (!this.clients) return;
    const seq16 = p.sequence as number;
    // Sequence numbers are 16 bits: extend them (they only go up while recording).
    if (this.lastSeq >= 0 && seq16 < (this.lastSeq & 0xffff)) this.seqHigh += 0x10000;
    this.lastSeq = this.seqHigh + seq16;
    this.raw.push({ seq: this.lastSeq, samples: this.format.decode(p.data as Uint8Array) });
  }

  private queryCommand(): string {
    return `query_${this.commandName} oid=%c rest_ticks=%u`;
  }

  private async queryStatus(): Promise<void> {
    this.statusCmd ??= this.mcu.lookupQueryCommand(
      `query_${this.commandName}_status oid=%c`,
      'sensor_bulk_status oid=%c clock=%u query_ticks=%u next_sequence=%hu buffered=%u possible_overflows=%hu',
      this.oid,
    );
    const s = await this.statusCmd.send([this.oid]);
    const clock = this.mcu.clock32ToClock64((s.clock as number) + Math.floor((s.query_ticks as number) / 2));
    let seq = s.next_sequence as number;
    while (this.seqHigh + seq < this.lastSeq - 0x8000) seq += 0x10000;
    const buffered = s.buffered as number;
    // A report taken with the FIFO full undercounts (its level is capped): leave it out of the
    // time fit unless there is no other point yet.
    if (buffered >= this.format.fifoBytes && this.statusPoints.length) return;
    const count = (this.seqHigh + seq) * this.format.samplesPerMessage + Math.floor(buffered / this.format.bytesPerSample);
    this.statusPoints.push({ count, clock });
  }

  private async start(): Promise<void> {
    await this.setupChip();
    this.raw = [];
    this.statusPoints = [];
    this.seqHigh = 0;
    this.lastSeq = -1;
    const restTicks = Math.round((this.mcu.clockFreq * this.samplesPerPoll) / this.rateHz);
    this.mcu.lookupCommand(this.queryCommand()).send([this.oid, restTicks]);
    await this.startMeasuring();
    await this.queryStatus();
    this.statusTimer = setInterval(() => void this.queryStatus().catch(() => undefined), STATUS_INTERVAL_MS);
  }

  private async stop(): Promise<AccelSample[]> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    await this.queryStatus();
    this.mcu.lookupCommand(this.queryCommand()).send([this.oid, 0]);
    await this.stopMeasuring(); // a query answered after the last sensor_bulk_data
    return this.samples();
  }

  /** Decoded samples so far, on the printer's axes, with print times. */
  private samples(): AccelSample[] {
    const fit = fitSampleClock(this.statusPoints, this.mcu.clockFreq / this.rateHz);
    const out: AccelSample[] = [];
    for (const m of this.raw) {
      m.samples.forEach((s, i) => {
        const k = m.seq * this.format.samplesPerMessage + i;
        const [x, y, z] = countsToAccel(s, this.axesMap, this.format.mmS2PerCount);
        out.push({ timeS: this.mcu.clockToPrintTime(fit(k)), x, y, z });
      });
    }
    return out;
  }

  /** Start recording (shared: the chip runs while any recording is open). */
  async measure(): Promise<AccelRecording> {
    if (this.clients++ === 0) this.starting = this.start();
    try {
      await this.starting;
    } catch (e) {
      this.clients = 0;
      throw e;
    }
    const firstIndex = this.raw.length;
    let done = false;
    return {
      finish: async () => {
        if (done) return [];
        done = true;
        if (--this.clients === 0) return this.stop();
        const all = this.samples();
        return all.slice(firstIndex * this.format.samplesPerMessage);
      },
    };
  }
}

/** The identity check every chip module makes, with the error a user can act on. */
export function checkChipId(kind: string, chipName: string, id: number, accepted: readonly number[]): void {
  if (accepted.includes(id)) return;
  const hex = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
  throw new Error(
    `Invalid ${kind} id (got ${hex(id)}, expected ${accepted.map(hex).join(' or ')}) from chip '${chipName}' ` +
      `in section [${kind === chipName ? kind : `${kind} ${chipName}`}]: check its wiring and bus settings`,
  );
}

export class Adxl345 extends BulkAccelerometer {
  private readonly bwRateCode: number;

  constructor(printer: Printer, section: ConfigSection) {
    const o = section.read(ADXL345_OPTIONS);
    if (!(ADXL345_RATES as readonly number[]).includes(o.rate))
      throw section.error('rate', `Invalid rate parameter: ${o.rate} (choose one of ${ADXL345_RATES.join(', ')})`);
    const bus = accelSpiBus(printer, section, o);
    super(
      section,
      o.axes_map,
      { kind: 'adxl345', bus, format: ADXL345_FORMAT, rateHz: o.rate, samplesPerPoll: SAMPLES_PER_POLL },
      (oid) => `config_adxl345 oid=${oid} spi_oid=${bus.oid}`,
    );
    this.bwRateCode = 0x0f - ADXL345_RATES.indexOf(o.rate as (typeof ADXL345_RATES)[number]);
  }

  protected async setupChip(): Promise<void> {
    checkChipId('adxl345', this.chipName, await this.bus.readReg(REG_DEVID), [ADXL345_DEVID]);
    await this.bus.writeReg(REG_POWER_CTL, 0x00);
    await this.bus.writeReg(REG_DATA_FORMAT, 0x0b); // full resolution, +-16 g
    await this.bus.writeReg(REG_FIFO_CTL, 0x00);
    await this.bus.writeReg(REG_BW_RATE, this.bwRateCode);
    await this.bus.writeReg(REG_FIFO_CTL, 0x80); // stream mode
  }

  protected async startMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_POWER_CTL, 0x08); // measure: sample 0 is the first after this
  }

  protected async stopMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_POWER_CTL, 0x00);
  }
}

/** CSV as Klipper writes it: a header, then time and x, y, z acceleration per line. */
export function accelCsv(samples: AccelSample[]): string {
  const lines = ['#time,accel_x,accel_y,accel_z'];
  for (const s of samples) lines.push(`${s.timeS.toFixed(6)},${s.x.toFixed(6)},${s.y.toFixed(6)},${s.z.toFixed(6)}`);
  return lines.join('\n') + '\n';
}

/** The accelerometer G-code commands, shared by every chip (CHIP= picks one). */
export class AccelerometerCommands {
  readonly chips = new Map<string, BulkAccelerometer>();
  private readonly recordings = new Map<string, { rec: AccelRecording; name: string }>();

  constructor(private readonly gcode: GCodeDispatcher) {
    gcode.register('ACCELEROMETER_QUERY', (c) => this.cmdQuery(c), {
      help: 'Query accelerometer for the current values',
      params: { CHIP: 'accelerometer name (default adxl345)' },
    });
    gcode.register('ACCELEROMETER_MEASURE', (c) => this.cmdMeasure(c), {
      help: 'Start/stop accelerometer',
      params: { CHIP: 'accelerometer name (default adxl345)', NAME: 'file name suffix (default: date and time)' },
    });
  }

  /**
   * The chip by CHIP= or name: a chip name ('adxl345', 'lis2dw', NAME of [mpu9250 NAME]) or a
   * section name ('lis2dw', 'adxl345 bed', as [resonance_tester] accel_chip gives it).
   * Without either, 'adxl345', or the only chip configured.
   */
  chip(c: GCodeCommand | null, name?: string): BulkAccelerometer {
    const want = (name ?? c?.get('CHIP', 'adxl345') ?? 'adxl345').trim();
    const bySection = [...this.chips.values()].find((ch) => `${ch.kind} ${ch.chipName}` === want.replace(/\s+/g, ' '));
    const chip =
      this.chips.get(want) ??
      bySection ??
      (name === undefined && this.chips.size === 1 && !c?.has('CHIP') ? [...this.chips.values()][0] : undefined);
    if (!chip) {
      const msg = `Unknown accelerometer chip '${want}' (configured: ${[...this.chips.keys()].join(', ')})`;
      throw c ? c.error(msg) : new Error(msg);
    }
    return chip;
  }

  private async cmdQuery(c: GCodeCommand): Promise<void> {
    const chip = this.chip(c);
    let rec: AccelRecording;
    try {
      rec = await chip.measure();
    } catch (e) {
      throw c.error((e as Error).message);
    }
    await new Promise((r) => setTimeout(r, 100));
    const samples = await rec.finish();
    const last = samples[samples.length - 1];
    if (!last) throw c.error(`Unable to query ${chip.kind} '${chip.chipName}': no samples arrived`);
    this.gcode.respondInfo(`accelerometer values (x, y, z): ${last.x.toFixed(6)}, ${last.y.toFixed(6)}, ${last.z.toFixed(6)}`);
  }

  private async cmdMeasure(c: GCodeCommand): Promise<void> {
    const chip = this.chip(c);
    const running = this.recordings.get(chip.chipName);
    if (!running) {
      const name = c.get('NAME', new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15));
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw c.error('Invalid NAME parameter: letters, digits, _ . - only');
      let rec: AccelRecording;
      try {
        rec = await chip.measure();
      } catch (e) {
        throw c.error((e as Error).message);
      }
      this.recordings.set(chip.chipName, { rec, name });
      this.gcode.respondInfo('accelerometer measurements started');
      return;
    }
    this.recordings.delete(chip.chipName);
    const samples = await running.rec.finish();
    const prefix = chip.chipName === chip.kind ? chip.kind : `${chip.kind}-${chip.chipName}`;
    const file = path.join(chip.configDir, `${prefix}-${running.name}.csv`);
    writeFileSync(file, accelCsv(samples));
    this.gcode.respondInfo(`Writing raw accelerometer data to ${file} file (${samples.length} samples)`);
  }
}

/** Register a chip with the shared commands (created by the first chip). */
export function addAccelerometer<T extends BulkAccelerometer>(
  printer: Printer,
  gcode: GCodeDispatcher,
  chip: T,
  section: ConfigSection,
): T {
  let cmds = printer.lookupObjectOrNull<AccelerometerCommands>('accelerometer_commands');
  if (!cmds) {
    cmds = new AccelerometerCommands(gcode);
    printer.addObject('accelerometer_commands', cmds);
  }
  if (cmds.chips.has(chip.chipName))
    throw section.error('', `Accelerometer name '${chip.chipName}' is already used by another section: name one [${chip.kind} NAME]`);
  cmds.chips.set(chip.chipName, chip);
  return chip;
}

/** [adxl345 ...]: the chip, and the shared commands the first chip registers. */
export function loadAdxl345(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Adxl345 {
  return addAccelerometer(printer, gcode, new Adxl345(printer, section), section);
}
