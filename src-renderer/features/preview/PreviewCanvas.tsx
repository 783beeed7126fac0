// The WebGL canvas. Owns one ToolpathViewer and feeds it the store's state; React never
// re-renders for view changes (the viewer is driven from a store subscription).
import { useEffect, useRef } from 'react';
import { usePreviewStore, type PreviewState } from './previewStore';
import { ToolpathViewer, type ViewState } from './viewer/toolpathViewer';

let activeViewer: ToolpathViewer | null = null;
/** The mounted viewer, for test harnesses and benchmarks (pixel reads, frame timing). */
export function getActiveViewer(): ToolpathViewer | null {
  return activeViewer;
}

function viewOf(s: PreviewState): ViewState {
  return {
    layerRange: s.layerRange,
    scrubSegments: s.scrubSegments,
    colorMode: s.colorMode,
    renderMode: s.renderMode,
    showTravel: s.showTravel,
    buildVolume: s.buildVolume,
    liveSegment: s.liveSegment,
    liveLayer: s.liveLayer,
    followLive: s.followLive,
    vertexBudget: s.vertexBudget,
  };
}

export function PreviewCanvas({ onError }: { onError: (message: string) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current!;
    let viewer: ToolpathViewer;
    try {
      viewer = new ToolpathViewer(canvas);
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
      return;
    }
    activeViewer = viewer;
    const store = usePreviewStore;
    store.getState().setSoftwareRenderer(viewer.softwareRenderer);
    let waitingForFirstFrame = false;
    viewer.onFullFrame = () => {
      if (!waitingForFirstFrame) return;
      waitingForFirstFrame = false;
      store.getState().markTiming('firstFrameAt', viewer.lastRenderMs);
      // Without an overview the first frame is already the full detail.
      if (viewer.drawing === 'full') store.getState().markTiming('detailFrameAt');
    };
    viewer.onDetailFrame = () => store.getState().markTiming('detailFrameAt');
    const upload = (s: PreviewState) => {
      viewer
        .setToolpath(s.toolpath, s.overview)
        .then(() => {
          if (store.getState().toolpath !== s.toolpath || !s.toolpath) return;
          store.getState().markTiming('uploadedAt');
          waitingForFirstFrame = true;
        })
        .catch((err: unknown) => {
          console.error(err);
          onError(err instanceof Error ? err.message : String(err));
        });
    };
    viewer.setView(viewOf(store.getState()));
    upload(store.getState());
    let lastCamera = store.getState().cameraRequest.seq;
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.toolpath !== prev.toolpath) upload(s);
      if (s.cameraRequest.seq !== lastCamera) {
        lastCamera = s.cameraRequest.seq;
        viewer.setCameraPreset(s.cameraRequest.preset);
      }
      viewer.setView(viewOf(s));
    });
    return () => {
      unsubscribe();
      viewer.dispose();
      if (activeViewer === viewer) activeViewer = null;
    };
  }, [onError]);

  return <canvas ref={canvasRef} data-testid="preview-canvas" style={{ display: 'block', width: '100%', height: '100%' }} />;
}
