import * as iam from 'aws-cdk-lib/aws-iam';
import type { S3QuarantineConfig } from '../../lambda/config/s3-quarantine';
import type { PlaybookName } from '../../lambda/routing/playbook-names';

/*
 * The roles are built from the step declarations, which do not depend on the
 * configuration: quarantine-object's role (and the member role) holds the
 * copy mode's actions even when only the tag mode is configured (the
 * default). In tag mode an explicit Deny takes them back, so a tag-mode
 * deployment can neither read object content, copy objects nor delete a
 * version, whatever the Allow statements say. The Deny names only actions
 * no other step of these roles uses: s3:PutObject is denied only as a copy
 * (the evidence writes of the security account are no copies).
 */

/** The copy mode's actions that nothing else in the roles uses. */
export const COPY_MODE_ONLY_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObjectVersion', 's3:GetBucketVersioning'] as const;

/** The Deny statements of a role that holds quarantine-object's steps, under this configuration: none in copy mode. */
export function copyModeDenyStatements(quarantine: Pick<S3QuarantineConfig, 'mode'>): iam.PolicyStatement[] {
  if (quarantine.mode === 'copy') return [];
  return [
    new iam.PolicyStatement({ sid: 'TagModeNoObjectReadOrDelete', effect: iam.Effect.DENY, actions: [...COPY_MODE_ONLY_ACTIONS], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'TagModeNoObjectCopy',
      effect: iam.Effect.DENY,
      actions: ['s3:PutObject'],
      resources: ['*'],
      conditions: { Null: { 's3:x-amz-copy-source': 'false' } },
    }),
  ];
}

/** Whether a playbook's role holds quarantine-object's copy steps. */
export function holdsCopyMode(playbook: PlaybookName): boolean {
  return playbook === 'quarantine-object';
}
