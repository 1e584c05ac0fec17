import { AttachInstancesCommand, CreateAutoScalingGroupCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { required } from './util';

/* Instance A serves traffic as a member of an Auto Scaling group and of a load balancer target group. */

export interface SeededFleet {
  readonly launchTemplateId: string;
  readonly autoScalingGroupName: string;
  /** Desired capacity once instance A joined: containment must not lower it (the group replaces A instead). */
  readonly desiredCapacity: number;
  readonly targetGroupArn: string;
}

export interface FleetInput {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly imageId: string;
  readonly instanceId: string;
}

export async function seedFleet(ec2: EC2Client, autoScaling: AutoScalingClient, elbv2: ElasticLoadBalancingV2Client, input: FleetInput): Promise<SeededFleet> {
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web-tier', LaunchTemplateData: { ImageId: input.imageId, InstanceType: 't3.large' } }),
  );
  const launchTemplateId = required(template.LaunchTemplate?.LaunchTemplateId, 'launch template id');
  const autoScalingGroupName = 'web-tier-asg';
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: autoScalingGroupName,
      LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: '$Latest' },
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      VPCZoneIdentifier: input.subnetId,
    }),
  );
  // AttachInstances raises the desired capacity by one: the group now counts on instance A.
  await autoScaling.send(new AttachInstancesCommand({ AutoScalingGroupName: autoScalingGroupName, InstanceIds: [input.instanceId] }));

  const group = await elbv2.send(
    new CreateTargetGroupCommand({ Name: 'web-tier-tg', Protocol: 'HTTPS', Port: 443, VpcId: input.vpcId, TargetType: 'instance' }),
  );
  const targetGroupArn = required(group.TargetGroups?.[0]?.TargetGroupArn, 'target group ARN');
  await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: input.instanceId, Port: 443 }] }));

  return { launchTemplateId, autoScalingGroupName, desiredCapacity: 1, targetGroupArn };
}
