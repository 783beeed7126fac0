// Saved mesh profiles: load or remove each, save the current mesh under a name. A save or
// remove lives only in the host until SAVE_CONFIG writes it to printer.cfg, so it says so.
import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { profileNameProblem, profileScript, SAVE_CONFIG_SCRIPT, type MeshProfile, type ProfileAction } from './mesh';

export function ProfileList({
  profiles,
  activeName,
  hasMesh,
  disabled,
  run,
}: {
  profiles: MeshProfile[];
  activeName: string;
  hasMesh: boolean;
  disabled: boolean;
  run(script: string): Promise<boolean>;
}): JSX.Element {
  const { t } = useTranslation('bed-mesh');
  const [name, setName] = useState('default');
  const [unsaved, setUnsaved] = useState(false);
  const problem = profileNameProblem(name);

  const send = async (action: ProfileAction, profile: string): Promise<void> => {
    if (profileNameProblem(profile)) return;
    if ((await run(profileScript(action, profile))) && action !== 'LOAD') setUnsaved(true);
  };

  return (
    <section className="mesh-profiles" aria-labelledby="mesh-profiles-title">
      <h2 id="mesh-profiles-title">{t('profiles.title')}</h2>
      {profiles.length === 0 ? (
        <p className="muted">{t('profiles.none')}</p>
      ) : (
        <ul className="mesh-profile-list">
          {profiles.map((p) => (
            <li key={p.name} className={p.name === activeName ? 'active' : undefined} data-testid={`profile-${p.name}`}>
              <span className="mesh-profile-name">{p.name}</span>
              {p.name === activeName && <span className="chip">{t('profiles.active')}</span>}
              <span className="muted">
                {t('profiles.points', { x: p.xCount, y: p.yCount })}
                {p.rangeMm !== null && ` · ${t('profiles.range', { value: p.rangeMm.toFixed(3) })}`}
              </span>
              <span className="mesh-profile-actions">
                <button
                  type="button"
                  className="btn"
                  disabled={disabled || profileNameProblem(p.name) !== null}
                  onClick={() => void send('LOAD', p.name)}
                >
                  {t('profiles.load')}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost"
                  aria-label={t('profiles.removeNamed', { name: p.name })}
                  disabled={disabled || profileNameProblem(p.name) !== null}
                  onClick={() => void send('REMOVE', p.name)}
                >
                  {t('profiles.remove')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send('SAVE', name);
        }}
      >
        <label>
          {t('profiles.nameLabel')}
          <input value={name} onChange={(e) => setName(e.target.value)} aria-invalid={problem !== null} data-testid="profile-name" />
        </label>
        <button type="submit" className="btn" disabled={disabled || !hasMesh || problem !== null}>
          {t('profiles.save')}
        </button>
      </form>
      {problem && <p className="muted">{t(`profiles.problem.${problem}`)}</p>}
      {!hasMesh && <p className="muted">{t('profiles.saveNeedsMesh')}</p>}
      {unsaved && (
        <div className="hint" data-testid="save-config-hint">
          {t('profiles.saveConfigHint')}{' '}
          <button
            type="button"
            className="btn"
            disabled={disabled}
            onClick={() => void run(SAVE_CONFIG_SCRIPT).then((ok) => ok && setUnsaved(false))}
          >
            {t('profiles.saveConfig')}
          </button>
        </div>
      )}
    </section>
  );
}
