// Status subscriptions are per client in serve mode: two WebSocket clients subscribe to
// different fields of the sim printer; each gets only its own fields, and one client's
// unsubscribe does not stop the other's deltas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src-main/api/contract';
import { result, SIM_PRINTER_ID as PRINTER, startSimServeSession, type SimServeSession } from '../serve/sim-serve-session';
import type { TestClient } from '../serve/ws-client';

type Delta = { printerId: string; status: StatusSnapshot };
const xOf = (e: { event: string; payload: unknown }) =>
  e.event === 'status.delta' ? ((e.payload as Delta).status.toolhead?.position as number[] | undefined)?.[0] : undefined;

describe('per-client status subscriptions (serve mode, sim printer)', () => {
  let serve: SimServeSession | null = null;
  let a: TestClient;
  let b: TestClient;

  beforeAll(async () => {
    serve = await startSimServeSession({ prefix: 'tether-status-clients-' });
    a = await serve.openClient();
    b = await serve.openClient();
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
  });

  it("one client's unsubscribe leaves the other's deltas running, each with its own fields", async () => {
    const subA = result<{ status: StatusSnapshot }>(
      await a.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position'] } }),
    );
    expect(Object.keys(subA.status)).toEqual(['toolhead']);
    expect(Object.keys(subA.status.toolhead)).toEqual(['position']);
    const subB = result<{ status: StatusSnapshot }>(
      await b.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position', 'max_velocity'], print_stats: ['state'] } }),
    );
    expect(subB.status).toMatchObject({ toolhead: { max_velocity: 300 }, print_stats: { state: 'standby' } });

    const fromA = a.events.length;
    const fromB = b.events.length;
    result(await a.call('gcode.run', { printerId: PRINTER, script: 'SET_KINEMATIC_POSITION X=10 Y=10 Z=5\nG1 X20 F3000\nM400' }));
    await a.waitForEvent((e) => a.events.indexOf(e) >= fromA && xOf(e) === 20);
    const deltaB = (await b.waitForEvent((e) => b.events.indexOf(e) >= fromB && xOf(e) === 20)) as Delta;
    // Only B's fields, and only the changed ones.
    expect(Object.keys(deltaB.status.toolhead)).toEqual(['position']);
    expect(a.events.slice(fromA).some((e) => e.event === 'status.delta' && 'print_stats' in (e.payload as Delta).status)).toBe(false);

    expect(result(await a.call('status.unsubscribe', { printerId: PRINTER }))).toEqual({ unsubscribed: true });
    const afterA = a.events.length;
    const afterB = b.events.length;
    result(await b.call('gcode.run', { printerId: PRINTER, script: 'G1 X30 F3000\nM400' }));
    await b.waitForEvent((e) => b.events.indexOf(e) >= afterB && xOf(e) === 30);
    await new Promise((r) => setTimeout(r, 600));
    expect(a.events.slice(afterA).filter((e) => e.event === 'status.delta')).toEqual([]);

    // B leaving (socket closed) and A subscribing again: A's deltas come back.
    b.close();
    await new Promise((r) => setTimeout(r, 200));
    result(await a.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position'] } }));
    const again = a.events.length;
    result(await a.call('gcode.run', { printerId: PRINTER, script: 'G1 X40 F3000\nM400' }));
    await a.waitForEvent((e) => a.events.indexOf(e) >= again && xOf(e) === 40);
  }, 60_000);
});
