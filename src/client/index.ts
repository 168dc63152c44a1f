export { LIMITS, WebTapiClient } from './client';
export { buildParams } from './build-request';
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
  channelExtension,
  isNotWebTapi,
  parseAgents,
  parseBoolean,
  parseCallers,
  parseCameras,
  parseChannelLine,
  parseChannels,
  parseList,
  parseName,
  parseNumber,
  parseQueues,
  parseRelays,
  parseStatusMap,
  readState,
  stateName,
} from './parsers';
export type {
  AgentListItem,
  CallerLine,
  CameraInfo,
  Channel,
  ChannelLine,
  ChannelListItem,
  ConciseChannel,
  ExtensionState,
  ExtensionStateName,
  FieldsLine,
  HintLine,
  LineItem,
  LineShape,
  ListItem,
  MemberLine,
  PairsLine,
  QueueLine,
  QueueListItem,
  QueueSection,
  RecordingInfo,
  RelayInfo,
} from './parsers';
export { readConciseChannel } from './concise';
export { readItems } from './line-items';
export type { ConnectionState } from './session';
export type { TlsOptions } from './transport';
export type { Execution, Params, RequestOptions } from './types';
export { CallTracker, callEvents } from './call-events';
export type { CallEvent, CallEventKind, Caller, CallTrackerOptions, GapEvent, MonitorEvent } from './call-events';
export { groupCalls, dialTargets } from './call-graph';
export type { CallChannel, CallGroup, Party } from './call-graph';
export { channelChanges, valueChanges } from './changes';
export type { Change, ChangeOptions } from './changes';
export { MjpegParser, multipartBoundary } from './mjpeg';
export type { MjpegParserOptions } from './mjpeg';
export { readCameraStream } from './camera-stream';
export type { CameraStreamOptions } from './camera-stream';
