/** The message of an error (or whatever was thrown), for one line of a log or of another error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
