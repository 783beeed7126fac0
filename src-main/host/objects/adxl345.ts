// [adxl345] / [adxl345 NAME]: an ADXL345 accelerometer on SPI, read by the MCU's adxl345 commands
// (config_adxl345, query_adxl345, query_adxl345_status; samples in sensor_bulk_data, 5 bytes
// each). ACCELEROMETER_QUERY reports one reading; ACCELEROMETER_MEASURE starts and stops a
// recording written as CSV next to printer.cfg. [resonance_tester] records through measure().
// Sample times: sample number k (from the message sequence) maps to MCU clock by a line fitted
// through the sensor_bulk_status reports (their clock and how many samples existed then).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { MessageParams } from '../mcu/codec';
import type { McuQueryCommand } from '../mcu/mcu';
import { TmcSpiBus } from '../mcu/tmc-spi';
import type { Printer } from '../printer';
import { ADXL345_OPTIONS, ADXL345_RATES } from './adxl345-options';
import { ADXL345_BYTES_PER_SAMPLE, countsToAccel, decodeAdxl345Counts, parseAxesMap, type RawSample } from './adxl345-samples';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

const REG_DEVID = 0x00;
const REG_BW_RATE = 0x2c;
const REG_POWER_CTL = 0x2d;
const REG_DATA_FORMAT = 0x31;
const REG_FIFO_CTL = 0x38;
const ADXL345_DEVID = 0xe5;
const SAMPLES_PER_MESSAGE = 10;
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

/** Least-squares line through (count, clock) points; one point: the nominal rate. */
export function fitSampleClock(points: { count: number; clock: number }[], nominalTicksPerSample: number): (k: number) => number {
  if (points.length < 2) {
    const p = points[0] ?? { count: 0, clock: 0 };
    return (k) => p.clock + (k - p.count) * nominalTicksPerSample;
  }
  const n = points.length;
  const mc = points.reduce((a, p) => a + p.count, 0) / n;
  const mk = points.reduce((a, p) => a + p.clock, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.count - mc) ** 2;
    sxy += (p.count - mc) * (p.clock - mk);
  }
  const slope = sxx > 0 ? sxy / sxx : nominalTicksPerSample;
  return (k) => mk + (k - mc) * slope;
}

/** A recording in progress; finish() stops it (when it is the last) and returns its samples. */
export interface AccelRecording {
  finish(): Promise<AccelSample[]>;
}

export class Adxl345 {
  /** Name as CHIP= takes it: "adxl345" for [adxl345], NAME for [adxl345 NAME]. */
  readonly chipName: string;
  private readonly spi: TmcSpiBus;
  private readonly oid: number;
  private readonly axesMap: { index: number; sign: number }[];
  private readonly rateHz: number;
  private raw: { seq: number; samples: RawSample[] }[] = [];
  private statusPoints: { count: number; clock: number }[] = [];
  private clients = 0;
  private statusTimer: NodeJS.Timeout | null = null;
  private statusCmd: McuQueryCommand | null = null;
  private seqHigh = 0;
  private lastSeq = -1;
  private starting: Promise<void> | null = null;
  readonly configDir: string;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
  ) {
    const o = section.read(ADXL345_OPTIONS);
    this.chipName = section.name === 'adxl345' ? 'adxl345' : section.name.replace(/^adxl345\s+/, '');
    try {
      this.axesMap = parseAxesMap(o.axes_map);
    } catch (e) {
      throw section.error('axes_map', (e as Error).message);
    }
    if (!(ADXL345_RATES as readonly number[]).includes(o.rate))
      throw section.error('rate', `Invalid rate parameter: ${o.rate} (choose one of ${ADXL345_RATES.join(', ')})`);
    this.rateHz = o.rate;
    this.configDir = path.dirname(path.resolve(section.placeOf('cs_pin').file));
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.claim(o.cs_pin, `[${section.name}] cs_pin`, section.placeOf('cs_pin'));
    const sw = { sclk: o.spi_software_sclk_pin, mosi: o.spi_software_mosi_pin, miso: o.spi_software_miso_pin };
    const swCount = Object.values(sw).filter(Boolean).length;
    if (swCount !== 0 && swCount !== 3)
      throw section.error(
        'spi_software_sclk_pin',
        `[${section.name}] needs all three of spi_software_sclk_pin, spi_software_mosi_pin and spi_software_miso_pin (or none, for a hardware bus)`,
      );
    for (const [opt, p] of Object.entries(sw)) {
      if (p) pins.claim(p, `[${section.name}] spi_software_${opt}_pin`, section.placeOf(`spi_software_${opt}_pin`), 'spi_software');
    }
    const mcu = mcuForPin(printer, o.cs_pin, section, 'cs_pin');
    const software = swCount === 3 ? { sclk: sw.sclk!, mosi: sw.mosi!, miso: sw.miso! } : undefined;
    this.spi = new TmcSpiBus(mcu, { csPin: o.cs_pin, spiBus: o.spi_bus, software, speedHz: o.spi_speed, chainLength: 1, mode: 3 });
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_adxl345 oid=${this.oid} spi_oid=${this.spi.oid}`);
      mcu.registerResponse((p) => this.onBulk(p), 'sensor_bulk_data', this.oid);
    });
  }

  private get mcu() {
    return this.spi.mcu;
  }

  private async readReg(reg: number): Promise<number> {
    // tmc-spi's read is two transfers of 5 bytes; the ADXL345 answers in the same transfer.
    const transfer = this.mcu.lookupQueryCommand('spi_transfer oid=%c data=%*s', 'spi_transfer_response oid=%c response=%*s', this.spi.oid);
    const r = await transfer.send([this.spi.oid, Uint8Array.of(reg | 0x80, 0)]);
    return (r.response as Uint8Array)[1] ?? 0;
  }

  private writeReg(reg: number, value: number): void {
    this.mcu.lookupCommand('spi_send oid=%c data=%*s').send([this.spi.oid, Uint8Array.of(reg & 0x3f, value)]);
  }

  private onBulk(p: MessageParams): void {
    if (!this.clients) return;
    const seq16 = p.sequence as number;
    // Sequence numbers are 16 bits: extend them (they only go up while recording).
    if (this.lastSeq >= 0 && seq16 < (this.lastSeq & 0xffff)) this.seqHigh += 0x10000;
    this.lastSeq = this.seqHigh + seq16;
    this.raw.push({ seq: this.lastSeq, samples: decodeAdxl345Counts(p.data as Uint8Array) });
  }

  private async queryStatus(): Promise<void> {
    this.statusCmd ??= this.mcu.lookupQueryCommand(
      'query_adxl345_status oid=%c',
      'sensor_bulk_status oid=%c clock=%u query_ticks=%u next_sequence=%hu buffered=%u possible_overflows=%hu',
      this.oid,
    );
    const s = await this.statusCmd.send([this.oid]);
    const clock = this.mcu.clock32ToClock64((s.clock as number) + Math.floor((s.query_ticks as number) / 2));
    let seq = s.next_sequence as number;
    while (this.seqHigh + seq < this.lastSeq - 0x8000) seq += 0x10000;
    const count = (this.seqHigh + seq) * SAMPLES_PER_MESSAGE + Math.floor((s.buffered as number) / ADXL345_BYTES_PER_SAMPLE);
    this.statusPoints.push({ count, clock });
  }

  private async start(): Promise<void> {
    const id = await this.readReg(REG_DEVID);
    if (id !== ADXL345_DEVID)
      throw new Error(`Invalid adxl345 id (got ${id.toString(16)} vs e5) from chip '${this.chipName}': check its wiring and cs_pin`);
    this.raw = [];
    this.statusPoints = [];
    this.seqHigh = 0;
    this.lastSeq = -1;
    this.writeReg(REG_POWER_CTL, 0x00);
    this.writeReg(REG_DATA_FORMAT, 0x0b); // full resolution, +-16 g
    this.writeReg(REG_FIFO_CTL, 0x00);
    this.writeReg(REG_BW_RATE, 0x0f - ADXL345_RATES.indexOf(this.rateHz as (typeof ADXL345_RATES)[number]));
    this.writeReg(REG_FIFO_CTL, 0x80); // stream mode
    const restTicks = Math.round((this.mcu.clockFreq * SAMPLES_PER_POLL) / this.rateHz);
    this.mcu.lookupCommand('query_adxl345 oid=%c rest_ticks=%u').send([this.oid, restTicks]);
    this.writeReg(REG_POWER_CTL, 0x08); // measure: sample 0 is the first after this
    await this.queryStatus();
    this.statusTimer = setInterval(() => void this.queryStatus().catch(() => undefined), STATUS_INTERVAL_MS);
  }

  private async stop(): Promise<AccelSample[]> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    await this.queryStatus();
    this.mcu.lookupCommand('query_adxl345 oid=%c rest_ticks=%u').send([this.oid, 0]);
    this.writeReg(REG_POWER_CTL, 0x00);
    await this.readReg(REG_DEVID); // answered after the last sensor_bulk_data
    return this.samples();
  }

  /** Decoded samples so far, on the printer's axes, with print times. */
  private samples(): AccelSample[] {
    const fit = fitSampleClock(this.statusPoints, this.mcu.clockFreq / this.rateHz);
    const out: AccelSample[] = [];
    for (const m of this.raw) {
      m.samples.forEach((s, i) => {
        const k = m.seq * SAMPLES_PER_MESSAGE + i;
        const [x, y, z] = countsToAccel(s, this.axesMap);
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
        return all.slice(firstIndex * SAMPLES_PER_MESSAGE);
      },
    };
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
  readonly chips = new Map<string, Adxl345>();
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

  chip(c: GCodeCommand | null, name?: string): Adxl345 {
    const want = (name ?? c?.get('CHIP', 'adxl345') ?? 'adxl345').trim();
    const chip =
      this.chips.get(want) ?? (name === undefined && this.chips.size === 1 && !c?.has('CHIP') ? [...this.chips.values()][0] : undefined);
    if (!chip) {
      const msg = `Unknown accelerometer chip '${want}' (configured: ${[...this.chips.keys()].join(', ')})`;
      throw c ? c.error(msg) : new Error(msg);
    }
    return chip;
  }

  private async cmdQuery(c: GCodeCommand): Promise<void> {
    const chip = this.chip(c);
    const rec = await chip.measure();
    await new Promise((r) => setTimeout(r, 100));
    const samples = await rec.finish();
    const last = samples[samples.length - 1];
    if (!last) throw c.error(`Unable to query adxl345 '${chip.chipName}': no samples arrived`);
    this.gcode.respondInfo(`accelerometer values (x, y, z): ${last.x.toFixed(6)}, ${last.y.toFixed(6)}, ${last.z.toFixed(6)}`);
  }

  private async cmdMeasure(c: GCodeCommand): Promise<void> {
    const chip = this.chip(c);
    const running = this.recordings.get(chip.chipName);
    if (!running) {
      const name = c.get('NAME', new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15));
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw c.error('Invalid NAME parameter: letters, digits, _ . - only');
      this.recordings.set(chip.chipName, { rec: await chip.measure(), name });
      this.gcode.respondInfo('accelerometer measurements started');
      return;
    }
    this.recordings.delete(chip.chipName);
    const samples = await running.rec.finish();
    const prefix = chip.chipName === 'adxl345' ? 'adxl345' : `adxl345-${chip.chipName}`;
    const file = path.join(chip.configDir, `${prefix}-${running.name}.csv`);
    writeFileSync(file, accelCsv(samples));
    this.gcode.respondInfo(`Writing raw accelerometer data to ${file} file (${samples.length} samples)`);
  }
}

/** [adxl345 ...]: the chip, and the shared commands the first chip registers. */
export function loadAdxl345(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Adxl345 {
  const chip = new Adxl345(printer, section);
  let cmds = printer.lookupObjectOrNull<AccelerometerCommands>('accelerometer_commands');
  if (!cmds) {
    cmds = new AccelerometerCommands(gcode);
    printer.addObject('accelerometer_commands', cmds);
  }
  cmds.chips.set(chip.chipName, chip);
  return chip;
}
