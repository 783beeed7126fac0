/** Why a flash failed, as a stable code the UI can key its recovery path on. */
export type FlashErrorCode =
  | 'bad-image'
  | 'image-too-big'
  | 'wrong-signature'
  | 'timeout'
  | 'protocol'
  | 'verify-mismatch'
  | 'port-open-failed'
  | 'port-vanished'
  | 'tool-missing'
  | 'tool-failed'
  | 'tool-timeout'
  | 'unsupported-method'
  | 'no-drive'
  | 'cancelled'
  /** Building firmware: no Tether firmware for this board's MCU, or no firmware sources here. */
  | 'no-firmware'
  | 'build-failed';

/** A flashing failure the user can act on: what failed, where, and what to do (`fix`). */
export class FlashError extends Error {
  constructor(
    readonly code: FlashErrorCode,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'FlashError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FlashError('cancelled', 'Flashing was cancelled.', 'Start again when ready; the board keeps its bootloader.');
}
