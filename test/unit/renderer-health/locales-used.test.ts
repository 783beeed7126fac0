// The literal t('key') calls of the Printers, Health and Logs pages and the shell's laptop-care
// banner exist in English and Simplified Chinese (the general locales test checks that both
// languages have the same keys; this checks the code asks only for keys that exist).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';

const rendererDir = path.join(repoRoot, 'src-renderer');
const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(file: string): Set<string> {
  const out = new Set<string>();
  const walk = (obj: unknown, prefix: string) => {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'object' && v !== null) walk(v, key);
      else out.add(key.replace(PLURAL, ''));
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')), '');
  return out;
}

const cases: { files: string[]; locales: string }[] = [
  { files: ['features/health/HealthPanel.tsx'], locales: 'features/health/locales' },
  { files: ['features/printers/PrintersPanel.tsx'], locales: 'features/printers/locales' },
  { files: ['features/logs/LogsPanel.tsx'], locales: 'features/logs/locales' },
  { files: ['shell/PowerBanner.tsx'], locales: 'shell/locales' },
];

describe('keys used by the health, printers and logs pages', () => {
  for (const c of cases) {
    for (const lang of ['en', 'zh-CN']) {
      it(`${c.files.join(', ')} -> ${c.locales}/${lang}.json`, () => {
        const have = keys(path.join(rendererDir, c.locales, `${lang}.json`));
        const used = new Set<string>();
        for (const f of c.files) {
          const src = readFileSync(path.join(rendererDir, f), 'utf8');
          for (const m of src.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
          // t(`metric.${r.key}.label`): every prefix must have keys below it.
          for (const m of src.matchAll(/\bt\(`([\w.]+)\.\$\{/g)) used.add(`${m[1]}.*`);
        }
        expect(used.size).toBeGreaterThan(0);
        for (const key of used) {
          if (key.endsWith('.*')) expect([...have].some((k) => k.startsWith(key.slice(0, -1))), `${f(c)}: nothing under ${key}`).toBe(true);
          else expect(have.has(key), `${f(c)}: t('${key}') missing in ${lang}`).toBe(true);
        }
      });
    }
  }
  const f = (c: { files: string[] }) => c.files.join(', ');

  it('has an explanation for every health metric and finding the panel can show', () => {
    const en = keys(path.join(rendererDir, 'features/health/locales/en.json'));
    const panel = readFileSync(path.join(rendererDir, 'features/health/HealthPanel.tsx'), 'utf8');
    const metricKeys = [...panel.matchAll(/\{ key: '(\w+)'/g)].map((m) => m[1]);
    expect(metricKeys.length).toBeGreaterThan(15);
    for (const k of metricKeys) {
      expect(en.has(`metric.${k}.label`), k).toBe(true);
      expect(en.has(`metric.${k}.help`), k).toBe(true);
    }
    const derive = readFileSync(path.join(rendererDir, 'features/health/health-derive.ts'), 'utf8');
    const findings = /export type Finding = ([^;]+);/.exec(derive)![1].match(/'(\w+)'/g)!.map((s) => s.slice(1, -1));
    for (const k of findings) expect(en.has(`finding.${k}`), k).toBe(true);
  });
});
