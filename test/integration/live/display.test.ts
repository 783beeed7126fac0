// [display] live on the sim (one start): an hd44780 on the sim's pin-level LCD model, whose
// decoded contents the sim traces as 'lcd' events. M117 shows on the message row, heating
// changes the nozzle row; a second display ([display my_second], st7920) shows the same status
// in its DDRAM text and draws M73's progress blocks in GDRAM (screen rows 32-47 live in GDRAM's
// right half, so the bitmap checks that mapping); and timed presses of the sim's switches (click, one encoder detent,
// click) open the menu, move to Info and enter it: the keys go MCU buttons -> host decoder ->
// menu -> framebuffer -> hd44780_send_* -> the sim's LCD.
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

const DISPLAY = `
[display]
lcd_type: hd44780
rs_pin: PH1
e_pin: PH0
d4_pin: PA1
d5_pin: PA3
d6_pin: PA5
d7_pin: PA7
encoder_pins: ^PC6, ^PC4
click_pin: ^!PC2

[display my_second]
lcd_type: st7920
cs_pin: PC0
sclk_pin: PC1
sid_pin: PC3
`;

// Key times, seconds after the MCU starts polling its buttons (0.5 s after the host is ready):
// the status-screen checks took ~3.5 s (logged below; allow 3x on a loaded run), so the menu opens
// well after them. One detent: A closes, B closes 50 ms later, A opens, B opens ('A leads' = +1,
// the cursor moves down one row).
const CLICK_S = 12;
const TURN_S = 13;
const CLICK2_S = 14;

type Lcd = { ev: string; name: string; text: string[] };

describe('display on the sim', () => {
  it('status screen (M117, heating) and menu keys through the sim switches', async () => {
    const p = await startLivePrinter('display', {
      edit: (cfg) => cfg + DISPLAY,
      overrides: {
        switches: {
          'display click_pin': {
            presses: [
              { at_s: CLICK_S, hold_s: 0.2 },
              { at_s: CLICK2_S, hold_s: 0.2 },
            ],
          },
          'display encoder_pins 0': { presses: [{ at_s: TURN_S, hold_s: 0.1 }] },
          'display encoder_pins 1': { presses: [{ at_s: TURN_S + 0.05, hold_s: 0.1 }] },
        },
      },
    });
    const readyAt = Date.now();
    const lcd = () => p.trace().filter((e): e is Lcd => e.ev === 'lcd' && e.name === 'display' && Array.isArray(e.text));
    const last = () => lcd().at(-1)?.text ?? [];
    try {
      // The status screen: 20 columns (line_length default), progress and time rows.
      await waitFor(
        () => /^T\d+:\d\d/.test(last()[3] ?? ''),
        'the status screen on the sim LCD',
        10_000,
        () => JSON.stringify(last()),
      );
      let t0 = Date.now();
      await p.run('M117 hello');
      await waitFor(
        () => (last()[3] ?? '').startsWith('hello'),
        "M117's message on the LCD",
        10_000,
        () => JSON.stringify(last()),
      );
      console.log(`display: M117 reached the sim LCD in ${Date.now() - t0} ms (refresh every 500 ms + trace flush)`);

      t0 = Date.now();
      await p.run('M104 S200');
      await waitFor(
        () => /\/200/.test(last()[0] ?? ''),
        'the nozzle target on the LCD',
        10_000,
        () => JSON.stringify(last()),
      );
      const nozzleC = (row: string) => Number(/^N\s*(\d+)\//.exec(row)?.[1] ?? NaN);
      const firstC = nozzleC(last()[0]);
      // The sim's hotend heats at ~5 C/s from cold: a few degrees within a couple of seconds.
      await waitFor(
        () => nozzleC(last()[0]) >= firstC + 3,
        'the nozzle temperature rising on the LCD',
        15_000,
        () => JSON.stringify(last()),
      );
      console.log(
        `display: nozzle row ${JSON.stringify(last()[0])} (was ${firstC} C) ${Date.now() - t0} ms after M104; status checks done ${Date.now() - readyAt} ms after ready`,
      );
      // The st7920: text from DDRAM, progress blocks (5 of 10 cells at 50 %) in the bitmap.
      t0 = Date.now();
      await p.run('M73 P50');
      const st7920 = () =>
        p
          .trace()
          .filter((e) => e.ev === 'lcd' && e.name === 'display my_second')
          .at(-1) as { text?: string[]; bitmap?: string[] } | undefined;
      await waitFor(
        () => (st7920()?.bitmap?.[40] ?? '').startsWith('ffffffffff00'),
        'five progress blocks on the st7920',
        10_000,
        () => JSON.stringify(st7920()),
      );
      const second = st7920()!;
      console.log(
        `display: st7920 text ${JSON.stringify(second.text)}, bitmap row 40 ${second.bitmap![40]} (${Date.now() - t0} ms after M73)`,
      );
      expect(second.text![3].startsWith('hello')).toBe(true);
      expect(second.text![2]).toMatch(/^ {5}-{5} +50%/);
      // Outside the progress row, graphics hold only the degree signs (cell 8 of text rows 0-1):
      // pixel row 20 is row 4 of the bed row's degree cell, 0x6c.
      expect(second.bitmap![20]).toBe('0'.repeat(16) + '6c' + '0'.repeat(14));

      // The keys come at CLICK_S after polling started: the status checks must be done before.
      expect(Date.now() - readyAt).toBeLessThan((CLICK_S - 1) * 1000);
      expect(lcd().some((e) => e.text[0]?.startsWith('Main'))).toBe(false);

      // Click -> Main ('..' selected), detent -> cursor on Info, click -> the Info list.
      await waitFor(
        () => (last()[0] ?? '').startsWith('Info'),
        'the Info menu after click, turn, click',
        25_000,
        () => JSON.stringify(last()),
      );
      await sleep(1100); // the sim flushes its trace at least once a second
      const screens = lcd().map((e) => e.text.map((r) => r.trimEnd()));
      const mainAt = screens.findIndex((s) => s[0] === 'Main' && s[1] === '>..');
      const onInfoAt = screens.findIndex((s, i) => i > mainAt && s[0] === 'Main' && s[2] === '>Info>');
      const infoAt = screens.findIndex((s) => s[0] === 'Info');
      console.log(`display: menu screens ${JSON.stringify([screens[mainAt], screens[onInfoAt], screens[infoAt]])}`);
      expect(mainAt).toBeGreaterThanOrEqual(0);
      expect(onInfoAt).toBeGreaterThan(mainAt);
      expect(infoAt).toBeGreaterThan(onInfoAt);
      // The Info list shows live values: the nozzle's target is there.
      expect(screens[infoAt].join('\n')).toMatch(/Nozzle \d+\/200/);
      expect(p.host.printer.state).toBe('ready');
    } finally {
      await p.stop();
    }
  }, 60_000);
});
