import { InvalidInputError } from '../../client';

const MAX_PULSE_MS = 24 * 3600 * 1000;

/** true/false, 1/0, "on"/"off" and other numbers; null means "toggle". */
export function relayTarget(value: unknown): number | null {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'on' || v === 'true') return 1;
    if (v === 'off' || v === 'false') return 0;
    if (v === 'toggle') return null;
    if (/^\d{1,3}$/.test(v) && Number(v) <= 255) return Number(v);
  }
  const shown = typeof value === 'string' ? `"${value.slice(0, 20)}"` : typeof value;
  throw new InvalidInputError('relay_status_set', 'status', `${shown} is not on, off, toggle, true, false or a number 0..255`);
}

export function pulseMs(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  // Only numbers and numeric text: Number() throws on a symbol and reads [5] or a Date as a number.
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > MAX_PULSE_MS)
    throw new InvalidInputError('relay_status_set', 'pulse', 'must be a number of milliseconds from 0 to 86400000');
  return Math.round(n);
}

export const DEFAULT_RESTORE_TIMEOUT_MS = 600_000;

/** The node property restoreTimeout: how long a pulse's switch-back is retried (ms, 1 s .. 1 day). */
export function restoreTimeoutMs(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return DEFAULT_RESTORE_TIMEOUT_MS;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1000 && n <= MAX_PULSE_MS ? n : null;
}

export const DEFAULT_MAX_PULSE_MS = 60_000;

/** The node property maxPulse: the longest pulse the node sends (ms, 1 s .. 1 day). */
export function maxPulseMs(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return DEFAULT_MAX_PULSE_MS;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1000 && n <= MAX_PULSE_MS ? n : null;
}

/** A pulse longer than the node allows is refused, wherever it came from: nothing is sent. */
export function withinMaxPulse(pulse: number, maxPulse: number): number {
  if (pulse > maxPulse)
    throw new InvalidInputError('relay_status_set', 'pulse', `${pulse} ms is longer than the node's maxPulse of ${maxPulse} ms`);
  return pulse;
}
