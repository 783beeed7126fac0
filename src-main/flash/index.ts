// Flashing: the entry points the app API wires (see README.md).
export { flash, checkImageFits, resolveBoard, readImageFile, toIntelHex, type FlashRequest, type FlashResult, type FlashEvent, type FlashPhase, type FlashTimeouts } from './flash';
export { FlashError, type FlashErrorCode } from './errors';
export { loadBoardCatalog, parseBoardCatalog, defaultCatalogPath, type Board, type BoardSpec, type BoardCatalog, type McuSpec, type FlashMethodId, type BootloaderEntry, type SdCardRules } from './catalog';
export { parseIntelHex, imageFromBinary, loadImage, flattenImage, pagesOf, imageByteCount, type FirmwareImage, type ImageSegment } from './image';
export { imageToUf2, parseUf2, findUf2Drives, copyUf2ToDrive, RP2040_FAMILY_ID } from './uf2';
export { sdCardFilePath, writeSdCardImage } from './sdcard';
export { runTool, avrdudeArgs, dfuUtilArgs, dfuUtilReadArgs, bossacArgs } from './external-tool';
export { KLIPPER_BOOTLOADER_REQUEST, pulseReset, touch1200Baud, requestKlipperBootloader } from './bootloader-entry';
export { Stk500v1 } from './stk500v1';
export { Stk500v2 } from './stk500v2';
export { Stm32SerialBootloader, erasePagesFor } from './an3155';
export { SerialLink } from './serial-link';
export { FlashJobs, type FlashStartRequest, type FlashJobEvent } from './jobs';
export { listRemovableDrives, type DriveInfo } from './drives';
export { identifyFirmware, type FirmwareIdentity } from './identify';
export { flashCommand, boardsCommand, buildCommand } from './cli';
export {
  buildFirmware,
  planFirmwareBuild,
  firmwareMcus,
  firmwareHasUsbSerial,
  isBuildStepLine,
  describeBuildStep,
  firstCompileError,
  listFirmwareBuilds,
  pruneFirmwareBuilds,
  FirmwareBuilds,
  type BuildEvent,
  type FirmwareBuildResult,
  type FirmwareBuildPlan,
  type FirmwareBuildOptions,
  type FirmwareBuildJobEvent,
  type FirmwareSerial,
} from './firmware-build';
export { checkToolchain, toolsFor, type ToolchainStatus, type ToolchainProblem, type FirmwareTarget, type RunProbe } from './toolchain';
