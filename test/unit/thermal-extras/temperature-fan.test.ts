// [temperature_fan]: watermark and PID maths against values worked out by hand, the speed limits
// and refresh rule of the fan itself, SET_TEMPERATURE_FAN_TARGET's checks, and config errors.
import { describe, expect, it } from 'vitest';
import { GCodeCommand } from '../../../src-main/host/gcode/command';
import { parseLine } from '../../../src-main/host/gcode/parser';
import { FanPidControl, FanWatermarkControl, TemperatureFan } from '../../../src-main/host/objects/temperature-fan';
import { CARTESIAN, loadText, loadError } from '../objects/load-helpers';

const cmd = (line: string) => new GCodeCommand(parseLine(line), line);

const FAN = `
[temperature_fan board]
pin: PE3
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7
min_temp: 0
max_temp: 80
`;

/** A TemperatureFan on a batch-loaded printer whose speed changes are recorded instead of sent. */
function fanWith(extra: string): { fan: TemperatureFan; sent: [number, number][] } {
  const p = loadText(`${CARTESIAN}\n${FAN}${extra}`);
  const sent: [number, number][] = [];
  const fan = new TemperatureFan(p.printer, p.config.get('temperature_fan board'), (speed, t) => sent.push([speed, t]));
  return { fan, sent };
}

describe('temperature_fan control', () => {
  it('watermark: full speed from target + max_delta, off from target - max_delta, holds in between', () => {
    const c = new FanWatermarkControl(2);
    const seq = [30, 41, 42, 39, 38.5, 38, 41.9].map((t, i) => c.update(i, t, 40, 0.8));
    expect(seq).toEqual([0, 0, 0.8, 0.8, 0.8, 0, 0]);
  });

  it('PID: max_speed minus the bounded PID output, derivative over pid_deriv_time, no wind-up', () => {
    // Gains per 255: Kp 0.1, Ki 0.01, Kd 0.5 per degree; pid_deriv_time 2 s; target 40; max_speed 1.
    const c = new FanPidControl(25.5, 2.55, 127.5, 2);
    const at = (t: number, temp: number) => c.update(t, temp, 40, 1);
    expect(at(0, 45)).toBeCloseTo(1, 12); // err -5: output -0.5 -> 0 -> full speed
    // dt 1 < 2: deriv = (0 * 1 + (38 - 45)) / 2 = -3.5; err 2, integ 2: 0.2 + 0.02 + 1.75 -> 1 (saturated)
    expect(at(1, 38)).toBeCloseTo(0, 12);
    // dt 2: deriv 0.5; err 1; integ 0 + 2 (the saturated step did not keep its 2): 0.1 + 0.02 - 0.25 < 0
    expect(at(3, 39)).toBeCloseTo(1, 12);
    expect(at(5, 39)).toBeCloseTo(1 - 0.12, 12); // deriv 0, integ 2: output 0.12, kept
    expect(at(7, 39)).toBeCloseTo(1 - 0.14, 12); // integ 4: output 0.14
  });

  it('the fan applies min_speed, target 0 and the 0.05 change threshold; an unchanged speed is refreshed', () => {
    const { fan, sent } = fanWith('control: pid\npid_Kp: 25.5\npid_Ki: 0\npid_Kd: 0\ntarget_temp: 40\nmin_speed: 0.3\n');
    fan.onReading(10, 45); // output -0.5 -> full speed
    fan.onReading(10.3, 45.01); // same speed: not sent again
    fan.onReading(10.6, 38); // output 0.2 -> 0.8
    fan.onReading(10.9, 33); // output 0.7 -> 0.3 (= min_speed)
    fan.onReading(11.2, 32); // output 0.8 -> 0.2, raised to min_speed 0.3: unchanged
    fan.onReading(16, 32); // 0.3 again, but 4.7 s after the last send (> 0.75 * 5 s): refreshed
    expect(sent.map(([s]) => s)).toEqual([1, 0.8, 0.3, 0.3]);
    // Sent one report period (0.3 s) after the reading, so the MCU gets it in time.
    expect(sent[0]![1]).toBeCloseTo(10.3, 9);
    fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board TARGET=0'));
    fan.onReading(16.3, 60);
    expect(sent.at(-1)![0]).toBe(0);
    expect(fan.getStatus()).toMatchObject({ temperature: 60, target: 0 });
  });

  it('SET_TEMPERATURE_FAN_TARGET: TARGET defaults to target_temp; range and speed checks', () => {
    const { fan } = fanWith('target_temp: 35\n');
    fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board TARGET=50 MIN_SPEED=0.4 MAX_SPEED=0.9'));
    expect([fan.targetC, fan.minSpeed, fan.maxSpeed]).toEqual([50, 0.4, 0.9]);
    fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board'));
    expect([fan.targetC, fan.minSpeed, fan.maxSpeed]).toEqual([35, 0.4, 0.9]);
    expect(() => fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board TARGET=90'))).toThrow(
      'Requested temperature (90.0) out of range (0.0:80.0)',
    );
    expect(() => fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board MIN_SPEED=0.95'))).toThrow(
      'Requested min speed (0.9) is greater than max speed (0.9)',
    );
    expect(() => fan.cmdSetTarget(cmd('SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=board MAX_SPEED=1.5'))).toThrow(
      'Requested max speed (1.5) out of range (0.0 : 1.0)',
    );
  });
});

describe('[temperature_fan] options', () => {
  it("loads with Klipper's defaults: watermark, target 40, speeds 0.3..1, shutdown at max_power", () => {
    const { fan } = fanWith('max_power: 0.7\n');
    expect(fan.settings).toMatchObject({ control: 'watermark', max_delta: 2, target_temp: 40, min_speed: 0.3, max_speed: 1 });
    expect(fan.fan.pwm).toBeDefined();
  });

  it('target_temp defaults to max_temp when that is below 40', () => {
    const { fan } = fanWith('');
    expect(fan.targetC).toBe(40);
    const p = loadText(`${CARTESIAN}\n${FAN.replace('max_temp: 80', 'max_temp: 35')}`);
    const low = new TemperatureFan(p.printer, p.config.get('temperature_fan board'), () => undefined);
    expect(low.targetC).toBe(35);
  });

  it('names the option and line of a mistake', () => {
    expect(loadError(`${CARTESIAN}\n${FAN}target_temp: 90\n`)).toMatch(
      /Option 'target_temp' in section 'temperature_fan board' must be between min_temp and max_temp \(0:80\).*printer\.cfg:\d+/,
    );
    expect(loadError(`${CARTESIAN}\n${FAN}control: pid\npid_Kp: 1\npid_Ki: 1\n`)).toMatch(
      /Option 'pid_kd' in section 'temperature_fan board' must be specified \(control: pid\)/,
    );
    expect(loadError(`${CARTESIAN}\n${FAN}min_speed: 1.2\n`)).toMatch(/min_speed.*maximum of 1.*printer\.cfg:\d+/);
    expect(loadError(`${CARTESIAN}\n${FAN.replace('max_temp: 80', 'max_temp: -5')}`)).toMatch(/'max_temp' .* must be above 0/);
  });
});
