// Tether's AVR firmware on simulated silicon (simavr-printer, Debian's libsimavr 1.6): identify,
// configure, queued steps whose executed count (rising edges on the step pin, and the position
// from step + dir edges) equals the planned count, the thermistor ADC reports, a timed digital
// output and emergency_stop. The chip runs unpaced from a pre-encoded command script (the clock
// starts at 0 at reset and simavr is cycle-exact, so absolute clocks are known in advance).
// simavr 1.6 faults worked around (see firmware/boards/avr/main.c and printer.c): the firmware
// idles with `sei; sleep` (interrupts are taken two instructions after `sei`), never writes
// TIFR1 and extends Timer1 without TOV1 (simavr clears every Timer1 flag together); the board
// program feeds received bytes at the wire rate (the firmware's UART runs without U2X, which
// simavr ignores; it drops bytes raised faster).
import { describe, expect, it } from 'vitest';
import { toolsPresent } from '../support/tools';
import { avrDictionary, buildAvr, runScript } from '../tools/simavr-printer/harness';

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('AVR firmware on simavr', () => {
  it('atmega2560: identify, config, queued steps counted, ADC, shutdown', () => {
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const planned = [
      [0, 4000, 300, 0], // oid, interval, count, add
      [0, 3000, 200, 5],
      [1, 2500, 450, 0],
    ];
    const lines = [
      'identify offset=0 count=40',
      'allocate_oids count=4',
      // step_pulse_ticks: the host's default 2 us (32 ticks), and a long one that must be waited out.
      'config_stepper oid=0 step_pin=PA0 dir_pin=PA1 invert_step=0 step_pulse_ticks=32',
      'config_stepper oid=1 step_pin=PC0 dir_pin=PC1 invert_step=0 step_pulse_ticks=400',
      'config_analog_in oid=2 pin=PF5', // ADC5; port K (ADC8-15) is not simulated by simavr 1.6: see below
      'config_digital_out oid=3 pin=PB4 value=0 default_value=0 max_duration=0',
      'finalize_config crc=1234',
      'get_config',
      'reset_step_clock oid=0 clock=1000000',
      'set_next_step_dir oid=0 dir=1',
      ...planned.filter((p) => p[0] === 0).map(([o, i, c, a]) => `queue_step oid=${o} interval=${i} count=${c} add=${a}`),
      'reset_step_clock oid=1 clock=1200000',
      ...planned.filter((p) => p[0] === 1).map(([o, i, c, a]) => `queue_step oid=${o} interval=${i} count=${c} add=${a}`),
      'query_analog_in oid=2 clock=1500000 sample_ticks=2000 sample_count=4 rest_ticks=400000 bytes_per_report=2 min_value=0 max_value=4092 range_check_count=4',
      'queue_digital_out oid=3 clock=1600000 on_ticks=1',
      'stepper_get_position oid=0',
    ];
    const run = runScript(img, dict, lines, { cycles: 4_000_000, name: 'e2e', steppers: ['PA0:PA1', 'PC0:PC1'] });
    const by = (name: string) => run.responses.filter((m) => m.format.name === name);

    expect(by('starting')).toHaveLength(1); // no watchdog or crash reset
    expect(by('shutdown')).toHaveLength(0);
    const id = by('identify_response')[0];
    expect(id.params.offset).toBe(0);
    expect((id.params.data as Uint8Array).length).toBe(40);
    expect(by('config').map((m) => m.params)).toContainEqual({ is_config: 1, crc: 1234, is_shutdown: 0, move_count: expect.any(Number) });

    const plannedSteps = (oid: number) => planned.filter((p) => p[0] === oid).reduce((n, p) => n + p[2], 0);
    expect(run.report.rises.PA0).toBe(plannedSteps(0));
    expect(run.report.rises.PC0).toBe(plannedSteps(1));
    expect(run.report.positions.PA0).toBe(plannedSteps(0)); // dir=1: forward
    expect(run.report.positions.PC0).toBe(-plannedSteps(1)); // dir=0: backward
    expect(run.report.rises.PB4).toBe(1); // the timed digital output went high
    // Every step pulse lasted step_pulse_ticks at the least (cycles the pin stayed high).
    const minHigh = run.report.min_high;
    expect(minHigh.PA0).toBeGreaterThanOrEqual(32);
    expect(minHigh.PC0).toBeGreaterThanOrEqual(400);

    // 100k NTC at 25 C behind 4.7k: 4775 mV of 5 V -> ~977 per sample, 4 samples summed.
    const adc = by('analog_in_state');
    expect(adc.length).toBeGreaterThanOrEqual(2);
    const v = adc[0].params.values as Uint8Array;
    const sum = v[0] | (v[1] << 8);
    expect(sum).toBeGreaterThan(4 * 960);
    expect(sum).toBeLessThan(4 * 990);
  });

  it('atmega2560: the step path at its limit keeps every step and every 2 us pulse', () => {
    // One stepper stepping every 100 ticks (160 kHz) and three every 1000: the burst loop and
    // the inline step of steppers taking turns; all steps taken, none shorter than 32 ticks.
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const lines = ['allocate_oids count=4'];
    const pins = ['PA0', 'PA2', 'PA4', 'PA6'];
    pins.forEach((p, i) => lines.push(`config_stepper oid=${i} step_pin=${p} dir_pin=PC${i} invert_step=0 step_pulse_ticks=32`));
    lines.push('finalize_config crc=1', 'reset_step_clock oid=0 clock=1000000', 'queue_step oid=0 interval=100 count=5000 add=0');
    for (let i = 1; i < 4; i++) lines.push(`reset_step_clock oid=${i} clock=1600000`, `queue_step oid=${i} interval=1000 count=400 add=2`);
    const run = runScript(img, dict, lines, { cycles: 3_000_000, name: 'step-limit' });
    expect(run.responses.filter((m) => m.format.name === 'shutdown')).toEqual([]);
    expect(run.report.rises).toMatchObject({ PA0: 5000, PA2: 400, PA4: 400, PA6: 400 });
    const minHigh = run.report.min_high;
    for (const p of pins) expect(minHigh[p]).toBeGreaterThanOrEqual(32);
  });

  it('atmega2560: steppers taking turns (the hand-written step path) keep counts, directions and pulses', () => {
    // Two steppers in step with each other, one out of phase, one stepping on both edges; runs
    // that change direction and interval (add), so the path leaves for each run's last step.
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const lines = [
      'allocate_oids count=4',
      // 48 ticks: the longest pulse the step path holds without waiting (BOARD_STEP_PULSE_INLINE_TICKS)
      'config_stepper oid=0 step_pin=PA0 dir_pin=PA1 invert_step=0 step_pulse_ticks=48',
      'config_stepper oid=1 step_pin=PA2 dir_pin=PA3 invert_step=0 step_pulse_ticks=32',
      'config_stepper oid=2 step_pin=PA4 dir_pin=PA5 invert_step=0 step_pulse_ticks=32',
      'config_stepper oid=3 step_pin=PA6 dir_pin=PA7 invert_step=-1 step_pulse_ticks=0',
      'finalize_config crc=1',
      'reset_step_clock oid=0 clock=1000000',
      'set_next_step_dir oid=0 dir=1',
      'queue_step oid=0 interval=600 count=1500 add=0',
      'set_next_step_dir oid=0 dir=0',
      'queue_step oid=0 interval=700 count=400 add=-1',
      'reset_step_clock oid=1 clock=1000000',
      'set_next_step_dir oid=1 dir=1',
      'queue_step oid=1 interval=600 count=2000 add=0',
      'reset_step_clock oid=2 clock=1000313',
      'queue_step oid=2 interval=1237 count=700 add=0',
      'set_next_step_dir oid=2 dir=1',
      'queue_step oid=2 interval=1000 count=300 add=1',
      'reset_step_clock oid=3 clock=1000000',
      'queue_step oid=3 interval=600 count=2000 add=0',
    ];
    const run = runScript(img, dict, lines, {
      cycles: 3_000_000,
      name: 'steppers-in-turns',
      steppers: ['PA0:PA1', 'PA2:PA3', 'PA4:PA5'],
    });
    expect(run.responses.filter((m) => m.format.name === 'shutdown')).toEqual([]);
    expect(run.report.rises).toMatchObject({ PA0: 1900, PA2: 2000, PA4: 1000, PA6: 1000 }); // PA6: 2000 toggles
    expect(run.report.positions).toMatchObject({ PA0: 1500 - 400, PA2: 2000, PA4: -700 + 300 });
    const minHigh = run.report.min_high;
    expect(minHigh.PA0).toBeGreaterThanOrEqual(48);
    expect(minHigh.PA2).toBeGreaterThanOrEqual(32);
    expect(minHigh.PA4).toBeGreaterThanOrEqual(32);
  });

  it('atmega2560: commands are received and answered while steppers step in turns near their limit', () => {
    // Three steppers every 500 ticks (the limit is ~363) from clock 130000 while 25 get_clock
    // commands arrive at the wire rate (within the host's 192-byte receive window): the timer
    // interrupt lets the UART interrupts in and gives the main loop its turns, so every step is
    // taken and every command answered while the steppers run.
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const lines = ['allocate_oids count=3'];
    for (let i = 0; i < 3; i++) lines.push(`config_stepper oid=${i} step_pin=PA${2 * i} dir_pin=PA${2 * i + 1} invert_step=0 step_pulse_ticks=32`);
    lines.push('finalize_config crc=1');
    for (let i = 0; i < 3; i++) lines.push(`reset_step_clock oid=${i} clock=130000`, `queue_step oid=${i} interval=500 count=3000 add=0`);
    for (let i = 0; i < 25; i++) lines.push('get_clock');
    const run = runScript(img, dict, lines, { cycles: 1_800_000, name: 'uart-while-stepping' });
    expect(run.responses.filter((m) => m.format.name === 'shutdown')).toEqual([]);
    expect(run.report.rises).toMatchObject({ PA0: 3000, PA2: 3000, PA4: 3000 });
    const clocks = run.responses.filter((m) => m.format.name === 'clock').map((m) => m.params.clock as number);
    expect(clocks).toHaveLength(25);
    // Most answered while the steppers ran (130000 .. 1630000).
    expect(clocks.filter((c) => c > 130_000 && c < 1_630_000).length).toBeGreaterThan(15);
  });

  it('atmega2560: six steppers with random runs beside an ADC timer take exactly the planned steps', () => {
    // Seeded random runs (intervals 16 and 32-bit, accelerating and decelerating, both
    // directions), phases that differ, a long pulse and a both-edge stepper, and an analog input
    // whose timer sits among them in the list: every walk of the hand-written re-sort.
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n; // the high bits (an LCG's low bits repeat)
    };
    const pins = ['PA0:PA1', 'PA2:PA3', 'PA4:PA5', 'PA6:PA7', 'PC0:PC1', 'PC2:PC3'];
    const lines = ['allocate_oids count=7'];
    pins.forEach((pin, i) => {
      const [s, d] = pin.split(':');
      const invert = i === 5 ? -1 : 0; // both edges
      const pulse = i === 4 ? 200 : 32; // a long pulse, waited out
      lines.push(`config_stepper oid=${i} step_pin=${s} dir_pin=${d} invert_step=${invert} step_pulse_ticks=${invert < 0 ? 0 : pulse}`);
    });
    lines.push('config_analog_in oid=6 pin=PF5', 'finalize_config crc=1');
    const planned = pins.map(() => ({ steps: 0, position: 0 }));
    for (let i = 0; i < pins.length; i++) {
      lines.push(`reset_step_clock oid=${i} clock=${900000 + rnd(3000)}`); // after the script (~0.65 M)
      let clock = 0;
      while (clock < 1_400_000) {
        const dir = rnd(2);
        const wide = rnd(10) === 0; // a run whose intervals need 32 bits
        const count = wide ? 1 + rnd(3) : 20 + rnd(150);
        const interval = wide ? 70000 + rnd(10000) : 1500 + rnd(3000);
        const add = rnd(3) === 0 ? 0 : rnd(11) - 5;
        lines.push(`set_next_step_dir oid=${i} dir=${dir}`, `queue_step oid=${i} interval=${interval} count=${count} add=${add}`);
        planned[i]!.steps += count;
        planned[i]!.position += dir ? count : -count;
        clock += count * interval + (add * count * (count - 1)) / 2;
      }
      expect(clock).toBeLessThan(2_800_000); // the plan ends within the run (from 0.9 M to 4.2 M)
    }
    lines.push('query_analog_in oid=6 clock=800000 sample_ticks=2000 sample_count=4 rest_ticks=30000 bytes_per_report=2 min_value=0 max_value=4092 range_check_count=0');
    const run = runScript(img, dict, lines, { cycles: 4_200_000, name: 'random-runs', steppers: pins });
    expect(run.responses.filter((m) => m.format.name === 'shutdown')).toEqual([]);
    pins.forEach((p, i) => {
      const step = p.split(':')[0]!;
      if (i === 5) {
        expect(run.report.rises[step], step).toBe(Math.ceil(planned[i]!.steps / 2)); // both edges: toggles
      } else {
        expect(run.report.rises[step], step).toBe(planned[i]!.steps);
        expect(run.report.positions[step], step).toBe(planned[i]!.position);
        expect(run.report.min_high[step], step).toBeGreaterThanOrEqual(i === 4 ? 200 : 32);
      }
    });
    expect(run.responses.filter((m) => m.format.name === 'analog_in_state').length).toBeGreaterThan(10);
  });

  it('atmega2560: steppers queued faster than the chip can step shut down as late', () => {
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const lines = ['allocate_oids count=3'];
    for (let i = 0; i < 3; i++) lines.push(`config_stepper oid=${i} step_pin=PA${2 * i} dir_pin=PA${2 * i + 1} invert_step=0 step_pulse_ticks=32`);
    lines.push('finalize_config crc=1');
    for (let i = 0; i < 3; i++) lines.push(`reset_step_clock oid=${i} clock=1000000`, `queue_step oid=${i} interval=250 count=20000 add=0`);
    const run = runScript(img, dict, lines, { cycles: 4_000_000, name: 'steppers-too-fast' });
    const shutdown = run.responses.find((m) => m.format.name === 'shutdown');
    expect(shutdown).toBeDefined();
    const reasons = dict.enumerations.get('static_string_id')!;
    expect(reasons.byValue.get(shutdown!.params.static_string_id as number)).toBe('Rescheduled timer in the past');
    expect(run.report.rises.PA0).toBeLessThan(20000);
  });

  it('atmega2560 port K (ADC8-15): right registers; simavr 1.6 does not convert them', () => {
    // The datasheet (ATmega2560, ADC, "Input Channel Selections"): single-ended ADC8-15 are
    // MUX5:0 = 100000-100111, MUX5 in ADCSRB. The firmware sets exactly that (simavr-printer
    // peeks the registers); simavr 1.6's ATmega2560 ADC has no single-ended entries there and
    // reads 0 (1023 for 100101), whatever the pin's voltage: a simulator gap, not ours.
    const img = buildAvr('atmega2560', 16000000);
    const dict = avrDictionary(img);
    const run = runScript(
      img,
      dict,
      [
        'allocate_oids count=1',
        'config_analog_in oid=0 pin=PK5',
        'finalize_config crc=1',
        'query_analog_in oid=0 clock=1500000 sample_ticks=2000 sample_count=1 rest_ticks=400000 bytes_per_report=2 min_value=0 max_value=1023 range_check_count=0',
      ],
      { cycles: 2_000_000, name: 'adc-port-k', peek: '7b' },
    );
    const [adcsrb, admux, didr2] = run.peek!;
    expect(adcsrb & 0x08).toBe(0x08); // MUX5
    expect(admux).toBe(0x40 | 5); // REFS0 (AVcc), MUX4:0 = 00101: with MUX5, ADC13 = PK5
    expect(didr2).toBe(1 << 5); // ADC13's digital input buffer off
  });

  it('atmega328p: an emergency_stop shuts down and stops the stepper', () => {
    const img = buildAvr('atmega328p', 16000000);
    const dict = avrDictionary(img);
    const lines = [
      'allocate_oids count=1',
      'config_stepper oid=0 step_pin=PD2 dir_pin=PD3 invert_step=0 step_pulse_ticks=0',
      'finalize_config crc=1',
      'reset_step_clock oid=0 clock=400000',
      'queue_step oid=0 interval=16000 count=60000 add=0', // would take a minute
      'emergency_stop',
      'get_config',
    ];
    const run = runScript(img, dict, lines, { cycles: 2_000_000, name: 'estop-328p', steppers: ['PD2:PD3'] });
    const shutdown = run.responses.find((m) => m.format.name === 'shutdown');
    expect(shutdown).toBeDefined();
    const reasons = dict.enumerations.get('static_string_id')!;
    expect(reasons.byValue.get(shutdown!.params.static_string_id as number)).toBe('Command request');
    expect(run.report.rises.PD2 ?? 0).toBeLessThan(100);
    expect(run.responses.find((m) => m.format.name === 'config')?.params.is_shutdown).toBe(1);
  });
});
