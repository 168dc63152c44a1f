export { LIMITS, WebTapiClient, buildParams } from './client';
export type { WebTapiClientOptions } from './client';
export { ACTIONS, ACTION_NAMES } from './actions';
export type { ActionName, ActionResult, ActionSpec, AnswerKind } from './actions';
export type { BinaryAnswer } from './answer';
export * from './errors';
export { ERROR_CODES, ERROR_CODE_NAMES, errorKind, flowCodes, isErrorCode, mayHaveReachedPbx } from './codes';
export type { ErrorCodeInfo, ErrorKind } from './codes';
export { redact } from './secrets';
export { EDITOR_RULES, validators, validateActionName } from './validate';
export {
  channelExtension, parseBoolean, parseCameras, parseChannelLine, parseChannels, parseList, parseName,
  parseNumber, parseQueues, parseRelays, parseStatusMap, stateName,
} from './parsers';
export type { CameraInfo, Channel, ExtensionState, ExtensionStateName, RelayInfo } from './parsers';
export type { ConnectionState } from './session';
export type { TlsOptions } from './transport';
export type { Execution, Params, RequestOptions } from './types';
