import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteReader, type MessageFormat, type ParamValue } from '../../../src-main/host/mcu/codec';
import { Dictionary, DictionaryError, loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir, repoRoot } from '../../support/paths';
import { inCI } from '../../support/tools';

const dictDir = path.join(referenceDir, 'klipper-dicts');
const dictFiles = readdirSync(dictDir).filter((f) => f.endsWith('.dict'));
// Our own firmware's dictionary (built by test/global-setup.ts) must parse the same way.
const simDict = path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json');
if (inCI && !existsSync(simDict)) throw new Error(`${simDict} missing in CI (firmware build failed?)`);
const allDicts = [...dictFiles.map((f) => path.join(dictDir, f)), ...(existsSync(simDict) ? [simDict] : [])];

/** Deterministic pseudo-random argument values that fit each parameter type. */
function sampleArgs(fmt: MessageFormat, seed: number): ParamValue[] {
  let x = seed;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  return fmt.params.map((p) => {
    const r = next();
    if (p.isBytes) return Uint8Array.from({ length: r % (fmt.params.length > 4 ? 8 : 40) }, () => next() & 0xff);
    switch (p.type) {
      case 'c':
        return r & 0xff;
      case 'hu':
        return r & 0xffff;
      case 'hi':
        return ((r & 0xffff) << 16) >> 16;
      case 'i':
        return r | 0;
      default:
        return r;
    }
  });
}

describe('reference Klipper dictionaries', () => {
  it('finds the six reference dictionaries', () => {
    expect(dictFiles.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(allDicts)('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text);
    const dict = Dictionary.fromText(text, file);

    it('parses every message, enumeration and constant', () => {
      expect(dict.commands.length).toBe(Object.keys(json.commands).length);
      expect(dict.responses.length).toBe(Object.keys(json.responses).length + Object.keys(json.output ?? {}).length);
      expect(dict.lookupCommand('identify offset=%u count=%c').id).toBe(1);
      expect(dict.lookupResponse('identify_response offset=%u data=%.*s').id).toBe(0);
      expect(dict.getConstantFloat('CLOCK_FREQ')).toBe(json.config.CLOCK_FREQ);
      expect(dict.getConstant('MCU')).toBe(json.config.MCU);
      expect(dict.getConstant('NO_SUCH_CONSTANT', 7)).toBe(7);
      expect(() => dict.getConstant('NO_SUCH_CONSTANT')).toThrow(/NO_SUCH_CONSTANT/);
      // Every shutdown reason id maps back to its text.
      for (const [reason, id] of Object.entries(json.enumerations.static_string_id as Record<string, number>)) {
        expect(dict.getEnumeration('static_string_id')!.byValue.get(id)).toBe(reason);
      }
    });

    it('expands pin ranges', () => {
      const pin = dict.getEnumeration('pin')!;
      for (const [name, v] of Object.entries(json.enumerations.pin as Record<string, number | [number, number]>)) {
        if (typeof v === 'number') {
          expect(pin.byName.get(name)).toBe(v);
          continue;
        }
        const root = name.replace(/\d+$/, '');
        const first = Number(name.slice(root.length));
        expect(pin.byName.get(name)).toBe(v[0]);
        expect(pin.byName.get(root + (first + v[1] - 1))).toBe(v[0] + v[1] - 1);
        expect(pin.byName.has(root + (first + v[1]))).toBe(json.enumerations.pin[root + (first + v[1])] !== undefined);
      }
      expect(dict.enumerationForParam('step_pin')).toBe(pin);
      expect(dict.enumerationForParam('pin')).toBe(pin);
      expect(dict.enumerationForParam('oid')).toBeUndefined();
    });

    it('round-trips every command and response format', () => {
      for (const [list, dir] of [
        [dict.commands, 'commands'],
        [dict.responses, 'responses'],
      ] as const) {
        for (const fmt of list) {
          for (let seed = 1; seed <= 3; seed++) {
            const args = sampleArgs(fmt, seed * 7919 + fmt.id);
            const bytes = fmt.encode(args);
            const decoded = dict.decodeMessages(bytes, 0, bytes.length, dir);
            expect(decoded.length).toBe(1);
            expect(decoded[0].format).toBe(fmt);
            const expected = Object.fromEntries(
              fmt.params.map((p, i) => {
                const a = args[i];
                return [p.name, a instanceof Uint8Array ? a : p.signed ? (a as number) | 0 : (a as number) >>> 0];
              }),
            );
            expect(decoded[0].params).toEqual(expected);
          }
        }
      }
    });

    it('survives the zlib form identify delivers', () => {
      const z = Dictionary.fromZlib(deflateSync(Buffer.from(text), { level: 9 }));
      expect(z.commands.map((c) => c.format)).toEqual(dict.commands.map((c) => c.format));
      expect(z.version).toBe(json.version);
    });
  });
});

describe('Dictionary text commands and errors', () => {
  const dict = loadDictionaryFile(path.join(dictDir, 'atmega2560.dict'));

  it('encodes Klipper text form with pin names', () => {
    const { format, bytes } = dict.encodeCommandText('config_stepper oid=2 step_pin=PF0 dir_pin=PF1 invert_step=0 step_pulse_ticks=32');
    expect(format.name).toBe('config_stepper');
    const r = new ByteReader(bytes);
    expect(r.readVlq()).toBe(format.id);
    expect(format.formatParams(format.decodeParams(r))).toBe(
      'config_stepper oid=2 step_pin=PF0 dir_pin=PF1 invert_step=0 step_pulse_ticks=32',
    );
  });

  it('says what is wrong with a bad line', () => {
    expect(() => dict.encodeCommandText('config_stepper oid=2 step_pin=PF0')).toThrow(/missing parameter 'dir_pin'/);
    expect(() => dict.encodeCommandText('config_stepper oid=2 step_pin=PZ0 dir_pin=PF1 invert_step=0 step_pulse_ticks=32')).toThrow(
      /unknown pin 'PZ0'/,
    );
    expect(() => dict.encodeCommandText('frobnicate x=1')).toThrow(/unknown command 'frobnicate'/);
    expect(() => dict.encodeCommandText('get_clock x=1')).toThrow(/no parameter 'x'/);
    expect(() => dict.lookupCommand('queue_step oid=%c interval=%u count=%hu')).toThrow(
      /has format 'queue_step oid=%c interval=%u count=%hu add=%hi'/,
    );
  });

  it('rejects files that are not dictionaries', () => {
    expect(() => Dictionary.fromText('{"foo": 1}', 'x.dict')).toThrow(DictionaryError);
    expect(() => Dictionary.fromText('not json', 'x.dict')).toThrow(/x.dict: not valid JSON/);
    expect(() => Dictionary.fromZlib(Uint8Array.of(1, 2, 3))).toThrow(/zlib/);
  });
});
