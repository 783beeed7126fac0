// A failing upload stream (missing folder, full disk) must surface as an error of the upload,
// never as an unhandled stream error that kills the host process.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Upload } from '../../../src-main/host/files/store';

describe('Upload', () => {
  it('reports a write error from its stream instead of crashing', async () => {
    const target = path.join(os.tmpdir(), `tether-no-such-dir-${process.pid}`, 'part.gcode');
    const up = new Upload(target, 8);
    // The file opens in the background: on a busy machine the write may be queued before the
    // open fails, so the write or, at the latest, finish() reports it; neither crashes.
    const writeError = await up.write(new Uint8Array(4)).then(
      () => null,
      (e: Error) => e,
    );
    if (writeError) expect(writeError.message).toMatch(/Upload failed: .*ENOENT/);
    await expect(up.finish()).rejects.toThrow(/Upload failed: .*ENOENT/);
    up.abort();
  });
});
