// An error a handler throws on purpose: it carries an API error code and a message the user can
// act on. Anything else a handler throws is a bug and is reported as 'internal'.
import type { ApiErrorCode, ApiErrorInfo, PortProblemPayload } from './contract';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Port errors carry the classified problem so the UI can show its fix. */
    readonly problem?: PortProblemPayload,
  ) {
    super(message);
  }

  toInfo(): ApiErrorInfo {
    return this.problem ? { code: this.code, message: this.message, problem: this.problem } : { code: this.code, message: this.message };
  }
}
