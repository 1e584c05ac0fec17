import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known } from '../facts';
import { READ_TERMINATION_PROTECTION } from '../specs';

/** Whether termination protection is on before the response turns it on: DescribeInstances does not say, so the restore record asks. */
export async function readTerminationProtection(clients: AwsClients, reads: ReadLog, instanceId: string): Promise<Known<boolean>> {
  const result = await reads.read(READ_TERMINATION_PROTECTION, 'Read whether termination protection is on', instanceId, () =>
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' })),
  );
  if (!result.ok) return unknown(`DescribeInstanceAttribute failed (${result.error.code})`);
  const value = result.value?.DisableApiTermination?.Value;
  return value === undefined ? unknown('DescribeInstanceAttribute did not say') : known(value);
}
