import { describe, expect, it } from 'vitest';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { Respond } from '../../../src-main/host/objects/respond';

function collect(g: GCodeDispatcher): string[] {
  const out: string[] = [];
  g.onResponse((_k, t) => out.push(t));
  return out;
}

describe('GCodeDispatcher', () => {
  it('answers unknown commands with their name', async () => {
    const g = new GCodeDispatcher();
    const out = collect(g);
    await expect(g.run('FOO_BAR X=1')).rejects.toThrow('Unknown command: "FOO_BAR"');
    expect(out).toEqual(['!! Unknown command: "FOO_BAR"']);
  });
  it('lists registered commands with HELP', async () => {
    const g = new GCodeDispatcher();
    g.register('MY_CMD', () => undefined, { help: 'Does my thing' });
    const out = collect(g);
    await g.run('HELP');
    expect(out[0]).toContain('MY_CMD');
    expect(out[0]).toContain('Does my thing');
  });
  it('runs commands in order even when handlers are async', async () => {
    const g = new GCodeDispatcher();
    const seen: string[] = [];
    g.register('SLOW', async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push('slow');
    });
    g.register('FAST', () => void seen.push('fast'));
    await Promise.all([g.run('SLOW'), g.run('FAST')]);
    expect(seen).toEqual(['slow', 'fast']);
  });
  it('runs M112 at once, before queued commands finish', async () => {
    const g = new GCodeDispatcher();
    const seen: string[] = [];
    g.setEmergencyHandler(() => void seen.push('estop'));
    g.register('SLOW', async () => {
      await new Promise((r) => setTimeout(r, 30));
      seen.push('slow');
    });
    const slow = g.run('SLOW');
    await g.run('M112');
    await slow;
    expect(seen[0]).toBe('estop');
  });
  it('reports typed parameter errors naming the line', async () => {
    const g = new GCodeDispatcher();
    g.register('SET_X', (cmd) => void cmd.getFloat('VALUE', undefined, { minval: 0 }));
    await expect(g.run('SET_X VALUE=abc')).rejects.toThrow("Unable to parse VALUE='abc' as a number in 'SET_X VALUE=abc'");
    await expect(g.run('SET_X VALUE=-1')).rejects.toThrow('VALUE must have minimum of 0');
  });
  it('echoes with RESPOND and M118', async () => {
    const g = new GCodeDispatcher();
    new Respond(g);
    const out = collect(g);
    await g.run('M118 hello there\nRESPOND MSG="two words"\nRESPOND TYPE=command MSG=x');
    expect(out).toEqual(['echo: hello there', 'echo: two words', '// x']);
    await expect(g.run('RESPOND TYPE=bogus MSG=x')).rejects.toThrow("RESPOND TYPE 'bogus' is invalid");
  });
});
