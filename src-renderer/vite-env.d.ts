/// <reference types="vite/client" />
import type { TetherBridge } from '../src-main/api/contract';

declare global {
  interface Window {
    /** Present inside the Electron app (set by the preload); absent in a browser (serve mode). */
    tether?: TetherBridge;
  }
}
