/**
 * Every error a client can see, on HTTP (`{ error: { code, message } }`), in a socket ack
 * (`{ ok: false, error }`) or as a `connect_error` message. One list so clients can switch on it.
 */
export const ErrorCodes = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_GAME_TYPE',
  'INVALID_SETTINGS',
  'ROOM_NOT_FOUND',
  'ROOM_FULL',
  'ROOM_CLOSED',
  'INVALID_TOKEN',
  'RATE_LIMITED',
  'SERVER_DRAINING',
  'ROOM_MOVED',
  'ROOM_NOT_READY',
  'NO_CAPACITY',
  'NOT_HOST',
  'PLAYER_NOT_FOUND',
  'INVALID_ACTION',
  'STALE_ACTION',
  'STORE_UNAVAILABLE',
  'UNAVAILABLE',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** Codes a refused Socket.IO connection reports as `connect_error.message`. */
export const JoinErrorCodes = [
  'ROOM_NOT_FOUND',
  'ROOM_FULL',
  'INVALID_TOKEN',
  'BAD_REQUEST',
  'RATE_LIMITED',
  'SERVER_DRAINING',
  'ROOM_MOVED',
  'STORE_UNAVAILABLE',
  'UNAVAILABLE',
] as const;
export type JoinErrorCode = (typeof JoinErrorCodes)[number];
