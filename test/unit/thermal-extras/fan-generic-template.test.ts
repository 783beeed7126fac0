// SET_FAN_SPEED on a [fan_generic]: SPEED, and TEMPLATE=<display_template> with PARAM_* values
// (rendered at once and then twice a second; its output is the speed).
import { describe, expect, it } from 'vitest';
import { type GenericFan, loadFanGeneric } from '../../../src-main/host/objects/fan-generic';
import { CARTESIAN, loadText } from '../objects/load-helpers';

const TEXT = `${CARTESIAN}
[fan_generic aux]
pin: PE4

[display_template half]
param_speed: 1.0
text: {param_speed * 0.5}

[display_template words]
text: fast
`;

function setup(): { gf: GenericFan; speeds: number[]; run: (s: string) => Promise<void>; responses: string[] } {
  const p = loadText(TEXT);
  const gf = loadFanGeneric(p.printer, p.gcode, p.config.get('fan_generic aux'), true)!;
  const speeds: number[] = [];
  gf.fan.setSpeed = (v: number) => void speeds.push(v);
  const responses: string[] = [];
  p.gcode.onResponse((_k, t) => responses.push(t));
  return { gf, speeds, run: (s) => p.gcode.run(s), responses };
}

describe('SET_FAN_SPEED', () => {
  it('SPEED sets the fan; TEMPLATE renders the display_template with its params', async () => {
    const { gf, speeds, run } = setup();
    await run('SET_FAN_SPEED FAN=aux SPEED=0.7');
    await run('SET_FAN_SPEED FAN=aux TEMPLATE=half');
    await run('SET_FAN_SPEED FAN=aux TEMPLATE=half PARAM_SPEED=0.8');
    expect(speeds).toEqual([0.7, 0.5, 0.4]);
    // Rendered again on its period while the template is set.
    await new Promise((r) => setTimeout(r, 600));
    expect(speeds.length).toBeGreaterThanOrEqual(4);
    expect(speeds.at(-1)).toBe(0.4);
    await run('SET_FAN_SPEED FAN=aux TEMPLATE=');
    const n = speeds.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(speeds.length).toBe(n);
    gf.stopTemplate();
  });

  it('names an unknown fan, template or parameter; a template giving words is reported once', async () => {
    const { gf, speeds, run, responses } = setup();
    await expect(run('SET_FAN_SPEED FAN=nope SPEED=1')).rejects.toThrow(/Unknown fan 'nope' \(fan_generic fans: aux\)/);
    await expect(run('SET_FAN_SPEED FAN=aux TEMPLATE=nope')).rejects.toThrow("Unknown display_template 'nope'");
    await expect(run('SET_FAN_SPEED FAN=aux TEMPLATE=half PARAM_COLOR=1')).rejects.toThrow(
      'Invalid display_template parameter: param_color',
    );
    await run('SET_FAN_SPEED FAN=aux TEMPLATE=words');
    gf.applyTemplateOutput('fast');
    gf.stopTemplate();
    expect(speeds).toEqual([]);
    expect(responses.filter((r) => r.includes("template output 'fast' is not a speed"))).toHaveLength(1);
  });
});
