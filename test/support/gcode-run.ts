// Runs G-code on a host and returns its responses joined; a failure's message carries them too.
import type { Host } from '../../src-main/host/host';

export async function runCollectingResponses(host: Pick<Host, 'gcode'>, script: string): Promise<string> {
  const out: string[] = [];
  const off = host.gcode.onResponse((_kind, text) => out.push(text));
  try {
    await host.gcode.run(script);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${out.join('\n')}`);
  } finally {
    off();
  }
  return out.join('\n');
}
