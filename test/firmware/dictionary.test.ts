import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir, repoRoot } from '../support/paths';

// The generated data dictionary of the sim build against Klipper's own dictionaries
// (shared/reference/klipper-dicts): every message format must be byte-identical to Klipper's,
// so Klipper's host can drive our firmware, and the constants a host needs must be present.
const ours = JSON.parse(readFileSync(path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json'), 'utf8')) as {
  commands: Record<string, number>;
  responses: Record<string, number>;
  enumerations: Record<string, Record<string, number | [number, number]>>;
  config: Record<string, number | string>;
};
const klipperDir = path.join(referenceDir, 'klipper-dicts');
const klipper = readdirSync(klipperDir)
  .filter((f) => f.endsWith('.dict'))
  .map((f) => JSON.parse(readFileSync(path.join(klipperDir, f), 'utf8')) as typeof ours);
const klipperFormats = new Set(klipper.flatMap((d) => [...Object.keys(d.commands), ...Object.keys(d.responses)]));

describe('generated dictionary', () => {
  it("uses Klipper's exact format strings", () => {
    const formats = [...Object.keys(ours.commands), ...Object.keys(ours.responses)];
    expect(formats.length).toBeGreaterThan(40);
    expect(formats.filter((f) => !klipperFormats.has(f))).toEqual([]);
  });

  it('has unique ids, identify fixed at 1 and identify_response at 0, all encodable', () => {
    const ids = [...Object.values(ours.commands), ...Object.values(ours.responses)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ours.commands['identify offset=%u count=%c']).toBe(1);
    expect(ours.responses['identify_response offset=%u data=%.*s']).toBe(0);
    for (const id of ids) expect(id >= -32 && id < 12288).toBe(true);
  });

  it('declares the constants and enumerations a host relies on', () => {
    for (const k of [
      'CLOCK_FREQ',
      'MCU',
      'SERIAL_BAUD',
      'RECEIVE_WINDOW',
      'ADC_MAX',
      'PWM_MAX',
      'STATS_SUMSQ_BASE',
      'STEPPER_STEP_BOTH_EDGE',
    ]) {
      expect(ours.config[k], k).toBeDefined();
    }
    // Shutdown reasons shared with Klipper keep Klipper's wording.
    const klipperReasons = new Set(klipper.flatMap((d) => Object.keys(d.enumerations.static_string_id ?? {})));
    for (const reason of [
      'Timer too close',
      'Rescheduled timer in the past',
      'Move queue overflow',
      'ADC out of range',
      'Missed scheduling of next digital out event',
      "Can't assign oid",
      'Invalid oid type',
      'Already finalized',
      'Command request',
    ]) {
      expect(ours.enumerations.static_string_id[reason], reason).toBeTypeOf('number');
      expect(klipperReasons.has(reason), reason).toBe(true);
    }
  });
});
