// The bed mesh page: the loaded mesh as a 3D height map (or a 2D colour map without WebGL) with
// its profile, legend and Z exaggeration; calibrate (once X, Y, Z are homed), clear, and the
// saved profiles. Says plainly when the printer has no [bed_mesh] or no mesh is loaded.
import { useCallback, useEffect, useMemo, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type ApiClient } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { useStatus } from '../dashboard/status-store';
import { useGcodeAction } from '../dashboard/use-gcode';
import { CALIBRATE_SCRIPT, CLEAR_SCRIPT, heightStats, HOME_ALL_SCRIPT, homedForCalibrate, meshPanelState, Z_EXAGGERATION } from './mesh';
import type { SceneMesh } from './mesh-scene';
import { webglAvailable } from './mesh-scene';
import { MeshLegend } from './MeshLegend';
import { MeshMap2D } from './MeshMap2D';
import { MeshView3D } from './MeshView3D';
import { ProfileList } from './ProfileList';
import { useBedMesh, useBedMeshStore, useHomedAxes } from './store';
import './bed-mesh.css';

/** The nav's page: the selected printer through the app's API client. */
export function BedMeshPage(): JSX.Element {
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  return <BedMeshPanel client={api()} printerId={printer?.id ?? null} ready={connected && printer?.state === 'ready'} />;
}

export function BedMeshPanel({ client, printerId, ready }: { client: ApiClient; printerId: string | null; ready: boolean }): JSX.Element {
  const { t } = useTranslation('bed-mesh');
  const mesh = useBedMesh();
  const homed = homedForCalibrate(useHomedAxes());
  const hasBedMesh = useBedMeshStore((s) => (s.printerId === printerId ? s.hasBedMesh : null));
  const objectsError = useBedMeshStore((s) => s.error);
  const view = useBedMeshStore((s) => s.view);
  const zExaggeration = useBedMeshStore((s) => s.zExaggeration);
  const action = useGcodeAction(printerId);
  const [webglProblem, setWebglProblem] = useState<string | null>(() => (webglAvailable() ? null : 'none'));
  const onWebglUnavailable = useCallback((reason: string) => setWebglProblem(reason), []);

  // The live status (the dashboard's subscription includes bed_mesh) and which objects exist:
  // again after a restart, whose config may have gained or lost [bed_mesh].
  useEffect(() => {
    if (!printerId || !ready) return;
    void useStatus.getState().follow(client, printerId);
    void useBedMeshStore.getState().loadObjects(client, printerId);
  }, [client, printerId, ready]);

  const state = meshPanelState({ printerId, ready, hasBedMesh, mesh });
  // The legend and both views' colours use the probed points: what was measured, not interpolated.
  const stats = useMemo(() => (mesh.probed ? heightStats(mesh.probed) : null), [mesh.probed]);
  const sceneMesh = useMemo<SceneMesh | null>(
    () =>
      mesh.mesh && mesh.probed && mesh.minMm && mesh.maxMm
        ? { mesh: mesh.mesh, probed: mesh.probed, minMm: mesh.minMm, maxMm: mesh.maxMm }
        : null,
    [mesh],
  );
  const run = (script: string): Promise<boolean> =>
    printerId ? action.act(() => client.call('gcode.run', { printerId, script })) : Promise.resolve(false);
  const idle = ready && !action.busy;
  const show3d = view === '3d' && webglProblem === null;

  return (
    <section className="panel bed-mesh-panel" aria-labelledby="bed-mesh-title" data-testid="bed-mesh-panel">
      <header className="panel-header">
        <h1 id="bed-mesh-title">{t('title')}</h1>
      </header>
      {action.error && (
        <div className="alert alert-error" role="alert">
          {action.error}
        </div>
      )}
      {objectsError && <p className="muted">{t('state.objectsError', { reason: objectsError })}</p>}
      {state !== 'mesh' && state !== 'noMesh' && (
        <article className="card" data-testid={`mesh-state-${state}`}>
          <p>{t(`state.${state}`)}</p>
          {state === 'noBedMesh' && (
            <p className="muted">
              {t('state.noBedMeshHint')} <a href="#/config">{t('state.openConfig')}</a>
            </p>
          )}
        </article>
      )}
      {(state === 'mesh' || state === 'noMesh') && (
        <>
          <div className="actions mesh-actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={!idle || !homed}
              title={t('actions.calibrateHint')}
              onClick={() => void run(CALIBRATE_SCRIPT)}
            >
              {t('actions.calibrate')}
            </button>
            {!homed && (
              <button type="button" className="btn" disabled={!idle} onClick={() => void run(HOME_ALL_SCRIPT)}>
                {t('actions.homeAll')}
              </button>
            )}
            <button type="button" className="btn" disabled={!idle || state !== 'mesh'} onClick={() => void run(CLEAR_SCRIPT)}>
              {t('actions.clear')}
            </button>
            {action.busy && <span className="muted">{t('actions.running')}</span>}
          </div>
          {!homed && (
            <p className="muted" data-testid="calibrate-reason">
              {t('actions.homeFirst')}
            </p>
          )}
          <div className="grid bed-mesh-grid">
            <article className="card mesh-card">
              {state === 'noMesh' || !sceneMesh || !stats ? (
                <div data-testid="mesh-state-noMesh">
                  <h2>{t('state.noMeshTitle')}</h2>
                  <p className="muted">{t('state.noMesh')}</p>
                </div>
              ) : (
                <>
                  <div className="mesh-headline">
                    <h2 data-testid="mesh-profile">{mesh.profileName || t('profiles.unsaved')}</h2>
                    <span className="muted" data-testid="mesh-size">
                      {t('profiles.points', { x: sceneMesh.probed[0].length, y: sceneMesh.probed.length })} ·{' '}
                      {t('legend.area', {
                        x0: sceneMesh.minMm[0],
                        y0: sceneMesh.minMm[1],
                        x1: sceneMesh.maxMm[0],
                        y1: sceneMesh.maxMm[1],
                      })}
                    </span>
                  </div>
                  <div className="mesh-view-controls">
                    <div role="radiogroup" aria-label={t('view.label')} className="mesh-view-toggle">
                      {(['3d', '2d'] as const).map((v) => (
                        <label key={v} className="mesh-view-option">
                          <input
                            type="radio"
                            name="mesh-view"
                            checked={(v === '3d') === show3d}
                            disabled={v === '3d' && webglProblem !== null}
                            onChange={() => useBedMeshStore.getState().setView(v)}
                          />
                          {t(`view.${v}`)}
                        </label>
                      ))}
                    </div>
                    {show3d && (
                      <label className="mesh-exaggeration">
                        {t('view.exaggeration', { value: zExaggeration })}
                        <input
                          type="range"
                          min={Z_EXAGGERATION.min}
                          max={Z_EXAGGERATION.max}
                          value={zExaggeration}
                          onChange={(e) => useBedMeshStore.getState().setZExaggeration(Number(e.target.value))}
                        />
                      </label>
                    )}
                  </div>
                  {webglProblem !== null && (
                    <p className="muted" data-testid="webgl-unavailable">
                      {t('view.webglUnavailable')}
                    </p>
                  )}
                  {show3d ? (
                    <MeshView3D
                      mesh={sceneMesh}
                      zExaggeration={zExaggeration}
                      label={t('view.label3d')}
                      onUnavailable={onWebglUnavailable}
                    />
                  ) : (
                    <MeshMap2D rows={sceneMesh.probed} minMm={sceneMesh.minMm} maxMm={sceneMesh.maxMm} />
                  )}
                  <MeshLegend stats={stats} />
                </>
              )}
            </article>
            <article className="card">
              <ProfileList profiles={mesh.profiles} activeName={mesh.profileName} hasMesh={state === 'mesh'} disabled={!idle} run={run} />
            </article>
          </div>
        </>
      )}
    </section>
  );
}
