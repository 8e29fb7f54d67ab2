/** One environment variable that failed validation, and why. */
export interface ConfigIssue {
  /** The environment variable's name, e.g. `WORKER_CAPACITY`. */
  variable: string;
  /** What was expected and what was found, e.g. `expected a positive integer, got "abc"`. */
  message: string;
}

/**
 * Thrown by the `load*Config` functions when one or more variables are missing or malformed.
 * The message lists every offending variable (one per line) so an operator fixes them all in one
 * go; apps print it and exit with status 1, without a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    /** Which process's configuration was being loaded (`worker`, `coordinator-api`, ...). */
    readonly app: string,
    /** Every problem found, in variable order. */
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `Invalid ${app} configuration:\n` + issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
