// Public surface of the G-code scanner, for the preview worker and the host (file metadata).
export {
  GcodeScanner,
  buildToolpath,
  scanGcode,
  type RawScan,
  type ScanCheckpoint,
  type ScanGuess,
  type ScanOptions,
  type ScanState,
} from './gcodeScanner';
export { canJoin, firstLineStart, guessFromHead, mergeScans, pushWithCheckpoints, scanInTwo, statesMatch } from './parallelScan';
export { Feature, featureNames, featureFromTypeComment, type FeatureName } from './features';
export { layerOfSegment, segmentsBeforeFilePosition, toolpathBuffers, type LayerTable, type ScanWarning, type Toolpath } from './toolpath';
