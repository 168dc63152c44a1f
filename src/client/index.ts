export { WebTapiClient, buildParams } from './client';
export type { WebTapiClientOptions } from './client';
export { ACTIONS, ACTION_NAMES } from './actions';
export type { ActionSpec, AnswerKind } from './actions';
export type { BinaryAnswer } from './answer';
export * from './errors';
export { validators, validateActionName } from './validate';
export {
  channelExtension, parseBoolean, parseCameras, parseChannelLine, parseChannels, parseList, parseName,
  parseNumber, parseQueues, parseRelays, parseStatusMap, stateName,
} from './parsers';
export type { CameraInfo, Channel, ExtensionState, ExtensionStateName, RelayInfo } from './parsers';
export type { ConnectionState } from './session';
export type { TlsOptions } from './transport';
export type { Execution, Params, RequestOptions } from './types';
export { MjpegParser, multipartBoundary } from './mjpeg';
export type { MjpegParserOptions } from './mjpeg';
export { readCameraStream } from './camera-stream';
export type { CameraStreamOptions } from './camera-stream';
