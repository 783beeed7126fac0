// A host in its own process (for the "host killed while heating" test): starts the printer of
// argv[2], runs the G-code of argv[3] and says "done" on stdout, then waits to be killed.
import { Host } from '../../../src-main/host/host';

const host = await Host.start({ configPath: process.argv[2] });
await host.started;
if (host.printer.state !== 'ready') {
  console.log(`error ${host.printer.stateMessage}`);
  process.exit(1);
}
await host.gcode.run(process.argv[3]);
console.log('done');
setInterval(() => undefined, 1000);
