// gcode_macro / delayed_gcode from a real printer.cfg on a batch-mode host: each template
// feature users write, and the sandbox: escapes through a macro fail with a template error and
// nothing of the macro runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { testOutputDir } from '../../support/paths';
import { atmegaDict, CARTESIAN, discard } from '../objects/load-helpers';
import { runCollectingResponses } from '../../support/gcode-run';

let n = 0;
let host: Host | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

async function start(extra: string, expectReady = true): Promise<{ host: Host; run: (s: string) => Promise<string> }> {
  const dir = path.join(testOutputDir, 'macros');
  mkdirSync(dir, { recursive: true });
  const cfg = path.join(dir, `printer-${process.pid}-${n++}.cfg`);
  writeFileSync(cfg, CARTESIAN + extra);
  const h = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
  host = h;
  if (expectReady) expect(h.info().stateMessage).toBe('Printer is ready');
  const run = (script: string) => runCollectingResponses(h, script);
  return { host: h, run };
}

const MACROS = `
[gcode_macro SHOW]
description: Echo params
variable_count: 3
variable_names: ['a', 'b']
variable_cfg: {'speed': 1.5}
gcode:
  {% set total = params.A|default(1)|int + params.B|default(2)|float %}
  RESPOND MSG="total={total} raw={rawparams} count={count} first={names[0]} speed={cfg.speed}"
  {% for n in names %}
  RESPOND MSG="name {loop.index}: {n|upper}"
  {% endfor %}
  {% if params.FAIL is defined %}
  {action_raise_error("asked to fail")}
  {% endif %}

[gcode_macro BUMP]
gcode:
  SET_GCODE_VARIABLE MACRO=SHOW VARIABLE=count VALUE={printer["gcode_macro SHOW"].count + 1}
  RESPOND MSG="count is now {printer['gcode_macro SHOW'].count}"

[gcode_macro WHERE]
gcode:
  RESPOND MSG="pos={printer.toolhead.position[0]|round(1)} max={printer.configfile.config.printer.max_velocity} stats={printer.print_stats.state}"
  {% set _ = action_respond_info("axis max %.1f" % printer.toolhead.axis_maximum[0]) %}

[gcode_macro M114]
rename_existing: M114.1
gcode:
  RESPOND MSG="before"
  M114.1
  RESPOND MSG="after"

[gcode_macro LOOP]
gcode:
  LOOP

[delayed_gcode LATER]
gcode:
  RESPOND MSG="later ran"
`;

describe('gcode_macro from printer.cfg', () => {
  it('params, rawparams, variables of each literal type, filters, loops', async () => {
    const { run } = await start(MACROS);
    const out = await run('SHOW A=4 B=0.5');
    expect(out).toContain('total=4.5 raw=A=4 B=0.5 count=3 first=a speed=1.5');
    expect(out).toContain('name 1: A');
    expect(out).toContain('name 2: B');
    expect((await run('SHOW')).split('\n')[0]).toContain('total=3.0');
    await expect(run('SHOW FAIL=1')).rejects.toThrow(/asked to fail/);
    expect(host!.gcode.listCommands().find((c) => c.name === 'SHOW')?.help).toBe('Echo params');
  });

  it('SET_GCODE_VARIABLE changes what printer["gcode_macro X"] reads', async () => {
    const { run } = await start(MACROS);
    // As in Klipper, a macro is rendered before it runs: it still sees the old value itself.
    expect(await run('BUMP')).toContain('count is now 3');
    expect(await run('BUMP')).toContain('count is now 4');
    expect(await run('SHOW')).toContain('count=5');
    expect(host!.printer.lookupObject<{ getStatus(): object }>('gcode_macro SHOW').getStatus()).toMatchObject({
      count: 5,
      names: ['a', 'b'],
    });
    await expect(run('SET_GCODE_VARIABLE MACRO=SHOW VARIABLE=nope VALUE=1')).rejects.toThrow(/Unknown gcode_macro variable 'nope'/);
    await expect(run('SET_GCODE_VARIABLE MACRO=SHOW VARIABLE=count VALUE=open(1)')).rejects.toThrow(/literal/);
  });

  it('the printer tree: toolhead, configfile, print_stats; action_respond_info', async () => {
    const { run } = await start(MACROS);
    await run('SET_KINEMATIC_POSITION X=12.34 Y=1 Z=1\nG1 X20.04 F6000');
    const out = await run('WHERE');
    expect(out).toContain('pos=20.0 max=300 stats=standby');
    expect(out).toContain('// axis max 200.0');
  });

  it('rename_existing wraps the original command', async () => {
    const { run } = await start(MACROS);
    const out = await run('M114');
    expect(out.split('\n')).toEqual([
      'echo: before',
      expect.stringMatching(/^\/\/ X:0\.000 Y:0\.000 Z:0\.000 E:0\.000|^X:/),
      'echo: after',
    ]);
    expect(host!.gcode.lookup('M114.1')).toBeDefined();
  });

  it('a macro calling itself is refused', async () => {
    const { run } = await start(MACROS);
    await expect(run('LOOP')).rejects.toThrow(/called recursively/);
  });

  it('delayed_gcode runs after UPDATE_DELAYED_GCODE and can be cancelled', async () => {
    const { host: h, run } = await start(MACROS);
    const out: string[] = [];
    h.gcode.onResponse((_k, t) => out.push(t));
    await run('UPDATE_DELAYED_GCODE ID=LATER DURATION=0.05');
    await new Promise((r) => setTimeout(r, 300));
    expect(out).toContain('echo: later ran');
    out.length = 0;
    await run('UPDATE_DELAYED_GCODE ID=LATER DURATION=0.05\nUPDATE_DELAYED_GCODE ID=LATER DURATION=0');
    await new Promise((r) => setTimeout(r, 300));
    expect(out).not.toContain('echo: later ran');
  });

  it('a bad literal in variable_* names the option and line', async () => {
    const dir = path.join(testOutputDir, 'macros');
    mkdirSync(dir, { recursive: true });
    const cfg = path.join(dir, `bad-${process.pid}.cfg`);
    writeFileSync(cfg, CARTESIAN + '\n[gcode_macro X]\nvariable_v: os.system\ngcode:\n  G4\n');
    host = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
    expect(host.info().state).toBe('error');
    expect(host.info().stateMessage).toMatch(/variable_v.*printer\.cfg|bad-.*\.cfg:\d+/);
  });
});

describe('template sandbox through a macro', () => {
  const escapes = [
    '{ range.constructor("return process")() }',
    '{{ range.constructor("return process")() }}',
    '{ "".constructor.constructor("return process")() }',
    '{ params.__proto__.constructor.constructor("return this")() }',
    '{ printer.__class__.__init__.__globals__ }',
    '{ cycler.__init__.__globals__.os.popen("id").read() }',
    '{ lipsum.__globals__["os"].popen("id").read() }',
    '{ self.__init__.__globals__ }',
    '{ printer.toolhead.constructor.constructor("return process")() }',
  ];
  for (const [i, e] of escapes.entries()) {
    it(`escape ${i}: ${e}`, async () => {
      const { run } = await start(
        `\n[gcode_macro EVIL]\ngcode:\n  RESPOND MSG="ran before"\n  G1 X50 F6000\n  RESPOND MSG="${e.replace(/"/g, "'")}"\n`,
        false,
      );
      if (host!.info().state === 'error') {
        // Rejected when the config loads (e.g. '{{' is not an expression in Klipper's delimiters).
        expect(host!.info().stateMessage).toMatch(/Error loading template 'gcode_macro EVIL:gcode'.*printer-.*\.cfg:\d+/);
        return;
      }
      const out: string[] = [];
      host!.gcode.onResponse((_k, t) => out.push(t));
      await expect(run('EVIL')).rejects.toThrow(/Error evaluating 'gcode_macro EVIL:gcode'/);
      // Nothing of the macro ran: no message, no move.
      expect(out.join('\n')).not.toContain('ran before');
      expect(host!.printer.lookupObject<{ getPosition(): number[] }>('toolhead').getPosition()[0]).toBe(0);
    });
  }
});
