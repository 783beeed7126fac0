// Public surface of the G-code scanner, for the preview worker and the host (file metadata).
export { GcodeScanner, scanGcode, type ScanOptions } from './gcodeScanner';
export { Feature, featureNames, featureFromTypeComment, type FeatureName } from './features';
export {
  layerOfSegment,
  segmentsBeforeFilePosition,
  toolpathBuffers,
  type LayerTable,
  type ScanWarning,
  type Toolpath,
} from './toolpath';
