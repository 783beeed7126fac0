// Every t('key') the temperatures, motion and jobs cards use has its English and Chinese text
// (the shared locales test checks the two files match; this checks the code's keys exist).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';

const features = ['temperatures', 'motion', 'jobs'];

function flatKeys(obj: unknown, prefix = ''): string[] {
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? flatKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe.each(features)('%s locale keys', (feature) => {
  const dir = path.join(repoRoot, 'src-renderer/features', feature);
  const used = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
    const src = readFileSync(path.join(dir, file), 'utf8');
    for (const m of src.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\bt\(`([\w.]+)\.\$\{/g)) prefixes.add(`${m[1]}.`);
  }

  for (const lang of ['en', 'zh-CN']) {
    it(`${lang}: every key used in the code has text`, () => {
      const keys = new Set(flatKeys(JSON.parse(readFileSync(path.join(dir, 'locales', `${lang}.json`), 'utf8'))));
      expect(used.size).toBeGreaterThan(3);
      expect([...used].filter((k) => !keys.has(k))).toEqual([]);
      for (const p of prefixes)
        expect(
          [...keys].some((k) => k.startsWith(p)),
          `${feature}: nothing under ${p}`,
        ).toBe(true);
    });
  }
});
