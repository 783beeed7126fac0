// SAVE_VARIABLE's Python literals: the value macros see and the repr the file keeps.
import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, pythonFloatRepr } from '../../../src-main/host/objects/save-variables-literal';

describe('Python literals', () => {
  it('parses numbers, strings, constants and containers, keeping Python repr', () => {
    const cases: [string, unknown, string][] = [
      ['12', 12, '12'],
      ['-3', -3, '-3'],
      ['1.0', 1, '1.0'],
      ['1.50', 1.5, '1.5'],
      ['.5', 0.5, '0.5'],
      ['1e-5', 1e-5, '1e-05'],
      ['1e16', 1e16, '1e+16'],
      ['0x10', 16, '16'],
      ['"it\'s"', "it's", '"it\'s"'],
      ["'a\\nb'", 'a\nb', "'a\\nb'"],
      ['True', true, 'True'],
      ['None', null, 'None'],
      ['[1, 2.5, "x"]', [1, 2.5, 'x'], "[1, 2.5, 'x']"],
      ['(1,)', [1], '(1,)'],
      ['(7)', 7, '7'],
      ["{'a': 1, 'b': [True]}", { a: 1, b: [true] }, "{'a': 1, 'b': [True]}"],
    ];
    for (const [text, value, repr] of cases) expect(parsePythonLiteral(text), text).toEqual({ value, repr });
  });

  it('rejects what Python would not parse as a literal', () => {
    for (const bad of ['abc', '1 2', "'open", '[1, 2', '{1 2}', '007', '']) expect(() => parsePythonLiteral(bad), bad).toThrow();
  });

  it('writes floats as Python does', () => {
    expect([0.1, 100, 0.0001, 123456789.25, -2.5e-7].map(pythonFloatRepr)).toEqual(['0.1', '100.0', '0.0001', '123456789.25', '-2.5e-07']);
  });
});
