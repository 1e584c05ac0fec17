/*
 * Ids the responder hands to AWS as filter values or key parts: the finding
 * id (DescribeSnapshots tag:ir:finding-id filter, evidence keys, the
 * AssumeRole session name, the incident id's hash) and the instance id
 * (the instance-id filter of DescribeIamInstanceProfileAssociations,
 * CreateTags, ...). EC2 filter values take `*` and `?` as wildcards, and S3
 * keys take `/` and `..`, so an id such as `*` could match another
 * incident's evidence snapshots. They are checked when the finding is parsed,
 * before anything is planned.
 *
 * GuardDuty finding ids are 32 lowercase hex digits; older and exported
 * findings also carry UUID-like ids (hex groups joined by '-'), and the
 * responder's own heartbeat findings are named `ir-heartbeat-<playbook>`.
 * Letters, digits, '-' and '_' cover all of them and none of the wildcard,
 * path or list characters.
 */

export const FINDING_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const FINDING_ID_MESSAGE =
  'must be a GuardDuty finding id: 1 to 128 letters, digits, "-" and "_", starting with a letter or digit ' +
  '(no wildcard such as * or ?, no "/", "..", "," or space, which AWS filters and evidence keys would read as more than one id)';

/** EC2 instance ids: i- and 8 or 17 lowercase hex digits. */
export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export const INSTANCE_ID_MESSAGE = 'must be an EC2 instance id: "i-" and 8 or 17 lowercase hex digits';
