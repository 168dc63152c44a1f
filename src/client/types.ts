export interface RequestOptions {
  /** Aborts the request (a node closing). */
  signal?: AbortSignal;
  /** Overrides the client's deadline for this request. */
  timeoutMs?: number;
  /** vmx_cam_get_stream: how long to read the stream. */
  streamMs?: number;
}

export type Params = Record<string, unknown>;

export interface Requester {
  request(action: string, params?: Params, options?: RequestOptions): Promise<unknown>;
}

export interface Execution<T = unknown> {
  action: string;
  /** What was sent, as text, without the session id. */
  params: Record<string, string>;
  result: T;
  durationMs: number;
}
