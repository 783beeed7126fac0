// Every UI string exists in English and Simplified Chinese: each locales folder (the shell's
// and every feature's, including features other engineers add) must have both files with the
// same keys and the same {{placeholders}}. Keys the shell and its panels use must exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';

const rendererDir = path.join(repoRoot, 'src-renderer');
const LANGS = ['en', 'zh-CN'];
const PLURAL = /_(zero|one|two|few|many|other)$/;

function localeDirs(): string[] {
  const dirs = [path.join(rendererDir, 'shell/locales')];
  const features = path.join(rendererDir, 'features');
  for (const f of readdirSync(features)) {
    const d = path.join(features, f, 'locales');
    if (existsSync(d) && statSync(d).isDirectory()) dirs.push(d);
  }
  return dirs;
}

/** Flattens nested keys to a.b.c => value; plural forms count as their base key (languages differ). */
function flatten(obj: unknown, prefix = '', out = new Map<string, string[]>()): Map<string, string[]> {
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null) flatten(v, key, out);
    else {
      const base = key.replace(PLURAL, '');
      out.set(base, [...(out.get(base) ?? []), String(v)]);
    }
  }
  return out;
}

function placeholders(values: string[]): string[] {
  return [...new Set(values.flatMap((v) => [...v.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1])))].sort();
}

function load(dir: string, lang: string): Map<string, string[]> {
  return flatten(JSON.parse(readFileSync(path.join(dir, `${lang}.json`), 'utf8')));
}

describe('locales', () => {
  const dirs = localeDirs();
  it('finds the shell and feature locale folders', () => {
    expect(dirs.map((d) => path.relative(rendererDir, d))).toEqual(
      expect.arrayContaining(['shell/locales', 'features/console/locales', 'features/dashboard/locales', 'features/config/locales']),
    );
  });

  for (const dir of dirs) {
    const name = path.relative(rendererDir, dir);
    it(`${name}: en and zh-CN have the same keys, non-empty, with the same placeholders`, () => {
      for (const lang of LANGS) expect(existsSync(path.join(dir, `${lang}.json`)), `${name}/${lang}.json missing`).toBe(true);
      const [en, zh] = LANGS.map((l) => load(dir, l));
      const missingInZh = [...en.keys()].filter((k) => !zh.has(k));
      const missingInEn = [...zh.keys()].filter((k) => !en.has(k));
      expect(missingInZh, `keys missing in ${name}/zh-CN.json`).toEqual([]);
      expect(missingInEn, `keys missing in ${name}/en.json`).toEqual([]);
      for (const [key, values] of en) {
        for (const v of [...values, ...(zh.get(key) ?? [])]) expect(v.trim(), `${name}: ${key} is empty`).not.toBe('');
        expect(placeholders(zh.get(key) ?? []), `${name}: ${key} placeholders`).toEqual(placeholders(values));
      }
    });
  }
});

describe('keys used in code', () => {
  // Literal t('key') calls in the files this foundation owns, checked against their namespace.
  const sources: [string, string][] = [
    ['shell', 'shell'],
    ['features/console', 'console'],
    ['features/dashboard', 'dashboard'],
    ['features/config', 'config'],
  ];
  for (const [folder, ns] of sources) {
    it(`${folder} uses only keys that exist in ${ns}`, () => {
      const en = load(path.join(rendererDir, folder === 'shell' ? 'shell/locales' : `${folder}/locales`), 'en');
      const dir = path.join(rendererDir, folder);
      const used = new Set<string>();
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
        const src = readFileSync(path.join(dir, file), 'utf8');
        for (const m of src.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
        // Template keys such as t(`nav.${p.id}`): every known panel/state must resolve.
        for (const m of src.matchAll(/\bt\(`([\w.]+)\.\$\{/g)) used.add(`${m[1]}.*`);
      }
      expect(used.size).toBeGreaterThan(0);
      for (const key of used) {
        if (key.endsWith('.*')) {
          const prefix = key.slice(0, -1);
          expect(
            [...en.keys()].some((k) => k.startsWith(prefix)),
            `${folder}: no keys under ${prefix}`,
          ).toBe(true);
        } else expect(en.has(key), `${folder}: t('${key}') has no English text`).toBe(true);
      }
    });
  }
});
