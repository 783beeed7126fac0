// [multi_pin NAME]: a heater or fan on multi_pin:NAME drives every pin of the list (each with
// its own '!'), the pins are claimed, and mistakes are named with their line.
import { describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { Fan } from '../../../src-main/host/objects/fan';
import { CARTESIAN, connectMcu, loadText, loadError } from '../objects/load-helpers';

const FANS = `
[multi_pin fans]
pins: PE3, !PE4
`;

describe('[multi_pin]', () => {
  it('a fan on multi_pin:NAME configures and sets every pin', async () => {
    const p = loadText(`${CARTESIAN}\n${FANS}\n[heater_fan hotend]\npin: multi_pin:fans\n`);
    // Batch mode only checks the heater_fan's options: build the live Fan on this printer.
    const fan = new Fan(p.printer, p.config.get('heater_fan hotend'));
    await connectMcu(p);
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    expect(lines.filter((l) => /^config_digital_out oid=\d+ pin=PE3 value=0 default_value=0/.test(l))).toHaveLength(1);
    // The inverted pin idles high.
    expect(lines.filter((l) => /^config_digital_out oid=\d+ pin=PE4 value=1 default_value=1/.test(l))).toHaveLength(1);
    expect(fan.pwm).toBeDefined();
  });

  it('claims its pins and names an unknown multi_pin or a pin used twice', () => {
    const bed =
      '[heater_bed]\nheater_pin: PE4\nsensor_type: EPCOS 100K B57560G104F\nsensor_pin: PK6\ncontrol: watermark\nmin_temp: 0\nmax_temp: 130\n';
    expect(loadError(`${CARTESIAN}\n${FANS}\n${bed}`)).toMatch(/pin PE4 used multiple times in config: by \[multi_pin fans\] pins/);
    expect(loadError(`${CARTESIAN}\n${FANS.replace('PE3, !PE4', 'PE3, other:PE4')}`)).toMatch(/must be on one MCU/);
    const p = loadText(`${CARTESIAN}\n[fan]\npin: multi_pin:nope\n`);
    expect(() => new Fan(p.printer, p.config.get('fan'))).toThrow(
      /Unknown multi_pin 'nope' in option 'pin' of section 'fan'.*printer\.cfg:\d+/,
    );
  });
});
