// i18n for every user-facing string. Each feature folder's locales/{en,zh-CN}.json is loaded
// automatically as the namespace named after the folder (features/console -> 'console'); the
// shell's own strings are the 'shell' namespace. Add a feature: drop in its two JSON files.
import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

export const languages = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type LanguageCode = (typeof languages)[number]['code'];

const STORAGE_KEY = 'tether.language';

type LocaleModule = Record<string, unknown>;
const featureLocales = import.meta.glob<LocaleModule>('../features/*/locales/*.json', { eager: true, import: 'default' });
const shellLocales = import.meta.glob<LocaleModule>('../shell/locales/*.json', { eager: true, import: 'default' });

/** Builds i18next resources from module paths like ../features/<ns>/locales/<lang>.json. */
export function resourcesFrom(modules: Record<string, LocaleModule>): Resource {
  const resources: Resource = {};
  for (const [file, strings] of Object.entries(modules)) {
    const m = /\/(?:features\/([^/]+)|(shell))\/locales\/([^/]+)\.json$/.exec(file);
    if (!m) continue;
    const ns = m[1] ?? m[2];
    const lang = m[3];
    resources[lang] ??= {};
    resources[lang][ns] = strings;
  }
  return resources;
}

/** The language to start in: the user's choice if made, else the system's (Chinese -> zh-CN). */
export function pickLanguage(saved: string | null, preferred: readonly string[]): LanguageCode {
  if (saved && languages.some((l) => l.code === saved)) return saved as LanguageCode;
  for (const tag of preferred) {
    if (/^zh\b/i.test(tag)) return 'zh-CN';
    if (/^en\b/i.test(tag)) return 'en';
  }
  return 'en';
}

function savedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export async function initI18n(): Promise<typeof i18next> {
  const resources = resourcesFrom({ ...featureLocales, ...shellLocales });
  await i18next.use(initReactI18next).init({
    resources,
    lng: pickLanguage(savedLanguage(), navigator.languages ?? [navigator.language]),
    fallbackLng: 'en',
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'shell',
    interpolation: { escapeValue: false }, // React escapes already
    returnNull: false,
  });
  document.documentElement.lang = i18next.language;
  i18next.on('languageChanged', (lng) => (document.documentElement.lang = lng));
  return i18next;
}

export function setLanguage(code: LanguageCode): void {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private mode: the choice lasts this session only.
  }
  void i18next.changeLanguage(code);
}
