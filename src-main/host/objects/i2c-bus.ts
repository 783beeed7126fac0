// An I2C device's place on its MCU: which MCU (i2c_mcu or the software pins' chip) and the
// config commands that set up its bus (config_i2c + i2c_set_bus, or i2c_set_sw_bus on two pins).
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

/**
 * The MCU a section's I2C device is on: i2c_mcu, or the MCU of its software SCL/SDA pins (both
 * claimed under shareGroup, so chips of one kind may share a line).
 */
export function i2cMcuOf(
  printer: Printer,
  section: ConfigSection,
  o: { i2c_mcu: string; i2c_software_scl_pin?: PinDesc; i2c_software_sda_pin?: PinDesc },
  shareGroup: string,
): Mcu {
  const scl = o.i2c_software_scl_pin;
  const sda = o.i2c_software_sda_pin;
  if (!!scl !== !!sda)
    throw section.error(
      scl ? 'i2c_software_scl_pin' : 'i2c_software_sda_pin',
      `[${section.name}] needs both i2c_software_scl_pin and i2c_software_sda_pin`,
    );
  if (scl && sda) {
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.claim(scl, `[${section.name}] i2c_software_scl_pin`, section.placeOf('i2c_software_scl_pin'), shareGroup);
    pins.claim(sda, `[${section.name}] i2c_software_sda_pin`, section.placeOf('i2c_software_sda_pin'), shareGroup);
    if (sda.chip !== scl.chip)
      throw section.error(
        'i2c_software_sda_pin',
        `i2c_software_sda_pin must be on the MCU of i2c_software_scl_pin in section '${section.name}'`,
      );
    return mcuForPin(printer, scl, section, 'i2c_software_scl_pin');
  }
  const found = printer.lookupObjectOrNull<Mcu>(o.i2c_mcu === 'mcu' ? 'mcu' : `mcu ${o.i2c_mcu}`);
  if (!found) throw section.error('i2c_mcu', `Unknown i2c_mcu '${o.i2c_mcu}' in section '${section.name}'`);
  return found;
}

/** config_i2c and the bus set-up for oid (call from the MCU's config callback); a bus the MCU lacks names option i2c_bus. */
export function addI2cBusConfig(
  mcu: Mcu,
  section: ConfigSection,
  oid: number,
  wiring: { address: number; speedHz: number; bus?: string; software: { scl: { pin: string }; sda: { pin: string } } | null },
): void {
  mcu.addConfigCmd(`config_i2c oid=${oid}`);
  const sw = wiring.software;
  if (sw) {
    // Half a clock period per level.
    const pulseTicks = Math.max(1, Math.round(mcu.getConstantFloat('CLOCK_FREQ') / wiring.speedHz / 2));
    mcu.addConfigCmd(
      `i2c_set_sw_bus oid=${oid} scl_pin=${sw.scl.pin} sda_pin=${sw.sda.pin} pulse_ticks=${pulseTicks} address=${wiring.address}`,
    );
    return;
  }
  const buses = mcu.dictionary.enumerations.get('i2c_bus');
  const bus = wiring.bus ?? buses?.byValue.get(0);
  if (bus === undefined || (buses && !buses.byName.has(bus)))
    throw section.error(
      'i2c_bus',
      `i2c_bus '${bus ?? ''}' is not a bus of MCU '${mcu.name}' (buses: ${[...(buses?.byName.keys() ?? [])].join(', ')})`,
    );
  mcu.addConfigCmd(`i2c_set_bus oid=${oid} i2c_bus=${bus} rate=${wiring.speedHz} address=${wiring.address}`);
}
