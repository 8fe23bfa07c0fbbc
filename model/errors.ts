/**
 * An error the user can fix: bad input, a bad flag, a bad policy pack. The CLI prints
 * its message on one line (no stack trace) and exits with `exitCode` (2 by default).
 * The message names the file, field or flag, and says what to do.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}
