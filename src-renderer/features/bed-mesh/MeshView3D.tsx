// The 3D height map: a canvas owned by a MeshScene, resized with its box. If WebGL fails to
// start, onUnavailable tells the panel to show the 2D map instead.
import { useEffect, useRef, type JSX } from 'react';
import { MeshScene, type SceneMesh } from './mesh-scene';

export function MeshView3D({
  mesh,
  zExaggeration,
  label,
  onUnavailable,
}: {
  mesh: SceneMesh;
  zExaggeration: number;
  label: string;
  onUnavailable(reason: string): void;
}): JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<MeshScene | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let scene: MeshScene;
    try {
      scene = new MeshScene(canvas);
    } catch (e) {
      onUnavailable(e instanceof Error ? e.message : String(e));
      return;
    }
    sceneRef.current = scene;
    const observer = new ResizeObserver(() => scene.resize(canvas.clientWidth, canvas.clientHeight));
    observer.observe(canvas);
    scene.resize(canvas.clientWidth, canvas.clientHeight);
    return () => {
      observer.disconnect();
      scene.dispose();
      sceneRef.current = null;
    };
  }, [onUnavailable]);

  useEffect(() => {
    sceneRef.current?.setMesh(mesh, zExaggeration);
  }, [mesh, zExaggeration]);

  return <canvas ref={canvasRef} className="mesh-canvas" data-testid="mesh-view-3d" role="img" aria-label={label} />;
}
