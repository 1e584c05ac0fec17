import { ModifyInstanceAttributeCommand, type ModifyInstanceAttributeCommandInput } from '@aws-sdk/client-ec2';
import { planStep, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { Known, VolumeFacts } from '../facts';
import { PRESERVE_INSTANCE } from '../specs';
import { STAGE } from '../stages';

export interface PreservePlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

/*
 * Keep the evidence: the instance cannot be terminated by API, an OS
 * shutdown stops it instead of terminating it, and its volumes outlive it.
 * ModifyInstanceAttribute changes one attribute per call, hence three steps.
 */
export function planPreserve(instanceId: string, volumes: Known<readonly VolumeFacts[]>): PreservePlan {
  const steps = [
    modifyStep({
      id: 'termination-protection',
      title: `Turn on termination protection of ${instanceId}`,
      input: { InstanceId: instanceId, DisableApiTermination: { Value: true } },
      why: 'nobody terminates the instance, and its evidence, by mistake or on purpose through the API',
    }),
    modifyStep({
      id: 'shutdown-behavior-stop',
      title: `Make a shutdown from inside ${instanceId} stop it, not terminate it`,
      // The Attribute/Value form: the emulator resets the security groups with the InstanceInitiatedShutdownBehavior form; AWS accepts both.
      input: { InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior', Value: 'stop' },
      why: 'an attacker who shuts the instance down from inside would otherwise terminate it',
    }),
  ];
  const warnings: string[] = [];
  if (!volumes.known) {
    warnings.push(`The attached volumes are ${volumes.why}: DeleteOnTermination is not planned.`);
    return { steps, warnings };
  }
  // Every attached volume, not only those read as DeleteOnTermination true: the call is idempotent and the read may be stale.
  const attached = volumes.value;
  if (attached.length > 0) {
    const input = { InstanceId: instanceId, BlockDeviceMappings: attached.map((v) => ({ DeviceName: v.deviceName, Ebs: { DeleteOnTermination: false } })) };
    steps.push(
      modifyStep({
        id: 'keep-volumes',
        title: `Keep the volumes of ${instanceId} if it is terminated`,
        input,
        why: `${attached.map((v) => `${v.volumeId} (${v.deviceName})`).join(', ')} must outlive the instance`,
      }),
    );
  }
  return { steps, warnings };
}

function modifyStep(spec: { id: string; title: string; input: ModifyInstanceAttributeCommandInput; why: string }): PlannedStep {
  return planStep(PRESERVE_INSTANCE, {
    id: spec.id,
    title: spec.title,
    action: 'ec2:ModifyInstanceAttribute',
    target: spec.input.InstanceId!,
    parameters: { ...spec.input },
    why: spec.why,
    stage: STAGE.contain,
    run: async (ctx): Promise<StepRunResult> => {
      await ctx.clients.ec2.send(new ModifyInstanceAttributeCommand(spec.input));
      return { status: 'done' };
    },
  });
}
