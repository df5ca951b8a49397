/** An error caused by the user's input; the CLI prints its message without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}
