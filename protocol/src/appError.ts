import type { ErrorBody, ErrorCode } from './errors.js';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNKNOWN_GAME_TYPE: 400,
  INVALID_SETTINGS: 400,
  INVALID_ACTION: 400,
  STALE_ACTION: 409,
  UNAUTHORIZED: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  NOT_HOST: 403,
  NOT_FOUND: 404,
  ROOM_NOT_FOUND: 404,
  PLAYER_NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  ROOM_FULL: 409,
  ROOM_CLOSED: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  NO_CAPACITY: 503,
  SERVER_DRAINING: 503,
  STORE_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  ROOM_MOVED: 503,
  ROOM_NOT_READY: 503,
  INTERNAL: 500,
};

/** An error a client is meant to see: a stable code plus a sentence for humans. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code] ?? 400;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** Anything thrown that is not an AppError becomes INTERNAL, without leaking its message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', 'Internal error');
}
