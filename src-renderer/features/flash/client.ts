// What the flashing wizard needs from the app API (see src-main/flash/README.md for the
// methods and events the shell wires this to).
import type { Board, FlashMethodId } from '../../../src-main/flash/catalog';
import type { DriveInfo } from '../../../src-main/flash/drives';
import type { FlashEvent, FlashPhase, FlashResult } from '../../../src-main/flash/flash';
import type { FlashJobEvent, FlashStartRequest } from '../../../src-main/flash/jobs';
import type { BuildEvent, FirmwareBuildJobEvent, FirmwareBuildResult } from '../../../src-main/flash/firmware-build';
import type { PortInfo } from '../../../src-main/ports/types';
import type { FirmwareBuildStatus, ImageChoice } from '../../../src-main/api/contract';

export type { BuildEvent, FirmwareBuildJobEvent, FirmwareBuildResult };
export type { Board, DriveInfo, FlashEvent, FlashJobEvent, FlashMethodId, FlashPhase, FlashResult, FlashStartRequest, PortInfo };

// The API's own types for offered images and build readiness (one definition, in the contract).
export type { FirmwareBuildStatus, ImageChoice };

export interface FlashClient {
  listBoards(): Promise<Board[]>;
  listPorts(): Promise<PortInfo[]>;
  listDrives(): Promise<DriveInfo[]>;
  listImages(boardId: string): Promise<ImageChoice[]>;
  start(request: FlashStartRequest): Promise<{ jobId: string }>;
  cancel(jobId: string): Promise<void>;
  /** Subscribes to flash job events; returns the unsubscribe function. */
  onEvent(listener: (event: FlashJobEvent) => void): () => void;
  /** Reconnects the printer after flashing and names the firmware it found (optional until the host provides it). */
  reconnect?(boardId: string, port: string): Promise<{ firmware: string }>;
  /** Building our firmware for the board (flash.buildStatus / build / buildCancel / buildEvent); absent where unsupported. */
  /** `fresh`: look for the compilers again now (after installing one), not a check from seconds ago. */
  buildStatus?(boardId: string, fresh?: boolean): Promise<FirmwareBuildStatus>;
  startBuild?(boardId: string): Promise<{ buildId: string }>;
  cancelBuild?(buildId: string): Promise<void>;
  onBuildEvent?(listener: (event: FirmwareBuildJobEvent) => void): () => void;
}
