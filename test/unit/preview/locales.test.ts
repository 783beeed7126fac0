import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/paths';
import en from '../../../src-renderer/features/preview/locales/en.json';
import zh from '../../../src-renderer/features/preview/locales/zh-CN.json';
import { featureNames } from '../../../src-renderer/features/preview/parser/features';

function keys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
const lookup = (obj: unknown, key: string) =>
  key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

describe('preview locales', () => {
  it('English and Simplified Chinese have the same keys and the same {{placeholders}}', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    for (const k of keys(en)) {
      const ph = (s: unknown) => (String(s).match(/{{\w+}}/g) ?? []).sort();
      expect(ph(lookup(zh, k)), k).toEqual(ph(lookup(en, k)));
      expect(String(lookup(zh, k)).length, k).toBeGreaterThan(0);
    }
  });

  it('every key the components ask for exists, including the per-feature names', () => {
    const dir = path.join(repoRoot, 'src-renderer/features/preview');
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.tsx'))) {
      const src = readFileSync(path.join(dir, f), 'utf8');
      for (const m of src.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(20);
    for (const n of featureNames) used.add(`feature.${n}`);
    for (const m of ['feature', 'speed', 'layer', 'tool']) used.add(`color.${m}`);
    for (const c of ['top', 'front', 'iso']) used.add(`camera.${c}`);
    for (const w of ['arcWithoutCentre', 'arcRadiusTooSmall', 'arcPlaneUnsupported']) used.add(`warning.${w}`);
    for (const k of used) expect(typeof lookup(en, k), k).toBe('string');
  });
});
