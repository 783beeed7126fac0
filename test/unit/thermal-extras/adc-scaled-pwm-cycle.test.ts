// [adc_scaled] (a sensor's ADC fraction through the measured vref/vssa, smoothing) and
// [pwm_cycle_time] (options, the MCU config of its pin), with their config errors.
import { describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { scaledCurve, smoothReading } from '../../../src-main/host/objects/adc-scaled';
import { loadPwmCycleTime } from '../../../src-main/host/objects/pwm-cycle-time';
import { CARTESIAN, connectMcu, loadText, loadError } from '../objects/load-helpers';

describe('[adc_scaled]', () => {
  it('reads a sensor through the measured reference', () => {
    const identity = { tempFromAdc: (a: number) => a * 100, adcFromTemp: (t: number) => t / 100 };
    const c = scaledCurve(identity, () => ({ vref: 0.9, vssa: 0.1 }));
    // raw 0.5 -> (0.5 - 0.1) / (0.9 - 0.1) = 0.5 -> 50; raw 0.26 -> 0.2 -> 20.
    expect(c.tempFromAdc(0.5)).toBeCloseTo(50, 12);
    expect(c.tempFromAdc(0.26)).toBeCloseTo(20, 12);
    expect(c.adcFromTemp(20)).toBeCloseTo(0.26, 12);
  });

  it('smooths vref/vssa over smooth_time', () => {
    expect(smoothReading(null, 5, 0.9, 2)).toBe(0.9);
    // 0.5 s of a 2 s smoothing: a quarter of the way from 0.9 to 0.7.
    expect(smoothReading({ timeS: 5, value: 0.9 }, 5.5, 0.7, 2)).toBeCloseTo(0.85, 12);
    expect(smoothReading({ timeS: 5, value: 0.9 }, 9, 0.7, 2)).toBeCloseTo(0.7, 12);
  });

  it('loads with its sensors written NAME:PIN; its pins are claimed and on one MCU', () => {
    const scaled = '[adc_scaled ref]\nvref_pin: PK1\nvssa_pin: PK2\n';
    const text = `${CARTESIAN.replace('sensor_pin: PK5', 'sensor_pin: ref:PK5')}\n${scaled}`;
    expect(() => loadText(text)).not.toThrow();
    expect(loadError(`${CARTESIAN}\n${scaled.replace('PK2', 'PK5')}`)).toMatch(
      /pin PK5 used multiple times in config: by \[adc_scaled ref\] vssa_pin/,
    );
    expect(loadError(`${CARTESIAN}\n${scaled.replace('vssa_pin: PK2', 'vssa_pin: other:PK2')}`)).toMatch(/must be on the same MCU/);
    expect(loadError(`${CARTESIAN}\n${scaled.replace('vref_pin: PK1\n', '')}`)).toMatch(/vref_pin.*adc_scaled ref/);
  });
});

describe('[pwm_cycle_time]', () => {
  it('configures a soft-PWM pin with its cycle_time on the MCU', async () => {
    const p = loadText(`${CARTESIAN}\n[pwm_cycle_time beeper]\npin: PC1\nvalue: 0\ncycle_time: 0.001\n`);
    // Batch mode only checks options: build the live pin on this printer.
    loadPwmCycleTime(p.printer, p.gcode, p.config.get('pwm_cycle_time beeper'), true);
    await connectMcu(p);
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    const cfg = lines.find((l) => /^config_digital_out oid=\d+ pin=PC1 value=0 default_value=0 max_duration=0$/.test(l));
    expect(cfg).toBeDefined();
    const oid = /oid=(\d+)/.exec(cfg!)![1];
    // 1 ms of the atmega2560's 16 MHz clock.
    expect(lines).toContain(`set_digital_out_pwm_cycle oid=${oid} cycle_ticks=16000`);
  });

  it('names a value beyond scale with its line', () => {
    expect(loadError(`${CARTESIAN}\n[pwm_cycle_time beeper]\npin: PC1\nvalue: 2\n`)).toMatch(
      /Option 'value' in section 'pwm_cycle_time beeper' must have maximum of 1.*printer\.cfg:\d+/,
    );
  });
});

describe('[static_pwm_clock]', () => {
  it('sets the hardware PWM once: frequency as cycle ticks, half of PWM_MAX', async () => {
    const p = await connectMcu(loadText(`${CARTESIAN}\n[static_pwm_clock osc]\npin: PB5\nfrequency: 1000\n`));
    // atmega2560: 16 MHz clock, PWM_MAX 255 -> 16000 ticks, value 128.
    expect(p.printer.lookupObject<Mcu>('mcu').configLines()).toContain('set_pwm_out pin=PB5 cycle_ticks=16000 value=128');
  });

  it('refuses a frequency the MCU clock cannot make, naming the line', async () => {
    const p = loadText(`${CARTESIAN}\n[static_pwm_clock osc]\npin: PB5\nfrequency: 24000000\n`);
    await expect(connectMcu(p)).rejects.toThrow(
      /'frequency' in section 'static_pwm_clock osc' is too high for MCU 'mcu': .*8000000 Hz \(printer\.cfg:\d+\)/,
    );
  });
});
