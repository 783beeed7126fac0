import { describe, expect, it } from 'vitest';
import { lineChecksum, parseLine } from '../../../src-main/host/gcode/parser';

describe('parseLine', () => {
  it('parses classic words with and without spaces', () => {
    expect(parseLine('G1 X10 Y-2.5 F3000').params).toEqual({ X: '10', Y: '-2.5', F: '3000' });
    const p = parseLine('g1x10y20e.5');
    expect(p.command).toBe('G1');
    expect(p.params).toEqual({ X: '10', Y: '20', E: '.5' });
  });
  it('parses extended commands with KEY=VALUE and quotes', () => {
    const p = parseLine('SET_HEATER_TEMPERATURE HEATER=extruder TARGET=200 ; heat');
    expect(p.command).toBe('SET_HEATER_TEMPERATURE');
    expect(p.params).toEqual({ HEATER: 'extruder', TARGET: '200' });
    expect(parseLine('SET_X NAME="a b"').params.NAME).toBe('a b');
  });
  it('strips comments, line numbers and checksums', () => {
    const line = 'N12 G1 X1';
    const p = parseLine(`${line}*${lineChecksum(line)}`);
    expect(p.lineNumber).toBe(12);
    expect(p.command).toBe('G1');
    expect(p.checksum).toBe(p.computedChecksum);
    expect(parseLine('N3 G1 X1*0').checksum).not.toBe(parseLine('N3 G1 X1*0').computedChecksum);
    expect(parseLine('   ; only a comment').command).toBe('');
  });
  it('keeps free text of message commands', () => {
    const p = parseLine('M118 Hello World X=1');
    expect(p.command).toBe('M118');
    expect(p.rawParams).toBe('Hello World X=1');
    expect(p.params).toEqual({});
  });
});
