// The motion panel's own state: the chosen jog step (remembered across reloads).
import { create } from 'zustand';
import { JOG_STEPS_MM } from './model';

const STEP_KEY = 'tether.motion.jogStepMm';

function savedStep(): number {
  try {
    const v = Number(localStorage.getItem(STEP_KEY));
    return (JOG_STEPS_MM as readonly number[]).includes(v) ? v : 10;
  } catch {
    return 10;
  }
}

export interface MotionState {
  jogStepMm: number;
  setJogStep(mm: number): void;
}

export const useMotion = create<MotionState>()((set) => ({
  jogStepMm: savedStep(),
  setJogStep(mm) {
    try {
      localStorage.setItem(STEP_KEY, String(mm));
    } catch {
      // Remembered for this session only.
    }
    set({ jogStepMm: mm });
  },
}));
