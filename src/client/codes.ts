/**
 * Every `WEBTAPI_*` code the package can produce, with what it means to a user. This table is the
 * one list: the error classes (errors.ts) take their code type from it, the audit trail and the
 * connection state read `kind`, and the build writes the error tables of the node help and the
 * editor's error texts (nodes/locales/<lang>/webtapi-config.json, key `errors`) from it.
 *
 * A new failure: one entry here (both languages), one class in errors.ts.
 */

/** Where a failure happened, which is what a caller needs to know about it. */
export type ErrorKind =
  /** Refused before anything was sent (bad input, no configuration). */
  | 'input'
  /** Stopped on this side (a redeploy, a closed client); the PBX may have seen a side effect only as OUTCOME_UNKNOWN says. */
  | 'local'
  /** The login did not give a session; the action itself was not sent. */
  | 'login'
  /** No connection to the PBX: nothing reached it. */
  | 'no-connection'
  /** The request may have reached the PBX, but no (complete) answer came back. */
  | 'no-answer'
  /** The PBX answered, with a refusal or with something unusable. */
  | 'answer'
  /** Repeated requests did not get a confirmation in time (a relay's switch-back): the state of the device is not known. */
  | 'not-confirmed'
  /** Only the editor's admin routes answer with it; a flow never sees it. */
  | 'editor';

export interface ErrorCodeInfo {
  kind: ErrorKind;
  /** The help text, per language: a sentence after the code (inline HTML allowed). */
  meaning: { 'en-US': string; de: string };
  /** The editor's short text (the test-connection result), per language: what to check. */
  hint: { 'en-US': string; de: string };
}

export const ERROR_CODES = {
  WEBTAPI_INVALID_INPUT: {
    kind: 'input',
    meaning: {
      'en-US':
        'a value is missing or malformed (an extension with a space, a channel without <code>/</code>…). Nothing was sent to the PBX.',
      de: 'ein Wert fehlt oder ist ungültig (eine Nebenstelle mit Leerzeichen, ein Kanal ohne <code>/</code> …). An die Anlage wurde nichts gesendet.',
    },
    hint: { 'en-US': 'Invalid input: nothing was sent.', de: 'Ungültige Eingabe: Es wurde nichts gesendet.' },
  },
  WEBTAPI_ACTION_FAILED: {
    kind: 'answer',
    meaning: {
      'en-US': 'the PBX answered <code>0</code>, it did not carry out the action (with a valid session).',
      de: 'die Anlage hat mit <code>0</code> geantwortet und die Aktion nicht ausgeführt (bei gültiger Sitzung).',
    },
    hint: {
      'en-US': 'The PBX did not carry out the action (it answered 0).',
      de: 'Die Anlage hat die Aktion nicht ausgeführt (Antwort 0).',
    },
  },
  WEBTAPI_LOGIN_FAILED: {
    kind: 'login',
    meaning: {
      'en-US': 'the PBX rejected username or password. The server configuration waits before it tries again; its status shows when.',
      de: 'die Anlage hat Benutzername oder Passwort abgelehnt. Die Server-Konfiguration wartet, bevor sie es erneut versucht; ihr Status zeigt, wann.',
    },
    hint: { 'en-US': 'Login rejected: check username and password.', de: 'Anmeldung abgelehnt: Benutzername und Passwort prüfen.' },
  },
  WEBTAPI_UNREACHABLE: {
    kind: 'no-connection',
    meaning: {
      'en-US': 'no connection to the PBX (host, port, network).',
      de: 'keine Verbindung zur Anlage (Host, Port, Netzwerk).',
    },
    hint: {
      'en-US': 'The PBX cannot be reached: check host, port and network.',
      de: 'Die Anlage ist nicht erreichbar: Host, Port und Netzwerk prüfen.',
    },
  },
  WEBTAPI_TIMEOUT: {
    kind: 'no-answer',
    meaning: {
      'en-US': 'a read got no complete answer within the timeout of the server configuration.',
      de: 'eine Abfrage bekam innerhalb des Zeitlimits der Server-Konfiguration keine vollständige Antwort.',
    },
    hint: { 'en-US': 'The PBX did not answer in time.', de: 'Die Anlage hat nicht rechtzeitig geantwortet.' },
  },
  WEBTAPI_OUTCOME_UNKNOWN: {
    kind: 'no-answer',
    meaning: {
      'en-US':
        "an action with a side effect (a call, a relay) got no answer. It may or may not have happened, so it is <b>not</b> repeated automatically; don't retry blindly either.",
      de: 'eine Aktion mit Wirkung (ein Anruf, ein Relais) bekam keine Antwort. Ob sie ausgeführt wurde, ist unbekannt; sie wird deshalb <b>nicht</b> automatisch wiederholt. Auch im Flow nicht blind wiederholen.',
    },
    hint: {
      'en-US': 'No answer to an action with a side effect: it may or may not have been carried out.',
      de: 'Keine Antwort auf eine Aktion mit Wirkung: Ob sie ausgeführt wurde, ist unbekannt.',
    },
  },
  WEBTAPI_HTTP_STATUS: {
    kind: 'answer',
    meaning: {
      'en-US': 'the web server answered with a status other than 2xx.',
      de: 'der Webserver hat mit einem anderen Status als 2xx geantwortet.',
    },
    hint: {
      'en-US': 'The web server answered with an HTTP error status.',
      de: 'Der Webserver hat mit einem HTTP-Fehlerstatus geantwortet.',
    },
  },
  WEBTAPI_BAD_RESPONSE: {
    kind: 'answer',
    meaning: { 'en-US': 'an answer in an unexpected format.', de: 'eine Antwort in unerwartetem Format.' },
    hint: { 'en-US': 'The PBX sent an answer that could not be read.', de: 'Die Antwort der Anlage konnte nicht gelesen werden.' },
  },
  WEBTAPI_RESPONSE_TOO_LARGE: {
    kind: 'answer',
    meaning: {
      'en-US': 'the answer was larger than allowed and was refused.',
      de: 'die Antwort war größer als erlaubt und wurde verworfen.',
    },
    hint: { 'en-US': 'The answer was larger than allowed.', de: 'Die Antwort war größer als erlaubt.' },
  },
  WEBTAPI_ABORTED: {
    kind: 'local',
    meaning: {
      'en-US': 'the request was cancelled, for example by a redeploy.',
      de: 'die Anfrage wurde abgebrochen, z.&nbsp;B. durch ein erneutes Deploy.',
    },
    hint: { 'en-US': 'The request was cancelled.', de: 'Die Anfrage wurde abgebrochen.' },
  },
  WEBTAPI_CLOSED: {
    kind: 'local',
    meaning: {
      'en-US': 'the server configuration was closed (stopped or redeployed) before the request was sent.',
      de: 'die Server-Konfiguration wurde geschlossen (gestoppt oder neu übernommen), bevor die Anfrage gesendet wurde.',
    },
    hint: {
      'en-US': 'The connection to the PBX was closed (node stopped or redeployed).',
      de: 'Die Verbindung zur Anlage wurde geschlossen (Node gestoppt oder neu übernommen).',
    },
  },
  WEBTAPI_RELAY_NOT_RESTORED: {
    kind: 'not-confirmed',
    meaning: {
      'en-US':
        "a pulse's switch-back was not confirmed by the PBX within the node's <i>Switch back for</i> time (<code>restoreTimeout</code>): the relay may still be switched (a door open). Raise an alarm; the switch-back stays in the journal and is carried out at the next start.",
      de: 'das Zurückschalten nach einem Impuls wurde innerhalb der Zeit <i>Zurückschalten</i> (<code>restoreTimeout</code>) nicht von der Anlage bestätigt: Das Relais kann noch geschaltet sein (eine Tür offen). Alarm auslösen; das Zurückschalten bleibt im Journal und wird beim nächsten Start ausgeführt.',
    },
    hint: {
      'en-US': "A pulse's switch-back was not confirmed before its deadline: the relay may still be switched.",
      de: 'Das Zurückschalten nach einem Impuls wurde nicht rechtzeitig bestätigt: Das Relais kann noch geschaltet sein.',
    },
  },
  WEBTAPI_ACCESS_DENIED: {
    kind: 'input',
    meaning: {
      'en-US':
        'the node has a PIN and the message did not carry it in <code>msg.code</code> (missing or wrong), or the node is locked: after 5 wrong codes within 5 minutes it refuses every message, the right code included, for 5 minutes (its status says how long). Nothing was sent to the PBX.',
      de: 'der Node hat eine PIN und die Nachricht trug sie nicht in <code>msg.code</code> (fehlend oder falsch), oder der Node ist gesperrt: Nach 5 falschen Codes innerhalb von 5 Minuten weist er 5 Minuten lang jede Nachricht ab, auch mit dem richtigen Code (sein Status zeigt, wie lange). An die Anlage wurde nichts gesendet.',
    },
    hint: {
      'en-US': 'Access denied: the PIN was missing or wrong, or the node is locked after too many wrong codes.',
      de: 'Zugriff verweigert: Die PIN fehlte oder war falsch, oder der Node ist nach zu vielen falschen Codes gesperrt.',
    },
  },
  WEBTAPI_TLS: {
    kind: 'no-connection',
    meaning: {
      'en-US': 'the TLS handshake failed or the certificate was not accepted.',
      de: 'der TLS-Verbindungsaufbau ist fehlgeschlagen oder das Zertifikat wurde nicht akzeptiert.',
    },
    hint: {
      'en-US': 'TLS error: the certificate was not accepted or the TLS handshake failed.',
      de: 'TLS-Fehler: Das Zertifikat wurde nicht akzeptiert oder der TLS-Verbindungsaufbau ist fehlgeschlagen.',
    },
  },
  WEBTAPI_NOT_WEBTAPI: {
    kind: 'login',
    meaning: { 'en-US': 'the URL does not answer like a WebTAPI endpoint.', de: 'unter der URL antwortet kein WebTAPI-Endpunkt.' },
    hint: {
      'en-US': 'This URL does not answer like a WebTAPI endpoint: check the path.',
      de: 'Unter dieser URL antwortet kein WebTAPI-Endpunkt: den Pfad prüfen.',
    },
  },
  WEBTAPI_NO_CONFIG: {
    kind: 'input',
    meaning: { 'en-US': 'the node has no deployed server configuration.', de: 'der Node hat keine übernommene Server-Konfiguration.' },
    hint: {
      'en-US': 'No server configuration is selected or deployed for this node.',
      de: 'Für diesen Node ist keine Server-Konfiguration gewählt oder übernommen.',
    },
  },
  WEBTAPI_NOT_DEPLOYED: {
    kind: 'editor',
    meaning: {
      'en-US': 'the editor asked for a pick list or a preview of a server configuration that is not deployed.',
      de: 'der Editor hat eine Auswahlliste oder eine Vorschau einer nicht übernommenen Server-Konfiguration angefragt.',
    },
    hint: { 'en-US': 'Deploy the server configuration first.', de: 'Bitte zuerst die Server-Konfiguration übernehmen (Deploy).' },
  },
  WEBTAPI_ERROR: {
    kind: 'editor',
    meaning: {
      'en-US': 'an admin route of the editor failed in an unexpected way (the runtime log has the details).',
      de: 'eine Admin-Route des Editors ist unerwartet fehlgeschlagen (Details im Log der Laufzeit).',
    },
    hint: { 'en-US': 'Unexpected error: see the Node-RED log.', de: 'Unerwarteter Fehler: siehe das Node-RED-Log.' },
  },
} as const satisfies Record<`WEBTAPI_${string}`, ErrorCodeInfo>;

export type WebTapiErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as WebTapiErrorCode[];

export function isErrorCode(code: unknown): code is WebTapiErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The kind of a code (see ErrorKind). */
export function errorKind(code: WebTapiErrorCode): ErrorKind {
  return ERROR_CODES[code].kind;
}

/**
 * The failure may have reached the PBX with the action (it may have run, or the PBX saw it and
 * refused it): such failures belong in the audit trail.
 */
export function mayHaveReachedPbx(code: WebTapiErrorCode): boolean {
  const kind = errorKind(code);
  return kind === 'answer' || kind === 'no-answer';
}

/** Codes a flow can see (on msg.error.code, in the node help); the editor-only ones left out. */
export function flowCodes(): WebTapiErrorCode[] {
  return ERROR_CODE_NAMES.filter((c) => errorKind(c) !== 'editor');
}
