import { InvalidInputError } from '../../client';

/**
 * One of a node's fixed words (a mode, an operation), from a message or a property. Anything but
 * text is refused with WEBTAPI_INVALID_INPUT: converting an arbitrary value with String() can
 * throw (a symbol, an object whose toString throws) and would end the message without a code.
 */
export function choice<T extends string>(value: unknown, action: string, param: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if ((allowed as readonly string[]).includes(word)) return word as T;
    const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value;
    throw new InvalidInputError(action, param, `"${shown}" is not ${allowed.join(', ')}`);
  }
  throw new InvalidInputError(
    action,
    param,
    `expected one of ${allowed.join(', ')}, got a value of type ${Array.isArray(value) ? 'array' : typeof value}`,
  );
}
