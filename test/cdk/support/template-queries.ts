import type { Template } from 'aws-cdk-lib/assertions';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';

/* Small readers over a synthesised template, so the tests compare by logical id, not by construct internals. */

export type Json = unknown;

export interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: Json;
  readonly Principal?: Json;
  readonly Condition?: Record<string, Json>;
  readonly Sid?: string;
}

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

export function props(resource: Resource): Record<string, Json> {
  return resource.Properties ?? {};
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function getAtt(logicalId: string, attribute = 'Arn'): Json {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

export function ref(logicalId: string): Json {
  return { Ref: logicalId };
}

export function functionIdOf(template: Template, playbook: PlaybookName): string {
  const matches = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).filter(([, fn]) => {
    const variables = (props(fn).Environment as { Variables?: Record<string, Json> } | undefined)?.Variables;
    return variables?.IR_PLAYBOOK === playbook;
  });
  if (matches.length !== 1) throw new Error(`expected one function of playbook ${playbook}, found ${matches.length}`);
  return matches[0]![0];
}

export function functionOf(template: Template, playbook: PlaybookName): Resource {
  return resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, playbook)]!;
}

export function environmentOf(template: Template, playbook: PlaybookName): Record<string, Json> {
  return (props(functionOf(template, playbook)).Environment as { Variables: Record<string, Json> }).Variables;
}

/** The logical id of the role the function runs as. */
export function roleIdOf(template: Template, playbook: PlaybookName): string {
  const role = props(functionOf(template, playbook)).Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/**
 * Every statement of every policy attached to the role: inline ones,
 * AWS::IAM::Policy resources naming it, and the stack's customer managed
 * policies it lists in ManagedPolicyArns.
 */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const role = resourcesOfType(template, 'AWS::IAM::Role')[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const inline = asList(props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
  const managed = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
  const listed = asList(props(role).ManagedPolicyArns as Json[] | undefined).map((arn) => {
    const id = (arn as { Ref?: string }).Ref;
    if (!id || !managed[id]) throw new Error(`role ${roleId} lists a managed policy this template does not hold: ${JSON.stringify(arn)}`);
    return (props(managed[id]!).PolicyDocument as { Statement: Statement[] }).Statement;
  });
  const attached = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => asList(props(policy).Roles as Json[]).some((r) => JSON.stringify(r) === JSON.stringify(ref(roleId))))
    .flatMap((policy) => (props(policy).PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...listed.flat(), ...attached];
}

/** The logical id of the resource at a construct path (aws:cdk:path metadata). */
export function logicalIdAtPath(template: Template, path: string): string {
  const all = template.toJSON() as { Resources: Record<string, Resource> };
  const matches = Object.entries(all.Resources).filter(([, r]) => r.Metadata?.['aws:cdk:path'] === path);
  if (matches.length !== 1) throw new Error(`expected one resource at ${path}, found ${matches.length}`);
  return matches[0]![0];
}

/**
 * Evaluates the Fn::Join / Ref forms the stack uses, for a given region and
 * account, so names built from AWS::Region can be compared as strings.
 */
export function evaluate(value: Json, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, Json>;
    if ('Ref' in object && typeof object.Ref === 'string' && object.Ref in pseudo) return pseudo[object.Ref]!;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, Json[]];
      return parts.map((part) => evaluate(part, pseudo)).join(separator);
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

/** The owed Security Hub note writer (lib/owed-note-delivery.ts): its function, role and rule, by logical id. */
export function owedNoteWriterIds(template: Template): { readonly functionId: string; readonly roleId: string; readonly ruleId: string } {
  const functions = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).filter(
    ([, fn]) => (props(fn).Environment as { Variables?: Record<string, Json> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME === 'guardduty-incident-response-security-hub-note',
  );
  if (functions.length !== 1) throw new Error(`expected one owed-note writer, found ${functions.length}`);
  const [functionId, fn] = functions[0]!;
  const roleId = (props(fn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const rules = Object.entries(resourcesOfType(template, 'AWS::Events::Rule')).filter(([, rule]) =>
    asList(props(rule).Targets as { Arn: Json }[] | undefined).some((t) => JSON.stringify(t.Arn) === JSON.stringify(getAtt(functionId))),
  );
  if (rules.length !== 1) throw new Error(`expected one rule invoking the owed-note writer, found ${rules.length}`);
  return { functionId, roleId, ruleId: rules[0]![0] };
}
