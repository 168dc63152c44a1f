/**
 * Keeping the password and the session id out of everything that leaves the client: error texts,
 * results, logs. Two ways: patterns for what looks like a secret field in any text (redact), and
 * the actual secret values for texts the PBX sent back (a PBX may echo the request).
 */

/** Removes anything that looks like a session id or password field from a text. */
export function redact(text: string): string {
  return text
    .replace(/(SID=)[^&\s"']*/gi, '$1[redacted]')
    .replace(/(AUTH(?:%5B|\[)pass(?:%5D|\])=)[^&\s"']*/gi, '$1[redacted]');
}

/** A lone surrogate cannot be URL-encoded (encodeURIComponent throws); a browser's form encoder sends U+FFFD. */
function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\ufffd');
}

/** application/x-www-form-urlencoded, as the login form sends it. */
export function formEncode(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(/%20/g, '+');
}

/**
 * The password as typed and as encoded, to look for in answers. A short password (a 4-digit PIN)
 * is also ordinary answer text (an extension, a relay id): only one of 8 characters or more is
 * looked for.
 */
export function passwordForms(password: string): string[] {
  if (password.length < 8) return [];
  return [...new Set([password, formEncode(password), encodeURIComponent(wellFormed(password))])];
}

/** True when an answer holds one of the secrets. */
export function echoed(body: Buffer, secrets: readonly string[]): boolean {
  return secrets.some((secret) => body.includes(secret));
}

/** The text with every secret in it replaced. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/** Takes the secrets out of an error's message and stack (anything else is returned as it is). */
export function scrubError(err: unknown, secrets: readonly string[]): unknown {
  if (!(err instanceof Error)) return err;
  const message = scrubText(err.message, secrets);
  if (message !== err.message) {
    err.message = message;
    if (typeof err.stack === 'string') err.stack = scrubText(err.stack, secrets);
  }
  return err;
}

/** The result with every string in it (in arrays and plain objects) scrubbed; data buffers as they are. */
export function scrubResult(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubResult(v, secrets));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubText(k, secrets)] = scrubResult(v, secrets);
    return out;
  }
  return value;
}
