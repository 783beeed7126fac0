// The renderer's one way to reach the host: typed calls and events over a TetherBridge, which
// is `window.tether` in Electron or a WebSocket in serve mode. Features import `api` from here
// and never care which carrier is underneath.
import type {
  ApiErrorCode,
  EventName,
  EventPayload,
  MethodName,
  MethodParams,
  MethodResult,
  TetherBridge,
} from '../../src-main/api/contract';

export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';
export type Carrier = 'ipc' | 'websocket';

/** A bridge plus, for carriers that can drop (WebSocket), its connection status. */
export interface CarrierBridge extends TetherBridge {
  readonly carrier: Carrier;
  status(): ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

export class ApiClient {
  constructor(readonly bridge: CarrierBridge) {}

  async call<M extends MethodName>(
    method: M,
    ...args: keyof MethodParams<M> extends never ? [params?: MethodParams<M>] : [params: MethodParams<M>]
  ): Promise<MethodResult<M>> {
    const reply = await this.bridge.call(method, args[0] ?? {});
    if (!reply.ok) throw new ApiCallError(reply.error.code, reply.error.message);
    return reply.result as MethodResult<M>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.bridge.on(event, listener as (payload: unknown) => void);
  }
}

/** The Electron preload's bridge, wrapped to the same shape (IPC is always connected). */
export function ipcCarrier(bridge: TetherBridge): CarrierBridge {
  return {
    carrier: 'ipc',
    call: (method, params) => bridge.call(method, params),
    on: (event, listener) => bridge.on(event, listener),
    status: () => 'connected',
    onStatus: () => () => undefined,
  };
}
