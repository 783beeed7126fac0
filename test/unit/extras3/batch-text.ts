// A batch host on a whole printer.cfg text (extras2's startBatchHost appends to CARTESIAN).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Host } from '../../../src-main/host/host';
import { testDir, type BatchHost } from '../extras2/batch-host';
import { atmegaDict, discard } from '../objects/load-helpers';

export async function startBatchHostText(text: string): Promise<BatchHost> {
  const dir = testDir('extras3');
  const cfg = path.join(dir, 'printer.cfg');
  writeFileSync(cfg, text);
  const h = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
  if (h.info().stateMessage !== 'Printer is ready') {
    const msg = h.info().stateMessage;
    await h.stop();
    throw new Error(`host not ready: ${msg}`);
  }
  return {
    h,
    dir,
    cfg,
    async run(script) {
      const out: string[] = [];
      const off = h.gcode.onResponse((_k, t) => out.push(t));
      try {
        await h.gcode.run(script);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${out.join('\n')}`);
      } finally {
        off();
      }
      return out.join('\n');
    },
    status: (n) => h.printer.lookupObject<{ getStatus(): Record<string, unknown> }>(n).getStatus(),
    stop: () => h.stop(),
  };
}
