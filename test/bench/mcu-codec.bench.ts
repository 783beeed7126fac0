// MCU codec throughput: messages encoded + framed per second, the batch-mode path the motion
// engine uses (queue_step through the file-output Mcu), generic format-driven encoding, and
// decoding. Run: npx tsx test/bench/mcu-codec.bench.ts
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ByteReader, writeBlock, writeVlq } from '../../src-main/host/mcu/codec';
import { decodeStream } from '../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../src-main/host/mcu/dictionary';
import { Mcu } from '../../src-main/host/mcu/mcu';
import { McuStepSink, stepCommandIds } from '../../src-main/host/mcu/step-queue';
import { referenceDir, testOutputDir } from '../support/paths';

const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));
const N = Number(process.env.BENCH_MESSAGES ?? 1_200_000);
mkdirSync(testOutputDir, { recursive: true });

function timeIt(label: string, count: number, fn: () => void | Promise<void>): Promise<number> {
  return (async () => {
    const t0 = performance.now();
    await fn();
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${label.padEnd(58)} ${(count / s / 1e6).toFixed(2).padStart(7)} M msg/s  ${((s / count) * 1e9).toFixed(0).padStart(5)} ns/msg  (${s.toFixed(3)} s)`,
    );
    return s;
  })();
}

// 1. Raw fast path: VLQ-encode queue_step and frame into blocks (no queues).
const qsId = dict.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi').id;
await timeIt('raw: writeVlq queue_step + writeBlock framing', N, () => {
  const out = new Uint8Array(1 << 20);
  const payload = new Uint8Array(64);
  let outPos = 0;
  let plen = 0;
  let seq = 1;
  for (let i = 0; i < N; i++) {
    if (plen > 59 - 24) {
      if (outPos + 64 > out.length) outPos = 0;
      outPos = writeBlock(out, outPos, seq++, payload, 0, plen);
      plen = 0;
    }
    let p = writeVlq(payload, plen, qsId);
    p = writeVlq(payload, p, i & 3);
    p = writeVlq(payload, p, 1000 + (i % 50000));
    p = writeVlq(payload, p, 1 + (i % 300));
    plen = writeVlq(payload, p, (i % 200) - 100);
  }
});

// 2. The batch path: Mcu (file output) + McuStepSink (the steppers' sink), move-queue slots, block packing,
//    written to a file. This is what `tether batch` pays per queue_step.
const outFile = path.join(testOutputDir, 'bench-mcu-codec.serial');
const mcu = new Mcu({ fileOutput: { dictionary: dict, output: outFile } });
const queues = [mcu.allocCommandQueue(), mcu.allocCommandQueue(), mcu.allocCommandQueue(), mcu.allocCommandQueue()];
await mcu.connect();
const senders = queues.map((q, oid) => {
  const sink = new McuStepSink(oid);
  sink.bind(q, stepCommandIds(dict));
  return sink;
});
const batchS = await timeIt('batch: Mcu file output, 4 queues, queue_step fast lane', N, async () => {
  let clock = 0;
  for (let i = 0; i < N; i++) {
    clock += 2000;
    senders[i & 3]!.queueStep(1000 + (i % 50000), 1 + (i % 300), (i % 200) - 100, clock, clock);
  }
  await mcu.close();
});
const size = statSync(outFile).size;
console.log(
  `   -> ${(size / 1e6).toFixed(2)} MB written, ${(size / N).toFixed(2)} bytes per queue_step; ${N} messages in ${batchS.toFixed(2)} s`,
);

// 3. One queue (Klipper's layout: all steppers on one queue, already in req_clock order).
const mcu1 = new Mcu({ fileOutput: { dictionary: dict, output: outFile } });
const q1 = mcu1.allocCommandQueue();
await mcu1.connect();
const s1 = [0, 1, 2, 3].map((oid) => {
  const sink = new McuStepSink(oid);
  sink.bind(q1, stepCommandIds(dict));
  return sink;
});
await timeIt('batch: Mcu file output, 1 queue, queue_step fast lane', N, async () => {
  let clock = 0;
  for (let i = 0; i < N; i++) {
    clock += 2000;
    s1[i & 3]!.queueStep(1000 + (i % 50000), 1 + (i % 300), (i % 200) - 100, clock, clock);
  }
  await mcu1.close();
});

// 4. Generic path: McuCommand.send with an argument array (format-driven encode).
const M = Math.min(N, 300_000);
const mcu2 = new Mcu({ fileOutput: { dictionary: dict, output: outFile } });
await mcu2.connect();
const dig = mcu2.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u');
await timeIt('generic: McuCommand.send([..]) queue_digital_out', M, async () => {
  for (let i = 0; i < M; i++) dig.send([i & 7, 1000 + i * 100, i & 255], { reqClock: 1000 + i * 100 });
  await mcu2.close();
});

// 5. Decoding (tether decode's core) of what test 4 wrote.
const bytes = new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(outFile)));
let decoded = 0;
await timeIt('decode: BlockReceiver + dictionary decode', M, () => {
  decodeStream(dict, bytes, () => decoded++);
});
void ByteReader;

// 6. Over a real pty to the sim firmware (when built): queued debug_nop commands per second,
//    the host half of Klipper's "FLOOD debug_nop" dispatch benchmark.
{
  const { existsSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const { repoRoot } = await import('../support/paths');
  const simBin = path.join(repoRoot, 'firmware/build/sim/tether-sim');
  if (!existsSync(simBin)) {
    console.log('sim: firmware/build/sim/tether-sim not built; skipped (make -C firmware native)');
  } else {
    const sim = spawn(simBin, ['--trace', '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pty = await new Promise<string>((resolve) => {
      let out = '';
      sim.stdout!.on('data', (d) => {
        out += String(d);
        const m = /pty: (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
    });
    const live = new Mcu({ serialPort: pty });
    await live.connect({ configure: false });
    const nop = live.lookupCommand('debug_nop');
    const K = 100_000;
    await timeIt('sim over pty: queued debug_nop, sent and acked', K, async () => {
      for (let i = 0; i < K; i++) nop.send();
      await live.flush();
    });
    const st = live.getStatus().lastStats;
    console.log(`   -> ${st.bytesWrite} bytes written, ${st.retransmits} retransmits, srtt ${((st.srttS ?? 0) * 1000).toFixed(2)} ms`);
    await live.close();
    sim.kill('SIGTERM');
  }
}
