import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { findDeployedStack } from '../../../cli/deployment/deployed-stack';
import { ConfigError, DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { CHAT_OUTPUT, DEPLOYED, deployedOutputs, useDeployedStack } from '../../support/aws-mocks/deployed-stack';

/* Stack discovery (cli/deployment/deployed-stack.ts) against a mocked CloudFormation. */

const stack = useDeployedStack();
const client = () => new CloudFormationClient({ region: 'eu-west-1' });

afterAll(() => stack.mock.restore());

describe('findDeployedStack', () => {
  it('reads every output of the trail, the evidence in the stack’s region, the configuration parsed', async () => {
    const config = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' as const, exemptTagKey: 'security:exempt' };
    stack.deployed(deployedOutputs(config));
    expect(await findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1')).toEqual({
      stackName: DEPLOYED.stackName,
      region: 'eu-west-1',
      topicArn: DEPLOYED.topicArn,
      chatTopicArn: undefined,
      ledgerTable: DEPLOYED.ledgerTable,
      brakeTable: undefined,
      evidence: { bucket: DEPLOYED.evidenceBucket, keyArn: DEPLOYED.evidenceKeyArn, region: 'eu-west-1' },
      config,
    });
    expect(stack.mock.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: DEPLOYED.stackName }]);
  });

  it('reads the chat topic of a stack with chat configured', async () => {
    stack.deployed([...deployedOutputs(undefined), CHAT_OUTPUT]);
    const found = await findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1');
    expect(found).toMatchObject({ topicArn: DEPLOYED.topicArn, chatTopicArn: DEPLOYED.chatTopicArn });
  });

  it('fills the defaults of a configuration output as the Lambda does', async () => {
    stack.deployed(deployedOutputs({ mode: 'enforce' }));
    const found = await findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1');
    expect(found!.config).toEqual({ ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' });
  });

  it('leaves a missing output undefined, for the command to name', async () => {
    stack.deployed(deployedOutputs(undefined, ['NotificationTopicArn', 'EvidenceBucketName']));
    const found = await findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1');
    expect(found).toMatchObject({ topicArn: undefined, evidence: undefined, config: undefined, ledgerTable: DEPLOYED.ledgerTable });
  });

  it('answers undefined for a stack that does not exist', async () => {
    stack.deployed(undefined);
    expect(await findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1')).toBeUndefined();
  });

  it('throws any other error as it came (no permission is not "no stack")', async () => {
    stack.mock.reset();
    stack.mock.on(DescribeStacksCommand).rejects(Object.assign(new Error('not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }));
    await expect(findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a configuration output that is not JSON or not valid, naming the stack', async () => {
    stack.deployed([{ OutputKey: 'RuntimeConfiguration', OutputValue: '{not json' }]);
    await expect(findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1')).rejects.toThrow(new ConfigError(`stack ${DEPLOYED.stackName} in eu-west-1: output RuntimeConfiguration is not JSON`));
    stack.deployed(deployedOutputs({ surprise: true }));
    await expect(findDeployedStack(client(), DEPLOYED.stackName, 'eu-west-1')).rejects.toThrow(/unknown key "surprise"/);
  });
});
