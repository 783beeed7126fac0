// [heater_generic], [temperature_fan] (on a temperature_combined sensor) and [fan_generic] on the
// sim's thermal model, over a real pty in real time: one printer start, several checks.
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';

type Ev = { ev: string; name?: string; temp?: number; clock?: number; value?: number };

const EXTRAS = `
[heater_generic chamber]
gcode_id: C
heater_pin: PH3
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7
control: pid
pid_Kp: 9.4
pid_Ki: 0.28
pid_Kd: 0
min_temp: 0
max_temp: 120

[temperature_fan chamber_fan]
pin: PE3
sensor_type: temperature_combined
sensor_list: heater_generic chamber
combination_method: max
maximum_deviation: 999
control: watermark
max_delta: 1
target_temp: 40
min_temp: 0
max_temp: 120

[fan_generic aux]
pin: PE4

[pwm_cycle_time beeper]
pin: PC1
cycle_time: 0.001
`;

describe('live thermal extras', () => {
  it('heater_generic heats to target and holds it; temperature_fan runs once its sensor passes target; fan_generic follows SET_FAN_SPEED', async () => {
    // The chamber is modelled as the sim's hotend block (generated from [heater_generic]: 40 W,
    // 0.12 W/K loss) at half its heat capacity (4 J/K) so it heats in seconds; PI gains from an
    // IMC tuning of that block (gain 333 C/duty, 33 s time constant, 0.45 s dead time, lambda 5 s):
    // an offline run of the same PID says 58.5 C after ~9 s, then 59.5 +- 0.3 C.
    const p = await startLivePrinter('thermal-extras', {
      edit: (c) => `${c}\n${EXTRAS}`,
      overrides: { heaters: { 'heater_generic chamber': { heat_capacity_j_per_k: 4 } } },
    });
    const fanStatus = () =>
      p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('temperature_fan chamber_fan').getStatus();
    try {
      // Cold: the chamber fan is off (25 C is below target - max_delta). 1.5 s of real time is
      // five periods of the combined sensor, so the fan has had readings to act on.
      await new Promise((r) => setTimeout(r, 1500));
      expect(fanStatus().speed).toBe(0);
      await p.run('SET_HEATER_TEMPERATURE HEATER=chamber TARGET=60');
      const waitOut = await p.run('TEMPERATURE_WAIT SENSOR="heater_generic chamber" MINIMUM=58.5');
      expect(waitOut).toMatch(/C:\d+\.\d \/60\.0/);
      // By now the combined sensor (0.3 s period) has seen > 41 C: the fan runs at max_speed.
      const fanDeadline = Date.now() + 5000;
      while (fanStatus().speed !== 1 && Date.now() < fanDeadline) await new Promise((r) => setTimeout(r, 100));
      expect(fanStatus().speed).toBe(1);
      // Hold: PID settles; then the sim's own temperatures (once a second in the trace) must be within +-2 C.
      await new Promise((r) => setTimeout(r, 4000));
      const m105 = await p.run('M105');
      const chamber = Number(/C:([\d.]+) \/60\.0/.exec(m105)![1]);
      const trace = p.trace() as Ev[];
      const heaterEvents = trace.filter((e) => e.ev === 'heater' && e.name === 'heater_generic chamber');
      const last = heaterEvents.slice(-4).map((e) => e.temp!);
      console.log(`chamber: M105 ${chamber} C, sim readings ${heaterEvents.map((e) => e.temp!.toFixed(1)).join(', ')}`);
      expect(Math.abs(chamber - 60)).toBeLessThan(2);
      expect(last.length).toBe(4);
      for (const t of last) expect(Math.abs(t - 60)).toBeLessThan(2);
      // The fan's pin went high only after the sim's chamber passed the target: the last heater
      // sample before the fan event is at least target - max_delta (samples are 1 s apart, so
      // the chamber may have been a few degrees cooler then, never below ambient's side of 39).
      const fanOn = trace.find((e) => e.ev === 'fan' && e.name === 'temperature_fan chamber_fan' && e.value === 1);
      expect(fanOn).toBeDefined();
      const before = heaterEvents.filter((e) => e.clock! <= fanOn!.clock!).pop();
      const after = heaterEvents.find((e) => e.clock! > fanOn!.clock!);
      console.log(`fan on at clock ${fanOn!.clock}: chamber ${before?.temp?.toFixed(2)} C before, ${after?.temp?.toFixed(2)} C after`);
      expect(after!.temp!).toBeGreaterThan(41);
      // Target 0: the temperature fan stops; the generic fan follows SET_FAN_SPEED.
      await p.run(
        'SET_TEMPERATURE_FAN_TARGET TEMPERATURE_FAN=chamber_fan TARGET=0\nSET_FAN_SPEED FAN=aux SPEED=0.5\nSET_PIN PIN=beeper VALUE=0.5 CYCLE_TIME=0.002',
      );
      const offDeadline = Date.now() + 5000;
      while (fanStatus().speed !== 0 && Date.now() < offDeadline) await new Promise((r) => setTimeout(r, 100));
      expect(fanStatus().speed).toBe(0);
      // Pin changes are queued for the MCU at their print time: give them 2 s to go out.
      await new Promise((r) => setTimeout(r, 2000));
      const status = await p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('fan_generic aux').getStatus();
      expect(status.speed).toBe(0.5);
      expect(p.host.printer.state).toBe('ready');
    } finally {
      await p.stop();
    }
    // The trace is read after the sim stopped (it flushes at exit): the fan events are all there.
    const trace = p.trace() as Ev[];
    // A soft-PWM fan's pin toggles each cycle (the trace has its levels): after the 0.1 s kick
    // start at full power, the high time over whole cycles is the speed.
    const aux = trace.filter((e) => e.ev === 'fan' && e.name === 'fan_generic aux');
    const rises = aux.filter((e) => e.value === 1).map((e) => e.clock!);
    expect(rises.length).toBeGreaterThan(20);
    const from = rises[rises.length - 21]!;
    const to = rises[rises.length - 1]!;
    let high = 0;
    for (let i = 0; i < aux.length - 1; i++) {
      const e = aux[i]!;
      if (e.value === 1 && e.clock! >= from && e.clock! < to) high += aux[i + 1]!.clock! - e.clock!;
    }
    const duty = high / (to - from);
    console.log(`fan_generic aux: duty ${duty.toFixed(3)} over the last 20 PWM cycles`);
    expect(Math.abs(duty - 0.5)).toBeLessThan(0.02);
    // The beeper got its new period (2 ms = 100000 ticks at 50 MHz) before its value, and the MCU
    // took both (a period change with updates pending would have shut it down).
    const cmds = trace.filter((e) => e.ev === 'cmd') as unknown as { name: string; args: Record<string, number> }[];
    const cycle = cmds.filter((e) => e.name === 'set_digital_out_pwm_cycle' && e.args.cycle_ticks === 100000);
    expect(cycle.length).toBe(1);
    expect(cmds.some((e) => e.name === 'queue_digital_out' && e.args.oid === cycle[0]!.args.oid && e.args.on_ticks === 50000)).toBe(true);
    expect(trace.some((e) => e.ev === 'shutdown')).toBe(false);
    const chamberFan = trace.filter((e) => e.ev === 'fan' && e.name === 'temperature_fan chamber_fan');
    expect(chamberFan.at(-1)!.value).toBe(0);
  }, 60_000);
});
