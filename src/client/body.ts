import type { Dispatcher } from 'undici';

/** An answer's body as undici hands it over. */
export type Body = Dispatcher.ResponseData['body'];

/** A header's first value, '' when absent. */
export function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Drops a body we will not read. undici reports a body destroyed before its end as an 'error'
 * event; without a listener that event would be an uncaught exception in the user's Node-RED.
 */
export function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}
