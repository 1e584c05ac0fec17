import { GetConsoleOutputCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { toStepError } from '../aws/errors';

export interface ConsoleOutput {
  /** The console text, decoded; empty when the instance has written none (yet). */
  readonly text: string;
  /** When EC2 captured it. */
  readonly capturedAt: string | null;
  /** Whether this is the live output (Nitro) or the buffer EC2 kept from the last boot. */
  readonly latest: boolean;
}

/** EC2 answers `Latest` on a Xen instance with this code; the buffered output is still there. */
const LATEST_UNSUPPORTED = new Set(['UnsupportedOperation', 'InvalidParameterCombination']);

async function getConsoleOutput(ec2: EC2Client, instanceId: string, latest: boolean): Promise<ConsoleOutput> {
  const result = await ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, ...(latest ? { Latest: true } : {}) }));
  return {
    // EC2 sends the output base64-encoded (and the SDK does not decode it).
    text: result.Output ? Buffer.from(result.Output, 'base64').toString('utf8') : '',
    capturedAt: result.Timestamp?.toISOString() ?? null,
    latest,
  };
}

/**
 * The instance's console output: the live one where EC2 has it (Nitro
 * instances), else the buffer of the last boot. A compromised instance's
 * console can show what ran at boot, kernel messages, a rootkit's noise.
 */
export async function readConsoleOutput(ec2: EC2Client, instanceId: string): Promise<ConsoleOutput> {
  try {
    return await getConsoleOutput(ec2, instanceId, true);
  } catch (error) {
    if (!LATEST_UNSUPPORTED.has(toStepError(error).code)) throw error;
    return getConsoleOutput(ec2, instanceId, false);
  }
}
