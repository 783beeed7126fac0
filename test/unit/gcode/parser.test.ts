import { describe, expect, it } from 'vitest';
import { lineChecksum, MOVE_E, MOVE_F, MOVE_X, MOVE_Y, MOVE_Z, parseLine, parseMoveWords } from '../../../src-main/host/gcode/parser';

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

describe('parseLine edge cases', () => {
  it('reads sub-commands, tool changes and lower case', () => {
    expect(parseLine('M104.1 S200').command).toBe('M104.1');
    expect(parseLine('t1').command).toBe('T1');
    expect(parseLine('g28 x y').params).toEqual({ X: '', Y: '' });
    expect(parseLine('G1 X1.5.').params.X).toBe('1.5.');
  });
  it('keeps extended names with digits and values with spaces in quotes', () => {
    const p = parseLine('  SET_PIN2 PIN=fan0 VALUE="1 2"  ; x');
    expect(p.command).toBe('SET_PIN2');
    expect(p.params).toEqual({ PIN: 'fan0', VALUE: '1 2' });
    expect(p.rawParams).toBe('PIN=fan0 VALUE="1 2"');
  });
  it('handles line numbers, checksums and comments together', () => {
    const p = parseLine('N7 G1 X2 ; move*99');
    expect(p.lineNumber).toBe(7);
    expect(p.checksum).toBeNull();
    expect(p.params).toEqual({ X: '2' });
    const q = parseLine('N8 G1 X3*  57');
    expect(q.checksum).toBe(57);
    expect(q.computedChecksum).toBe(lineChecksum('N8 G1 X3'));
    expect(parseLine('N9').command).toBe('');
    expect(parseLine('').command).toBe('');
    expect(parseLine('\t\r').command).toBe('');
  });
  it('parses a sliced file the same as words split by hand', () => {
    for (const line of ['G1 X100.123 Y-20.5 E0.03327 F2400', 'G1 Z0.200 F600', 'G0 F9000 X1 Y2']) {
      const words = line.split(' ').slice(1);
      expect(parseLine(line).params).toEqual(Object.fromEntries(words.map((w) => [w[0], w.slice(1)])));
    }
  });
});

describe('parseMoveWords (plain G0/G1 fast path)', () => {
  const w = new Float64Array(5);
  it('reads X Y Z E F and reports which were given', () => {
    expect(parseMoveWords('G1 X100.123 Y-20.5 E0.03327 F2400 ; perimeter', w)).toBe(MOVE_X | MOVE_Y | MOVE_E | MOVE_F);
    expect(Array.from(w)).toEqual([100.123, -20.5, w[2], 0.03327, 2400]);
    expect(parseMoveWords('g0 z.2', w)).toBe(MOVE_Z);
    expect(w[2]).toBe(0.2);
    expect(parseMoveWords('G1', w)).toBe(0);
    expect(parseMoveWords('G1 X1e2\r', w)).toBe(MOVE_X);
    expect(w[0]).toBe(100);
  });
  it('leaves everything else to the full parser', () => {
    for (const line of ['G10', 'G1X10', 'N1 G1 X1', 'G1 X1*12', 'G1 X', 'G1 X1-2', 'G1 Q1', 'G28 X', ' M104 S1', 'G1 X=1']) {
      expect(parseMoveWords(line, w), line).toBe(-1);
    }
  });
  it('gives exactly Number() for random decimals', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let k = 0; k < 20000; k++) {
      const digits = 1 + Math.floor(rnd() * 8);
      const text = `${rnd() < 0.3 ? '-' : ''}${(rnd() * 10 ** (digits - 3)).toFixed(Math.floor(rnd() * 7))}`;
      expect(parseMoveWords(`G1 X${text}`, w)).toBe(MOVE_X);
      if (w[0] !== Number(text)) expect(w[0], text).toBe(Number(text));
    }
  });
});
