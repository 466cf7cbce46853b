/** Base class of every configuration problem; the CLI prints `message` on one line and exits with code 2. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
