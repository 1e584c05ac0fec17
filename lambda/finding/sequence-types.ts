/*
 * The resource types an attack sequence names, in both spellings: GuardDuty's
 * own (ResourceV2.resourceType: EC2_INSTANCE) and the Security Hub / OCSF one
 * some exports carry as `type` (AWS::EC2::Instance). answer-sequence answers
 * both alike (resource-views.ts), so the GuardDuty confirmation compares a
 * type in GuardDuty's spelling, whichever the delivery used. Shared here, not
 * in the playbook, because every acting playbook's bundle carries the
 * confirmation and none may carry another playbook.
 */

const SECURITY_HUB_SPELLING = {
  EC2_INSTANCE: 'AWS::EC2::Instance',
  ACCESS_KEY: 'AWS::IAM::AccessKey',
  IAM_ROLE: 'AWS::IAM::Role',
  IAM_USER: 'AWS::IAM::User',
  S3_BUCKET: 'AWS::S3::Bucket',
  S3_OBJECT: 'AWS::S3::Object',
  ECS_CLUSTER: 'AWS::ECS::Cluster',
  ECS_TASK: 'AWS::ECS::Task',
  EKS_CLUSTER: 'AWS::EKS::Cluster',
  RDS_DB_INSTANCE: 'AWS::RDS::DBInstance',
  EC2_SNAPSHOT: 'AWS::EC2::Snapshot',
  EC2_IMAGE: 'AWS::EC2::Image',
  LAMBDA_FUNCTION: 'AWS::Lambda::Function',
} as const;

export type SequenceTypeName = keyof typeof SECURITY_HUB_SPELLING;

/** Both names of a type: the Security Hub spelling, then GuardDuty's. */
export function spellingsOf(name: SequenceTypeName): readonly string[] {
  return [SECURITY_HUB_SPELLING[name], name];
}

/** The type a sequence resource names, however it is spelled (resourceType, else type). */
export function typeNameOf(resource: { readonly resourceType?: string | null; readonly type?: string | null }): string | undefined {
  return resource.resourceType ?? resource.type ?? undefined;
}

/** GuardDuty's spelling of a type named in either spelling; any other name as it is. */
export function guardDutyTypeNameOf(typeName: string | null | undefined): string | undefined {
  if (typeName === null || typeName === undefined) return undefined;
  const entry = Object.entries(SECURITY_HUB_SPELLING).find(([guardDuty, securityHub]) => typeName === guardDuty || typeName === securityHub);
  return entry ? entry[0] : typeName;
}
