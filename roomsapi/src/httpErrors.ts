import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toAppError } from '@gamebuddies/protocol';
import type { Logger } from 'pino';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** Every failure answers `{ error: { code, message } }`; unexpected ones are logged, not shown. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let appError: AppError;
    const status = (error as { status?: number; type?: string }).status;
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') appError = new AppError('BAD_REQUEST', 'The body is not valid JSON');
    else if (type === 'entity.too.large')
      appError = new AppError('PAYLOAD_TOO_LARGE', 'The body is too large');
    else if (status && status >= 400 && status < 500 && !(error instanceof AppError)) {
      appError = new AppError('BAD_REQUEST', 'Bad request');
    } else appError = toAppError(error);
    if (appError.code === 'INTERNAL')
      log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(appError.httpStatus).json({ error: appError.toBody() });
  };
}
