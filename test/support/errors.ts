import { ConfigError, parseConfig } from '../../lambda/config/schema';

/** The error `run` throws; fails the test when it throws none. */
export function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

/** The message of the ConfigError a configuration is refused with; fails the test when it is accepted. */
export function configError(input: unknown): string {
  try {
    parseConfig(input, 'cdk.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
