// What motion_report's trapq history costs the motion core: 100k moves (3 segments each) queued
// and expired in 50 ms slices of print time, with and without the history; then the cost of one
// live sample (status read) against a full 5 s history. Run: npx tsx test/bench/motion-report.bench.ts
import { TrapQ } from '../../src-main/host/motion/trapq';
import { TrapqHistory } from '../../src-main/host/objects/motion-report';

const MOVES = 100_000;
const MOVE_S = 0.01; // 100 moves/s: 1000 s of print time

function run(withHistory: boolean): { ms: number; history: TrapqHistory | null } {
  const q = new TrapQ();
  const history = withHistory ? new TrapqHistory(q, () => 0) : null;
  const t0 = performance.now();
  let expiredTo = 0;
  for (let i = 0; i < MOVES; i++) {
    const t = i * MOVE_S;
    q.append(t, 0.002, 0.006, 0.002, i, 0, 0, 1, 0, 0, 0, 100, 50_000);
    if (t - expiredTo >= 0.05) {
      q.expireBefore(t - 1); // steps are generated ~1 s ahead of the MCU
      expiredTo = t;
    }
  }
  return { ms: performance.now() - t0, history };
}

run(true); // warm-up
const base = run(false);
const withHist = run(true);
const h = withHist.history!;
const t1 = performance.now();
const N = 100_000;
let sink = 0;
for (let i = 0; i < N; i++) sink += h.sample(MOVES * MOVE_S - 3 + (i % 100) * 0.01).speedMmS;
const sampleUs = ((performance.now() - t1) * 1000) / N;
console.log(
  `${MOVES} moves: trapq alone ${base.ms.toFixed(1)} ms, with motion_report history ${withHist.ms.toFixed(1)} ms (+${(((withHist.ms - base.ms) * 1e6) / (MOVES * 3)).toFixed(0)} ns per segment)`,
);
console.log(
  `history kept: ${h.keptSegments} segments; one live sample 2 s back: ${sampleUs.toFixed(2)} us (${sink > 0 ? 'ok' : 'no motion?'})`,
);
