// sensor_type MAX6675 / MAX31855 / MAX31856 / MAX31865: a temperature chip on an SPI bus, read
// by the MCU (config_thermocouple, query_thermocouple -> thermocouple_result every 0.3 s). The
// MCU checks the raw range and the fault bits itself and shuts down after MAX_INVALID_COUNT bad
// reads in a row ("Thermocouple reader fault"), so a broken sensor stops the heater even when
// the host hangs; the host shuts down at the first fault report, naming the sensor, the chip
// and the fault. Options are Klipper's (sensor_pin = chip select, spi_*, tc_*, rtd_*).
import { parsePin, type ConfigSection } from '../config/section';
import type { PinDesc } from '../config/options';
import type { Mcu } from '../mcu/mcu';
import { TmcSpiBus } from '../mcu/tmc-spi';
import type { Printer } from '../printer';
import type { TemperatureCallback } from './adc-temperature';
import type { TemperatureSensor } from './heater';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import {
  configWrites,
  faultText,
  MAX31856_AVERAGING,
  MAX31856_TC_TYPES,
  rawLimits,
  tempFromValue,
  type SpiChipSettings,
  type SpiTemperatureChip,
} from './spi-temperature-chips';

export const SPI_TEMPERATURE_REPORT_TIME_S = 0.3;
export const SPI_TEMPERATURE_MAX_INVALID_COUNT = 3;
const DEFAULT_SPI_SPEED_HZ = 4_000_000;
/** These chips shift data out on SCK's rising edge: SPI mode 1 (the MAX31856/65 take 1 or 3). */
const SPI_MODE = 1;
const QUERY_THERMOCOUPLE = 'query_thermocouple oid=%c clock=%u rest_ticks=%u min_value=%u max_value=%u max_invalid_count=%c';

/** Reads and checks the chip options of a sensor section (errors name the section and option). */
export function readSpiChipSettings(section: ConfigSection, chip: SpiTemperatureChip): SpiChipSettings {
  const tcType = section.getString('tc_type', 'K').toUpperCase();
  if (!(tcType in MAX31856_TC_TYPES))
    throw section.error(
      'tc_type',
      `Option 'tc_type' in section '${section.name}' must be one of ${Object.keys(MAX31856_TC_TYPES).join(', ')} (got '${tcType}')`,
    );
  const avg = section.getInt('tc_averaging_count', 1);
  if (!(avg in MAX31856_AVERAGING))
    throw section.error(
      'tc_averaging_count',
      `Option 'tc_averaging_count' in section '${section.name}' must be 1, 2, 4, 8 or 16 (got ${avg})`,
    );
  const wires = section.getInt('rtd_num_of_wires', 2);
  if (![2, 3, 4].includes(wires))
    throw section.error('rtd_num_of_wires', `Option 'rtd_num_of_wires' in section '${section.name}' must be 2, 3 or 4 (got ${wires})`);
  const nominal = section.getFloat('rtd_nominal_r', 100, { above: 0 });
  const reference = section.getFloat('rtd_reference_r', 430, { above: 0 });
  if (chip === 'MAX31865' && nominal >= reference)
    throw section.error(
      'rtd_reference_r',
      `Option 'rtd_reference_r' in section '${section.name}' (${reference} ohm) must be above rtd_nominal_r (${nominal} ohm): the MAX31865 measures the RTD against it (PT100: 430, PT1000: 4300)`,
    );
  return {
    chip,
    tcType,
    tcUse50Hz: section.getBoolean('tc_use_50Hz_filter', false),
    tcAveragingCount: avg,
    rtdNominalOhm: nominal,
    rtdReferenceOhm: reference,
    rtdWires: wires,
    rtdUse50Hz: section.getBoolean('rtd_use_50Hz_filter', false),
  };
}

export class SpiTemperatureSensor implements TemperatureSensor {
  readonly oid: number;
  readonly settings: SpiChipSettings;
  readonly spi: TmcSpiBus;
  private readonly mcu: Mcu;
  private callback: TemperatureCallback | null = null;
  private faulted = false;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    chip: SpiTemperatureChip,
    /** sensor_pin as its section read it (a pin option: a PinDesc). */
    sensorPin: { pin: string; chip: string } | undefined,
    private readonly minTempC: number,
    private readonly maxTempC: number,
  ) {
    this.settings = readSpiChipSettings(section, chip);
    const csPin = sensorPin as PinDesc | undefined;
    if (!csPin)
      throw section.error(
        'sensor_pin',
        `Option 'sensor_pin' in section '${section.name}' must be specified (the ${chip}'s chip select pin)`,
      );
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.resolve(csPin, section.placeOf('sensor_pin')); // claimed with the section's other pins
    this.mcu = mcuForPin(printer, csPin, section, 'sensor_pin');
    const software = this.softwarePins(section, csPin);
    for (const [opt, p] of Object.entries(software ?? {}))
      pins.claim(p, `[${section.name}] spi_software_${opt}_pin`, section.placeOf(`spi_software_${opt}_pin`), 'spi_software');
    const speedHz = section.getInt('spi_speed', DEFAULT_SPI_SPEED_HZ, { above: 0 });
    const spiBus = section.has('spi_bus') ? section.getString('spi_bus') : undefined;
    this.spi = new TmcSpiBus(this.mcu, { csPin, spiBus, software, speedHz, chainLength: 1, mode: SPI_MODE });
    this.oid = this.mcu.createOid();
    const name = section.name;
    this.mcu.registerConfigCallback(() => {
      this.mcu.addConfigCmd(`config_thermocouple oid=${this.oid} spi_oid=${this.spi.oid} thermocouple_type=${chip}`);
      for (const bytes of configWrites(this.settings)) this.spi.addInitBytes(bytes);
    });
    this.mcu.registerResponse(
      (p) => this.onResult(name, p.next_clock as number, p.value as number, p.fault as number),
      'thermocouple_result',
      this.oid,
    );
  }

  /** spi_software_sclk/mosi/miso_pin: all three (on the chip select's MCU) or none. */
  private softwarePins(section: ConfigSection, csPin: PinDesc): { sclk: PinDesc; mosi: PinDesc; miso: PinDesc } | undefined {
    const opts = ['sclk', 'mosi', 'miso'] as const;
    const given = opts.filter((o) => section.has(`spi_software_${o}_pin`));
    if (given.length === 0) return undefined;
    if (given.length !== 3)
      throw section.error(
        `spi_software_${given[0]}_pin`,
        `[${section.name}] needs all three of spi_software_sclk_pin, spi_software_mosi_pin and spi_software_miso_pin (or none, for a hardware bus)`,
      );
    const out = {} as Record<(typeof opts)[number], PinDesc>;
    for (const o of opts) {
      const option = `spi_software_${o}_pin`;
      const pin = parsePin(section.getString(option), {}, (why) => section.error(option, why));
      if (pin.chip !== csPin.chip)
        throw section.error(
          option,
          `Option '${option}' in section '${section.name}' must be on the same MCU as sensor_pin ('${csPin.chip}')`,
        );
      out[o] = pin;
    }
    return out;
  }

  setCallback(cb: TemperatureCallback): void {
    this.callback = cb;
  }

  /** The raw range the MCU enforces for min_temp/max_temp. */
  rangeLimits(): { minValue: number; maxValue: number } {
    return rawLimits(this.settings, this.minTempC, this.maxTempC);
  }

  startSampling(): void {
    this.faulted = false;
    const clock = this.mcu.getClockAt(this.mcu.monotonic() + 0.5 + this.oid * 0.01);
    const { minValue, maxValue } = this.rangeLimits();
    this.mcu
      .lookupCommand(QUERY_THERMOCOUPLE)
      .send([
        this.oid,
        clock,
        this.mcu.secondsToClock(SPI_TEMPERATURE_REPORT_TIME_S),
        minValue >>> 0,
        maxValue >>> 0,
        SPI_TEMPERATURE_MAX_INVALID_COUNT,
      ]);
  }

  private onResult(sectionName: string, nextClock32: number, value: number, fault: number): void {
    if (fault) {
      if (this.faulted) return;
      this.faulted = true;
      const msg = `${this.settings.chip} temperature sensor of [${sectionName}] reports a fault: ${faultText(this.settings.chip, fault)} (fault bits 0x${fault.toString(16).padStart(2, '0')}). Check its wiring and connector, then FIRMWARE_RESTART`;
      void this.printer.invokeShutdown(msg);
      return;
    }
    if (!this.callback) return;
    const readClock = this.mcu.clock32ToClock64(nextClock32) - this.mcu.secondsToClock(SPI_TEMPERATURE_REPORT_TIME_S);
    this.callback(this.mcu.clockToPrintTime(readClock), tempFromValue(this.settings, value));
  }
}
