// The dashboard's hint per known host message: Klipper's English text in, a hint key out, and
// every key has its text in both languages.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hintKeyFor } from '../../../src-renderer/features/dashboard/message-hints';
import { repoRoot } from '../../support/paths';

const locale = (lang: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, `src-renderer/features/dashboard/locales/${lang}.json`), 'utf8')) as { hints: Record<string, string> };

describe('host message hints', () => {
  it('maps known host messages to hints, and unknown ones to none', () => {
    expect(hintKeyFor("Lost communication with MCU 'mcu'")).toBe('lostComm');
    expect(hintKeyFor("MCU 'mcu' shutdown: Timer too close")).toBe('timerTooClose');
    expect(hintKeyFor('Shutdown due to M112 command')).toBe('m112');
    expect(hintKeyFor("Connecting to MCU 'mcu' on /tmp/tether-sim/ttyTether")).toBe('connect');
    expect(hintKeyFor("Config error: Option 'x' is not valid in section 'printer' (printer.cfg:9)")).toBe('config');
    expect(hintKeyFor('Printer is ready')).toBeNull();
  });
  it('has every hint in English and Simplified Chinese', () => {
    const en = locale('en').hints;
    const zh = locale('zh-CN').hints;
    for (const key of ['lostComm', 'timerTooClose', 'adcRange', 'heating', 'm112', 'connect', 'config', 'home', 'range', 'mcuShutdown']) {
      expect(en[key], key).toMatch(/\w/);
      expect(zh[key], key).toMatch(/\S/);
    }
  });
});
