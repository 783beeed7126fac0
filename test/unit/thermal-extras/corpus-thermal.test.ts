// The Klipper sample configs using the thermal/fan sections of this module: none of them may
// fail on those sections any more, and with other unsupported sections set aside each loads.
// Before this work 2 configs failed on [temperature_fan] and 2 on [fan_generic].
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '../../support/paths';
import { loadFile } from '../objects/load-helpers';

const SECTIONS = ['heater_generic', 'temperature_fan', 'fan_generic', 'adc_temperature'];
const corpusDir = path.join(referenceDir, 'klipper-configs');

describe('corpus configs with thermal extras', () => {
  it('load (full or with unrelated unsupported sections set aside) and never name these sections as unsupported', () => {
    const using = fs
      .readdirSync(corpusDir)
      .filter((f) => f.endsWith('.cfg'))
      .map((f) => [f, fs.readFileSync(path.join(corpusDir, f), 'utf8')] as const)
      .filter(([, text]) => SECTIONS.some((s) => new RegExp(`^\\[${s} `, 'm').test(text)));
    expect(using.length).toBeGreaterThanOrEqual(4);
    const fully: string[] = [];
    const other: string[] = [];
    for (const [f] of using) {
      try {
        loadFile(path.join(corpusDir, f));
        fully.push(f);
      } catch (e) {
        const msg = (e as Error).message;
        for (const s of SECTIONS) expect(msg, f).not.toContain(`[${s} `);
        other.push(`${f} (${msg.slice(0, 80)})`);
        // With the other unsupported sections set aside, ours are read for real.
        expect(() => loadFile(path.join(corpusDir, f), 'skip'), f).not.toThrow();
      }
    }
    console.log(
      `configs using ${SECTIONS.join('/')}: ${using.length}; load fully: ${fully.join(', ')}; still blocked by other sections: ${other.join('; ')}`,
    );
    expect(fully.length).toBeGreaterThanOrEqual(3);
  });
});
