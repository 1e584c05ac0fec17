import type { IamCondition } from '../plan/types';

/*
 * IAM conditions the step declarations attach to their EC2 writes, so IAM,
 * not only the code, confines each write to what the step does. The keys are
 * those the Service Authorization Reference lists for each action
 * ("Actions, resources, and condition keys for Amazon EC2"):
 *  - ec2:CreateTags: aws:TagKeys, aws:RequestTag/${TagKey}, ec2:CreateAction;
 *  - ec2:CreateSecurityGroup (security-group): aws:RequestTag/${TagKey}, aws:TagKeys;
 *  - ec2:Authorize/RevokeSecurityGroup* (security-group): aws:ResourceTag/${TagKey};
 *  - ec2:ModifyInstanceAttribute (instance), ec2:ModifyNetworkInterfaceAttribute
 *    (network-interface): ec2:Attribute, ec2:Attribute/${AttributeName};
 *  - ec2:CreateSnapshots (snapshot): aws:RequestTag/${TagKey}, aws:TagKeys;
 *  - ec2:ModifySnapshotAttribute (snapshot), ec2:ModifyImageAttribute (image):
 *    ec2:Attribute, ec2:Add/userId, ec2:Add/group, ec2:Remove/userId,
 *    ec2:Remove/group (AWS Control Tower's own control against public
 *    snapshots denies on ec2:Add/group "all").
 *
 * Request keys are tested with ForAllValues / ...IfExists where one
 * statement covers several resource types of a call: a resource type whose
 * authorisation does not carry the key then passes, and the resource type
 * that does carry it is confined.
 */

/** Only these tag keys (StringLike patterns: `ir:original-sgs:*`). Holds vacuously when no tag is sent. */
export function onlyTagKeys(keys: readonly string[]): IamCondition {
  return { 'ForAllValues:StringLike': { 'aws:TagKeys': [...keys] } };
}

/** CreateTags only as part of the named creating call (tag on create), with only these keys. */
export function tagsAtCreation(createAction: string, keys: readonly string[]): IamCondition {
  return { StringEquals: { 'ec2:CreateAction': createAction }, ...onlyTagKeys(keys) };
}

/** The created resource must carry these tags with one of these values, and no other keys than `keys`. */
export function createdWithTags(required: Readonly<Record<string, string | readonly string[]>>, keys: readonly string[]): IamCondition {
  const requestTags = Object.fromEntries(Object.entries(required).map(([key, value]) => [`aws:RequestTag/${key}`, value]));
  return { StringEquals: requestTags, ...onlyTagKeys(keys) };
}

/** The resource must already carry this tag with this value (a resource the responder created and tagged at creation). */
export function resourceTagged(key: string, value: string): IamCondition {
  return { StringEquals: { [`aws:ResourceTag/${key}`]: value } };
}

/**
 * Only these attributes (ec2:Attribute), and, where a value is given, only
 * that value (ec2:Attribute/<name>). Case-insensitive: the reference does not
 * say which spelling EC2 puts in the request context (the API names them
 * `disableApiTermination`, the request member `DisableApiTermination`).
 */
export function onlyAttributes(names: readonly string[], values: Readonly<Record<string, string>> = {}): IamCondition {
  const valueKeys = Object.fromEntries(Object.entries(values).map(([name, value]) => [`ec2:Attribute/${name}`, value]));
  return {
    'ForAllValues:StringEqualsIgnoreCase': { 'ec2:Attribute': [...names] },
    ...(Object.keys(valueKeys).length > 0 ? { StringEqualsIgnoreCaseIfExists: valueKeys } : {}),
  };
}

/**
 * A sharing change that only takes sharing away: the request adds no account
 * (ec2:Add/userId) and not the public group (ec2:Add/group). Null "true"
 * holds only when the key is absent from the request, so an add of either
 * kind, in the CreateVolumePermission / LaunchPermission form or the older
 * OperationType "add" form, is not allowed by the statement. IAM has no key
 * for an AMI shared with an organization or OU (LaunchPermission.Add
 * OrganizationArn / OrganizationalUnitArn): that add is refused by the code
 * only (quarantine-image never sends an Add), as docs/permissions.md says.
 */
export function removesSharingOnly(): IamCondition {
  return { Null: { 'ec2:Add/userId': 'true', 'ec2:Add/group': 'true' } };
}
