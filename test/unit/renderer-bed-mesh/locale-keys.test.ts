// Every t('key') the bed mesh page and the sensors card use has English and Chinese text (the
// shared locales test checks the two files match each other; this checks the code's keys exist,
// including the ones picked by a variable: panel states, views, filament states, name problems).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';

function flatKeys(obj: unknown, prefix = ''): string[] {
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? flatKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

const dynamic: Record<string, string[]> = {
  'bed-mesh': [
    ...['noPrinter', 'notReady', 'loading', 'noBedMesh'].map((s) => `state.${s}`),
    'view.3d',
    'view.2d',
    'profiles.problem.empty',
    'profiles.problem.chars',
  ],
  sensors: ['filament.detected', 'filament.empty', 'filament.disabled', 'probe.triggered', 'probe.open'],
};

describe.each(Object.keys(dynamic))('%s locale keys', (feature) => {
  const dir = path.join(repoRoot, 'src-renderer/features', feature);
  const used = new Set<string>(dynamic[feature]);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
    const src = readFileSync(path.join(dir, file), 'utf8');
    for (const m of src.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/'([a-z]+\.[\w.]+)'/g))
      if (/^(probe|filament|state|view|profiles|legend|actions|map)\./.test(m[1])) used.add(m[1]);
  }
  for (const lang of ['en', 'zh-CN']) {
    it(`${lang}: every key used in the code has text`, () => {
      const keys = new Set(flatKeys(JSON.parse(readFileSync(path.join(dir, 'locales', `${lang}.json`), 'utf8'))));
      expect(used.size).toBeGreaterThan(8);
      expect([...used].filter((k) => !keys.has(k))).toEqual([]);
    });
  }
});
