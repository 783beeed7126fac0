/** What the AVR flasher needs from a bootloader protocol (STK500v1, STK500v2). */
export interface AvrBootloader {
  readonly protocol: 'stk500v1' | 'stk500v2';
  /** STK500v2 (Mega bootloader) erases pages in order from 0 as writes come in. */
  readonly needsContiguousPagesFromZero?: boolean;
  sync(attempts?: number, perTryMs?: number): Promise<unknown>;
  enterProgramming(): Promise<void>;
  readSignature(): Promise<Uint8Array>;
  writePage(byteAddress: number, data: Uint8Array): Promise<void>;
  readFlash(byteAddress: number, length: number): Promise<Uint8Array>;
  leave(): Promise<void>;
}
