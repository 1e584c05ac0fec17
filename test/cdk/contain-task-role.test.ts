import { requiredIamActions } from '../../lambda/playbooks/registry';
import { TASK_DEFINITION_TAG_KEYS } from '../../lambda/playbooks/contain-task/names';
import { synthesize, type Synthesized } from './support/synth';
import { asList, props, resourcesOfType, roleIdOf, statementsOfRole, type Statement } from './support/template-queries';

/*
 * contain-task's function and role: the ECS actions its steps declare,
 * each on the narrowest resource IAM allows, with the ecs:cluster
 * condition where ECS supports it (lib/iam/action-resources.ts).
 */

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
});

function ecsStatements(): Statement[] {
  return statementsOfRole(synth.template, roleIdOf(synth.template, 'contain-task')).filter((s) => asList(s.Action).some((a) => a.startsWith('ecs:')));
}

function resolved(value: unknown): unknown {
  return synth.stack.resolve(value);
}

describe('the contain-task function and role', () => {
  it('exist: a function of its own, whose role allows exactly the ECS actions of its steps', () => {
    const functions = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::Function')).map(props);
    expect(functions.some((f) => JSON.stringify(f.Role).includes(roleIdOf(synth.template, 'contain-task')))).toBe(true);
    expect([...new Set(ecsStatements().flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('ecs:')))].sort()).toEqual(requiredIamActions('contain-task').filter((a) => a.startsWith('ecs:')));
    expect(requiredIamActions('contain-task').filter((a) => a.startsWith('ecs:'))).toEqual([
      'ecs:DescribeContainerInstances',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeTasks',
      'ecs:StopTask',
      'ecs:TagResource',
    ]);
  });

  it('reads and stops only tasks of its account in clusters of its account (ecs:cluster), and reads container instances the same way', () => {
    const byAction = (action: string) => ecsStatements().filter((s) => asList(s.Action).includes(action));
    for (const action of ['ecs:DescribeTasks', 'ecs:StopTask']) {
      const [statement, ...others] = byAction(action);
      expect(others).toEqual([]);
      expect(resolved(statement!.Resource)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:*:', { Ref: 'AWS::AccountId' }, ':task/*']] });
      expect(resolved(statement!.Condition)).toEqual({
        ArnLike: { 'ecs:cluster': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:*:', { Ref: 'AWS::AccountId' }, ':cluster/*']] } },
      });
    }
    const [instances] = byAction('ecs:DescribeContainerInstances');
    expect(resolved(instances!.Resource)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:*:', { Ref: 'AWS::AccountId' }, ':container-instance/*']] });
    expect(Object.keys(instances!.Condition as object)).toEqual(['ArnLike']);
  });

  it("tags only task definitions of its account, with only the responder's own keys", () => {
    const [statement, ...others] = ecsStatements().filter((s) => asList(s.Action).includes('ecs:TagResource'));
    expect(others).toEqual([]);
    expect(asList(statement!.Action)).toEqual(['ecs:TagResource']);
    expect(resolved(statement!.Resource)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:*:', { Ref: 'AWS::AccountId' }, ':task-definition/*']] });
    expect(statement!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': [...TASK_DEFINITION_TAG_KEYS] } });
  });

  it('reads task definitions on "*": DescribeTaskDefinition supports no resource-level permissions', () => {
    const [statement] = ecsStatements().filter((s) => asList(s.Action).includes('ecs:DescribeTaskDefinition'));
    expect(statement!.Resource).toBe('*');
    expect(statement!.Condition).toBeUndefined();
  });
});
