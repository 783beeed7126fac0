import { readFileSync } from 'node:fs';
import path from 'node:path';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { repoRoot } from '../../support/paths';

/** i18next with a feature's real locale files, in the given language. */
export async function initFeatureI18n(feature: 'ports' | 'flash', lng: 'en' | 'zh-CN' = 'en'): Promise<typeof i18next> {
  const load = (lang: string) => JSON.parse(readFileSync(path.join(repoRoot, 'src-renderer/features', feature, 'locales', `${lang}.json`), 'utf8'));
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    resources: { en: { [feature]: load('en') }, 'zh-CN': { [feature]: load('zh-CN') } },
    lng,
    fallbackLng: 'en',
    ns: [feature],
    defaultNS: feature,
    interpolation: { escapeValue: false },
  });
  return instance;
}
