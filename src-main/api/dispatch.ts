// The gate every call passes on its way to the host, whatever carried it (IPC or WebSocket):
// the method name and params are checked against the contract first, and only a valid call
// reaches a handler. Nothing here throws: every outcome is an ApiReply.
import { apiMethods, isMethodName } from './contract';
import type { ApiReply, EventName, EventPayload, MethodName, MethodParams, MethodResult } from './contract';
import { ApiError } from './errors';
import { parse } from './schema';

export type ApiHandlers = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodResult<M>> };

export type ApiEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** What a carrier needs: the handlers, and a way to hear the events to push. */
export interface ApiBackend {
  handlers: ApiHandlers;
  subscribe(listener: ApiEventListener): () => void;
}

/** Where a carrier reports refused or failed calls (the app's log, the serve log). */
export type ApiLog = (message: string) => void;

export async function dispatchCall(
  handlers: ApiHandlers,
  method: unknown,
  params: unknown,
  log: ApiLog,
  source: string,
): Promise<ApiReply> {
  if (!isMethodName(method)) {
    const name = typeof method === 'string' ? `'${method.slice(0, 100)}'` : `a ${typeof method}`;
    log(`${source}: refused call to unknown method ${name}`);
    return { ok: false, error: { code: 'bad_request', message: `Unknown API method ${name}` } };
  }
  const checked = parse(apiMethods[method].params, params ?? {}, 'params');
  if (!checked.ok) {
    log(`${source}: refused ${method}: ${checked.error}`);
    return { ok: false, error: { code: 'bad_request', message: `${method}: ${checked.error}` } };
  }
  try {
    const handler = handlers[method] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(checked.value) };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: e.toInfo() };
    log(`${source}: ${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}
