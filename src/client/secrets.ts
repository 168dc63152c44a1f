/**
 * Keeping the password and the session id out of everything that leaves the client: error texts,
 * results, logs. Two ways: patterns for what looks like a secret field in any text (redact), and
 * the actual secret values for texts the PBX sent back (a PBX may echo the request).
 */

/** Removes anything that looks like a session id or password field from a text. */
export function redact(text: string): string {
  return text.replace(/(SID=)[^&\s"']*/gi, '$1[redacted]').replace(/(AUTH(?:%5B|\[)pass(?:%5D|\])=)[^&\s"']*/gi, '$1[redacted]');
}

/** A lone surrogate cannot be URL-encoded (encodeURIComponent throws); a browser's form encoder sends U+FFFD. */
function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\ufffd');
}

/** application/x-www-form-urlencoded, as the login form sends it. */
export function formEncode(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(/%20/g, '+');
}

/** A string as it stands between the quotes of a JSON string, as JSON.stringify writes it. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

// eslint-disable-next-line no-control-regex -- the range starts at \x00 on purpose: everything beyond ASCII
const NON_ASCII = /[^\x00-\x7f]/g;

/** The same as PHP's json_encode writes it by default: `\/`, and everything beyond ASCII as `\uXXXX`. */
function phpJsonEscaped(value: string): string {
  return jsonEscaped(value)
    .replace(/\//g, '\\/')
    .replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Every form in which a secret can come back in a PBX's answer or an error: as typed,
 * form-encoded (`+` for a space, as the login form sends it), URL-encoded, and JSON-escaped (with
 * and without `\u` escapes). The one list of forms: the client scrubs answers with it, webtapi-probe
 * its captures and output.
 */
export function encodedForms(secret: string): string[] {
  if (secret === '') return [];
  const url = encodeURIComponent(wellFormed(secret));
  const lowerHex = url.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  const forms = [secret, formEncode(secret), url, lowerHex, jsonEscaped(secret), phpJsonEscaped(secret)];
  // Longest first: a form that contains another is replaced whole.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * The password's forms to look for in answers. A short password (a 4-digit PIN) is also ordinary
 * answer text (an extension, a relay id): only one of 8 characters or more is looked for.
 */
export function passwordForms(password: string): string[] {
  if (password.length < 8) return [];
  return encodedForms(password);
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

/**
 * A text answer with every secret replaced, before it is parsed. Read as UTF-8, as the parsers read
 * it, so what they see is the same text less the secrets. The whole answer is searched (the
 * transport caps its size); a password shorter than 8 characters is not looked for (passwordForms).
 */
export function scrubBody(body: Buffer, secrets: readonly string[]): Buffer {
  return Buffer.from(scrubText(body.toString('utf8'), secrets), 'utf8');
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
