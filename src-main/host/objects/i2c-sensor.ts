// What the I2C environment sensors (BME280, SHT3X, AHT10, HTU21D, LM75, MCP9808) share: the
// host reads them over the MCU's i2c_transfer at each chip's report time (no MCU-side timer),
// checks each reading against min_temp/max_temp, and shows the last readings in a status object
// named like Klipper's ('bme280 chamber'). A chip that does not answer, answers with a bad CRC
// or is not the chip configured shuts the printer down with a message naming the section, the
// chip and its address, so the user knows which wire or i2c_address to check.
import type { ConfigSection } from '../config/section';
import type { McuQueryCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { DigipotI2c, digipotI2c } from './digipot';
import { HostSampledSensor } from './host-sampled-sensor';

/** One reading of a chip: always a temperature; humidity (%RH), pressure (hPa), gas where it has them. */
export interface I2cReadings {
  temperatureC: number;
  humidityPct?: number;
  pressureHpa?: number;
  gas?: number;
}

/** A chip's mistake (no answer, bad CRC, wrong id): the sensor adds section, chip and address. */
export class I2cChipError extends Error {}

/** The chip's bus as the drivers see it: transfers that resolve with the bytes read, or throw. */
export interface I2cBus {
  /** Writes `write` then (repeated start) reads `readLen` bytes. */
  transfer(write: readonly number[], readLen: number): Promise<Uint8Array>;
  delayMs(ms: number): Promise<void>;
}

/** A chip driver: set up once when the printer is ready, then read every reportTimeS. */
export interface I2cChip {
  /** The chip as the user knows it ('BME280'). */
  readonly label: string;
  readonly reportTimeS: number;
  init(bus: I2cBus): Promise<void>;
  read(bus: I2cBus): Promise<I2cReadings>;
}

/** CRC-8 with polynomial x^8+x^5+x^4+1 (0x31), MSB first, no final XOR: Sensirion uses init 0xFF, the HTU21D 0x00. */
export function crc8(bytes: ArrayLike<number>, init: number): number {
  let crc = init & 0xff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

const STATUS_NAMES = ['SUCCESS', 'NACK', 'BUS_TIMEOUT', 'START_NACK', 'START_READ_NACK'];

/** The MCU side of one chip: config_i2c + bus at config time, i2c_transfer -> i2c_response. */
class McuI2cBus implements I2cBus {
  private query: McuQueryCommand | null = null;

  constructor(private readonly dev: DigipotI2c) {}

  async transfer(write: readonly number[], readLen: number): Promise<Uint8Array> {
    const mcu = this.dev.mcu;
    this.query ??= mcu.lookupQueryCommand(
      'i2c_transfer oid=%c write=%*s read_len=%u',
      'i2c_response oid=%c i2c_bus_status=%c response=%*s',
      this.dev.oid,
    );
    const r = await this.query.send([this.dev.oid, Uint8Array.from(write), readLen]);
    const raw = r.i2c_bus_status;
    const status = typeof raw === 'number' ? (STATUS_NAMES[raw] ?? String(raw)) : String(raw);
    if (status !== 'SUCCESS') {
      const what = status === 'START_NACK' || status === 'START_READ_NACK' ? 'does not answer' : 'failed a transfer';
      throw new I2cChipError(`${what} (I2C ${status}): check its wiring, power and i2c_address`);
    }
    const data = r.response as Uint8Array;
    if (data.length !== readLen) throw new I2cChipError(`answered ${data.length} bytes instead of ${readLen}`);
    return data;
  }

  delayMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** The printed form of an address: '0x76 (118)'. */
export function formatI2cAddress(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')} (${address})`;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export class I2cTemperatureSensor extends HostSampledSensor {
  private readonly bus: I2cBus;
  private reading: I2cReadings | null = null;
  private busy = false;

  constructor(
    printer: Printer,
    private readonly sectionName: string,
    private readonly chip: I2cChip,
    readonly address: number,
    dev: DigipotI2c | I2cBus,
    private readonly minTempC: number,
    private readonly maxTempC: number,
    printTimeS: () => number,
  ) {
    super(printer, printTimeS);
    this.bus = dev instanceof DigipotI2c ? new McuI2cBus(dev) : dev;
  }

  /** The last readings, Klipper's status fields (pressure in hPa). */
  getStatus(): Record<string, number> {
    const r = this.reading;
    const out: Record<string, number> = { temperature: r ? round2(r.temperatureC) : 0 };
    if (r?.humidityPct !== undefined) out.humidity = round2(r.humidityPct);
    if (r?.pressureHpa !== undefined) out.pressure = round2(r.pressureHpa);
    if (r?.gas !== undefined) out.gas = r.gas;
    return out;
  }

  /** Why a reading is refused, in the words the shutdown message uses. */
  private where(): string {
    return `[${this.sectionName}] ${this.chip.label} at I2C address ${formatI2cAddress(this.address)}`;
  }

  startSampling(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      await this.chip.init(this.bus);
    } catch (e) {
      this.failWith(e);
      return;
    }
    await this.sample();
    this.sampleEvery(this.chip.reportTimeS, () => void this.sample());
  }

  /** One reading (skipped while the previous one is still on the bus). */
  async sample(): Promise<void> {
    if (this.busy || this.printer.state === 'shutdown') return;
    this.busy = true;
    try {
      const r = await this.chip.read(this.bus);
      const t = r.temperatureC;
      if (t < this.minTempC)
        this.fail(`${this.where()}: temperature ${t.toFixed(1)} below minimum temperature of ${this.minTempC.toFixed(1)}`);
      else if (t > this.maxTempC)
        this.fail(`${this.where()}: temperature ${t.toFixed(1)} above maximum temperature of ${this.maxTempC.toFixed(1)}`);
      else {
        this.reading = r;
        this.report(t);
      }
    } catch (e) {
      this.failWith(e);
    } finally {
      this.busy = false;
    }
  }

  private failWith(e: unknown): void {
    if (this.printer.state === 'shutdown') return;
    if (e instanceof I2cChipError) this.fail(`${this.where()} ${e.message}`);
    else this.fail(`${this.where()}: ${(e as Error).message}`);
  }
}

/** The options every I2C sensor section reads: the address (the chip's default) and the bus. */
export function i2cDeviceOf(printer: Printer, section: ConfigSection, address: number): DigipotI2c {
  return digipotI2c(printer, section, address);
}
