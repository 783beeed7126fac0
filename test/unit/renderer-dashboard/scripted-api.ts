// An ApiClient over a scripted bridge for the dashboard's store tests: every call is checked
// against the real contract (dispatchCall with its schemas) before a scripted handler answers,
// so a client sending params the host would refuse fails here too. Events are pushed by hand.
import type { ApiReply, MethodName } from '../../../src-main/api/contract';
import { dispatchCall, type ApiHandlers } from '../../../src-main/api/dispatch';
import { ApiClient, type CarrierBridge } from '../../../src-renderer/api/client';

export type ScriptedHandlers = Partial<{ [M in MethodName]: ApiHandlers[M] }>;

export function scriptedApi(handlers: ScriptedHandlers) {
  const calls: { method: string; params: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const refused: string[] = [];
  const bridge: CarrierBridge = {
    carrier: 'websocket',
    async call(method, params): Promise<ApiReply> {
      calls.push({ method, params });
      return dispatchCall(handlers as ApiHandlers, method, params, (m) => refused.push(m), 'test');
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => void set.delete(listener);
    },
    status: () => 'connected',
    onStatus: () => () => undefined,
  };
  return {
    client: new ApiClient(bridge),
    calls,
    refused,
    push(event: string, payload: unknown) {
      listeners.get(event)?.forEach((l) => l(payload));
    },
  };
}
