// [static_pwm_clock NAME]: a clock signal for another chip on the board (an eddy-current sensor's
// oscillator): the pin's hardware PWM is set once at start-up to `frequency` at half duty and
// never changed. The period must be a whole number of MCU clock ticks, at least two.
import { formatPlace } from '../config/errors';
import type { ConfigSection } from '../config/section';
import { McuError } from '../mcu/mcu';
import type { Printer } from '../printer';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import { STATIC_PWM_CLOCK_OPTIONS } from './static-pwm-clock-options';

export function loadStaticPwmClock(printer: Printer, section: ConfigSection): void {
  const o = section.read(STATIC_PWM_CLOCK_OPTIONS);
  printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
  const mcu = mcuForPin(printer, o.pin, section, 'pin');
  mcu.registerConfigCallback(() => {
    const cycleTicks = mcu.secondsToClock(1 / o.frequency);
    if (cycleTicks < 2) {
      throw new McuError(
        `Option 'frequency' in section '${section.name}' is too high for MCU '${mcu.name}': its clock gives at most ${Math.floor(mcu.secondsToClock(1) / 2)} Hz (${formatPlace(section.placeOf('frequency'))})`,
      );
    }
    const pwmMax = mcu.getConstantFloat('PWM_MAX');
    mcu.addConfigCmd(`set_pwm_out pin=${o.pin.pin} cycle_ticks=${cycleTicks} value=${Math.round(pwmMax / 2)}`);
  });
}
