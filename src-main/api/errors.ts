// An error a handler throws on purpose: it carries an API error code and a message the user can
// act on. Anything else a handler throws is a bug and is reported as 'internal'.
import type { ApiErrorCode, ApiErrorInfo } from './contract';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  toInfo(): ApiErrorInfo {
    return { code: this.code, message: this.message };
  }
}
