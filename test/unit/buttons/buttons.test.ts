// [filament_switch_sensor] and [gcode_button] on a batch-mode printer: options and their errors,
// the MCU config they write (config_buttons / buttons_add / buttons_query, Klipper's formats),
// the buttons_state ack rules, and the runout helper's pause / event_delay behaviour with a
// controlled clock.
import { describe, expect, it, vi } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { PrinterButtons } from '../../../src-main/host/objects/buttons';
import { debounceButton } from '../../../src-main/host/objects/buttons';
import type { FilamentSwitchSensor } from '../../../src-main/host/objects/filament-switch-sensor';
import { RunoutHelper, STARTUP_QUIET_S } from '../../../src-main/host/objects/filament-switch-sensor-runout';
import type { GCodeButton } from '../../../src-main/host/objects/gcode-button';
import { MacroTemplate } from '../../../src-main/host/objects/gcode-macro';
import type { IdleTimeout } from '../../../src-main/host/objects/idle-timeout';
import type { PauseResume } from '../../../src-main/host/objects/pause-resume';
import { CARTESIAN, loadText, type LoadedPrinter } from '../objects/load-helpers';

const SENSOR = `
[filament_switch_sensor runout]
switch_pin: ^!PE4
runout_gcode: M117 out
`;
const BUTTON = `
[gcode_button lcd]
pin: ^PE3
press_gcode: M117 pressed
release_gcode: M117 released
`;

function responses(p: LoadedPrinter): string[] {
  const out: string[] = [];
  p.gcode.onResponse((_kind, text) => out.push(text));
  return out;
}

describe('options', () => {
  it('loads with Klipper defaults; pause_on_runout brings PAUSE along', () => {
    const p = loadText(CARTESIAN + SENSOR + BUTTON);
    const s = p.printer.lookupObject<FilamentSwitchSensor>('filament_switch_sensor runout');
    expect(s.getStatus()).toEqual({ filament_detected: false, enabled: true });
    expect(p.printer.lookupObjectOrNull<PauseResume>('pause_resume')).not.toBeNull();
    expect(p.gcode.lookup('PAUSE')).toBeTruthy();
    expect(p.printer.lookupObject<GCodeButton>('gcode_button lcd').getStatus()).toEqual({ state: 'RELEASED' });
    for (const c of ['QUERY_FILAMENT_SENSOR', 'SET_FILAMENT_SENSOR', 'QUERY_BUTTON']) expect(p.gcode.lookup(c), c).toBeTruthy();
  });

  it('pause_on_runout: False adds no pause_resume', () => {
    const p = loadText(CARTESIAN + SENSOR.replace('runout_gcode', 'pause_on_runout: False\nrunout_gcode'));
    expect(p.printer.lookupObjectOrNull('pause_resume')).toBeNull();
  });

  it('rejects bad values naming the file and line', () => {
    expect(() => loadText(CARTESIAN + SENSOR + 'event_delay: 0\n')).toThrow(/event_delay.*printer\.cfg:\d+|printer\.cfg:\d+.*event_delay/s);
    expect(() => loadText(CARTESIAN + SENSOR + 'pause_delay: -1\n')).toThrow(/pause_delay/);
    expect(() => loadText(CARTESIAN + SENSOR + 'bogus: 1\n')).toThrow(
      /Option 'bogus' is not valid in section 'filament_switch_sensor runout'/,
    );
    expect(() => loadText(CARTESIAN + '[filament_switch_sensor x]\npause_on_runout: False\n')).toThrow(/switch_pin/);
    expect(() => loadText(CARTESIAN + '[gcode_button b]\npin: PE3\n')).toThrow(/press_gcode/);
    expect(() => loadText(CARTESIAN + '[gcode_button b]\npin: PE3\npress_gcode: M117\nanalog_range: 1,2\n')).toThrow(/not supported yet/);
    // The switch pin is claimed like any other pin.
    expect(() => loadText(CARTESIAN + SENSOR.replace('^!PE4', 'PE5'))).toThrow(/pin PE5 used multiple times/);
  });
});

describe('MCU config and buttons_state', () => {
  async function connected(): Promise<{ p: LoadedPrinter; lines: { line: string; init: boolean }[] }> {
    const p = loadText(CARTESIAN + SENSOR + BUTTON);
    const mcu = p.printer.lookupObject<Mcu>('mcu');
    const lines: { line: string; init: boolean }[] = [];
    const add = mcu.addConfigCmd.bind(mcu);
    vi.spyOn(mcu, 'addConfigCmd').mockImplementation((line, opts = {}) => {
      lines.push({ line, init: !!opts.isInit });
      add(line, opts);
    });
    await mcu.connect();
    return { p, lines };
  }

  it('one group for both pins: config_buttons, buttons_add (pull-up), buttons_query with the invert mask', async () => {
    const { lines } = await connected();
    const buttons = lines.filter((l) => /^(config_buttons|buttons_)/.test(l.line));
    const oid = /oid=(\d+)/.exec(buttons[0].line)![1];
    expect(buttons.map((l) => l.line)).toEqual([
      `config_buttons oid=${oid} button_count=2`,
      `buttons_add oid=${oid} pos=0 pin=PE4 pull_up=1`,
      `buttons_add oid=${oid} pos=1 pin=PE3 pull_up=1`,
      // First poll 1 s into print time + 10 ms per oid (16 MHz), every 2 ms, resend every 50 polls; PE4 is '!'.
      `buttons_query oid=${oid} clock=${16_000_000 + Number(oid) * 160_000} rest_ticks=32000 retransmit_count=50 invert=1`,
    ]);
    expect(buttons.map((l) => l.init)).toEqual([false, true, true, true]);
  });

  it('acks each report once, drops resent ones, calls back per changed pin', async () => {
    const { p } = await connected();
    const sensor = p.printer.lookupObject<FilamentSwitchSensor>('filament_switch_sensor runout');
    const button = p.printer.lookupObject<GCodeButton>('gcode_button lcd');
    // The group is reachable through the 'buttons' object.
    const group = p.printer.lookupObject<PrinterButtons>('buttons').groups[0];
    const state = (ack: number, ...s: number[]) =>
      group.onState({ oid: 0, ack_count: ack, state: Uint8Array.from(s) }, { receiveTimeS: 1 });
    state(0, 0b01);
    expect(group.ackCount).toBe(1);
    expect(sensor.runout.filamentPresent).toBe(true);
    state(0, 0b01); // a resend that crossed our ack
    expect(group.ackCount).toBe(1);
    state(1, 0b11, 0b01); // press and release, not acked yet
    expect(group.ackCount).toBe(3);
    expect(button.pressed).toBe(false);
    await p.gcode.run('M400'); // the templates went through the queue: press, then release
    expect(p.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('display_status').getStatus().message).toBe('released');
    state(3, 0b10); // filament gone, button pressed; the ack count wraps at 256 like the MCU's
    expect(sensor.runout.filamentPresent).toBe(false);
    expect(button.pressed).toBe(true);
    group.ackCount = 255;
    state(255, 0b00);
    expect(group.ackCount).toBe(256);
    state(255, 0b00); // resent across the wrap: old
    expect(group.ackCount).toBe(256);
    state(0, 0b10); // report 256 is numbered 0 on the wire
    expect(group.ackCount).toBe(257);
    expect(button.pressed).toBe(true);
  });

  it('QUERY_FILAMENT_SENSOR / SET_FILAMENT_SENSOR / QUERY_BUTTON answer as Klipper', async () => {
    const { p } = await connected();
    const out = responses(p);
    await p.gcode.run('QUERY_FILAMENT_SENSOR SENSOR=runout');
    await p.gcode.run('SET_FILAMENT_SENSOR SENSOR=runout ENABLE=0');
    await p.gcode.run('QUERY_BUTTON BUTTON=lcd');
    expect(out).toEqual(['// Filament Sensor runout: filament not detected', '// lcd: RELEASED']);
    expect(p.printer.lookupObject<FilamentSwitchSensor>('filament_switch_sensor runout').getStatus().enabled).toBe(false);
    await expect(p.gcode.run('QUERY_FILAMENT_SENSOR SENSOR=nope')).rejects.toThrow(/Unknown filament sensor 'nope' \(sensors: runout\)/);
    await expect(p.gcode.run('QUERY_BUTTON BUTTON=nope')).rejects.toThrow(/Unknown button 'nope'/);
  });
});

describe('runout helper', () => {
  function helper(o: { pause: boolean; eventDelayS?: number; insert?: boolean }) {
    const p = loadText(CARTESIAN + '[pause_resume]\n');
    const ran: string[] = [];
    p.gcode.register('MARK', (c) => void ran.push(c.get('WHAT')), { help: 'test' });
    p.gcode.replace('PAUSE', () => void ran.push('PAUSE'), { help: 'test' });
    let nowS = 100;
    const sleeps: number[] = [];
    const h = new RunoutHelper(
      p.printer,
      p.gcode,
      'test',
      {
        pauseOnRunout: o.pause,
        runoutGcode: new MacroTemplate(p.printer, p.gcode, 'runout', 'MARK WHAT=runout'),
        insertGcode: o.insert ? new MacroTemplate(p.printer, p.gcode, 'insert', 'MARK WHAT=insert') : null,
        pauseDelayS: 0.5,
        eventDelayS: o.eventDelayS ?? 3,
      },
      () => nowS,
      async (s) => void sleeps.push(s),
    );
    const idle = p.printer.lookupObject<IdleTimeout>('idle_timeout');
    return { p, h, ran, sleeps, idle, advance: (s: number) => (nowS += s) };
  }

  it('ignores changes before ready + 2 s, then pauses, waits pause_delay and runs runout_gcode', async () => {
    const t = helper({ pause: true });
    t.idle.state = 'Printing';
    t.h.noteFilamentPresent(true);
    t.h.noteFilamentPresent(false); // not ready yet: recorded only
    expect(t.h.events).toEqual([]);
    expect(t.h.getStatus().filament_detected).toBe(false);
    await t.p.printer.emit('printer:ready');
    t.h.noteFilamentPresent(true);
    t.advance(STARTUP_QUIET_S - 0.1);
    t.h.noteFilamentPresent(false);
    expect(t.h.events).toEqual([]);
    t.h.noteFilamentPresent(true);
    t.advance(0.2);
    t.h.noteFilamentPresent(false);
    expect(t.h.events.map((e) => e.kind)).toEqual(['runout']);
    await t.h.running;
    expect(t.sleeps).toEqual([0.5]);
    expect(t.ran).toEqual(['PAUSE', 'runout']);
  });

  it('event_delay: a second runout within the delay is ignored, after it runs again', async () => {
    const t = helper({ pause: false, eventDelayS: 3 });
    await t.p.printer.emit('printer:ready');
    t.advance(STARTUP_QUIET_S + 1);
    t.idle.state = 'Printing';
    t.h.noteFilamentPresent(true);
    t.h.noteFilamentPresent(false);
    await t.h.running;
    expect(t.ran).toEqual(['runout']); // no PAUSE without pause_on_runout
    expect(t.sleeps).toEqual([]);
    t.advance(2.9);
    t.h.noteFilamentPresent(true);
    t.h.noteFilamentPresent(false);
    expect(t.ran).toEqual(['runout']);
    t.advance(0.2);
    t.h.noteFilamentPresent(true);
    t.h.noteFilamentPresent(false);
    await t.h.running;
    expect(t.ran).toEqual(['runout', 'runout']);
  });

  it('no runout when not printing or disabled; insert only when not printing', async () => {
    const t = helper({ pause: true, insert: true });
    await t.p.printer.emit('printer:ready');
    t.advance(STARTUP_QUIET_S + 1);
    t.idle.state = 'Ready';
    t.h.noteFilamentPresent(true); // inserted while idle
    await t.h.running;
    expect(t.ran).toEqual(['insert']);
    t.advance(5);
    t.h.noteFilamentPresent(false); // runout while idle: nothing
    t.idle.state = 'Printing';
    t.h.noteFilamentPresent(true); // insert while printing: nothing
    t.h.enabled = false;
    t.h.noteFilamentPresent(false); // disabled: nothing, but recorded
    expect(t.ran).toEqual(['insert']);
    expect(t.h.getStatus()).toEqual({ filament_detected: false, enabled: false });
  });
});

describe('debounce_delay', () => {
  it('delivers only a state held for the delay', async () => {
    vi.useFakeTimers();
    try {
      const got: boolean[] = [];
      const cb = debounceButton(0.1, (_t, s) => got.push(s));
      cb(0, true);
      vi.advanceTimersByTime(50);
      cb(0.05, false);
      vi.advanceTimersByTime(150);
      expect(got).toEqual([false]);
      cb(0.3, true);
      vi.advanceTimersByTime(99);
      expect(got).toEqual([false]);
      vi.advanceTimersByTime(2);
      expect(got).toEqual([false, true]);
    } finally {
      vi.useRealTimers();
    }
  });
});
