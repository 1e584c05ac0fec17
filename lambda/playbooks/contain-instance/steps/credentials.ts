import { CreateTagsCommand, DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import { toStepError } from '../../../aws/errors';
import { protectionOf, type ProtectionPolicy } from '../../../iam/protected-principals';
import { putRevokeRolePolicy, REVOKE_POLICY_NAME, REVOKE_ROLE_SESSIONS, revokeOlderSessionsPolicy } from '../../../iam/revoke-sessions';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { CredentialDecision } from '../credential-policy';
import type { InstanceProfileFacts, Known } from '../facts';
import { MAX_TAG_VALUE_LENGTH, ORIGINAL_INSTANCE_PROFILE_TAG } from '../names';
import { DISASSOCIATE_PROFILE } from '../specs';
import { STAGE } from '../stages';
import { profileAssociationGone } from './already-done';
import { awsCodeOf } from './aws-codes';

export interface CredentialsInput {
  readonly instanceId: string;
  readonly decision: CredentialDecision;
  /** The attached profile, or the one an earlier response removed (its `removedEarlier`). */
  readonly profile: InstanceProfileFacts | null;
  /** No profile attached, and the restore record (which would name one an earlier response removed) could not be read: why. */
  readonly removedProfileUnread?: string;
  readonly associationId: Known<string | null>;
  /** The instance's account (the role's), for credentials.protectedPrincipals. */
  readonly accountId: string | null;
  /** Roles never revoked: service-linked, the responder's own, the configured protected principals. */
  readonly protection: ProtectionPolicy;
  /** Sessions issued before this time stop working. */
  readonly issuedBefore: Date;
}

export interface CredentialsPlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

/*
 * Stolen instance credentials keep working from anywhere until they
 * expire, whatever happens to the instance's network. Two steps cut them:
 * deny every session of the role issued before now, and take the profile
 * off the instance so it gets no new ones.
 *
 * The removal does not wait for the revocation: a profile must not stay on
 * a compromised instance because IAM refused or throttled a call. So a run
 * can remove the profile and fail to revoke (the invocation fails, the
 * notification names it); the retry then finds no profile attached, and
 * gets the removed one from the ledger's restore record (discover.ts), so
 * it revokes the role's sessions again, as of its own time (never earlier
 * than the first attempt's), with the same protections and warnings.
 */
export function planCredentials(input: CredentialsInput): CredentialsPlan {
  const { decision, profile } = input;
  if (!decision.cut) {
    return { steps: [], warnings: decision.theft ? [`Instance credentials are not cut: ${decision.why}.`] : [] };
  }
  if (!profile) {
    const unread = input.removedProfileUnread;
    return {
      steps: [],
      warnings: unread
        ? [`No instance profile is attached to ${input.instanceId}, and the restore record is ${unread}: if an earlier response removed one, the sessions of its role are not revoked.`]
        : [],
    };
  }
  const steps: PlannedStep[] = [];
  const warnings: string[] = [];

  const role = profile.role;
  if (!role.known) {
    warnings.push(`The role of instance profile ${profile.arn} is ${role.why}: its sessions are not revoked.`);
  } else if (role.value) {
    const { roleName, path } = role.value;
    // The same refusal as revoke-credentials' (lambda/iam/protected-principals.ts): no step, the manual one in its place.
    const protection = protectionOf({ kind: 'role', name: roleName, accountId: input.accountId, path: path ?? null }, input.protection);
    if (protection) {
      warnings.push(`The sessions of the instance's role are not revoked: ${protection.manualStep}`);
    } else {
      steps.push(revokeStep(roleName, input.issuedBefore, decision.why, profile));
      warnings.push(...sharedRoleWarnings(roleName, profile));
    }
  }

  const association = input.associationId;
  if (!association.known) {
    warnings.push(`The instance profile association of ${input.instanceId} is ${association.why}: the profile is not removed.`);
  } else if (association.value) {
    steps.push(disassociateStep(input.instanceId, association.value, profile.arn, decision.why));
  }
  return { steps, warnings };
}

function sharedRoleWarnings(roleName: string, profile: InstanceProfileFacts): string[] {
  if (!profile.sharedWith.known) {
    return [`Whether other instances use ${profile.arn} is ${profile.sharedWith.why}: if they do, revoking the sessions of ${roleName} cuts them too.`];
  }
  const others = profile.sharedWith.value;
  if (others.length === 0) return [];
  return [
    `Role ${roleName} is shared: ${others.join(', ')} use the same instance profile and lose their current sessions too ` +
      '(they get new credentials when theirs refresh).',
  ];
}

function revokeStep(roleName: string, issuedBefore: Date, why: string, profile: InstanceProfileFacts): PlannedStep {
  const removed = profile.removedEarlier;
  return planStep(REVOKE_ROLE_SESSIONS, {
    id: 'revoke-role-sessions',
    title: removed
      ? `Revoke the active sessions of role ${roleName} (of instance profile ${profile.arn}, which an earlier response removed)`
      : `Revoke the active sessions of role ${roleName}`,
    action: 'iam:PutRolePolicy',
    target: roleName,
    parameters: { RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(issuedBefore) },
    why:
      `${why}: credentials taken from the instance keep working from anywhere until they expire` +
      (removed ? ` (the profile is read from the restore record ${removed.restoreRecord}: the earlier revocation may have failed)` : ''),
    stage: STAGE.contain,
    run: async (ctx) => {
      await putRevokeRolePolicy(ctx.clients, roleName, issuedBefore);
      return { status: 'done', detail: `sessions issued before ${issuedBefore.toISOString()} are denied` };
    },
  });
}

/*
 * The profile is recorded on the instance in the same step, before it is
 * removed, so `ir release` can put it back: whenever the profile is gone,
 * the record was written (or the step says it could not be). A failed
 * record never keeps the profile on a compromised instance.
 */
function disassociateStep(instanceId: string, associationId: string, profileArn: string, why: string): PlannedStep {
  const parameters = { AssociationId: associationId };
  const record = { Resources: [instanceId], Tags: [{ Key: ORIGINAL_INSTANCE_PROFILE_TAG, Value: recordedProfile(profileArn) }] };
  return planStep(DISASSOCIATE_PROFILE, {
    id: 'disassociate-instance-profile',
    title: `Remove instance profile ${profileArn} from ${instanceId}`,
    action: 'ec2:DisassociateIamInstanceProfile',
    target: instanceId,
    parameters,
    why: `${why}: without a profile the instance gets no new credentials (the profile is first recorded in tag ${ORIGINAL_INSTANCE_PROFILE_TAG}, for ir release)`,
    stage: STAGE.contain,
    run: async (ctx) => {
      const recorded = await ctx.clients.ec2.send(new CreateTagsCommand(record)).then(
        () => `recorded as ${ORIGINAL_INSTANCE_PROFILE_TAG}`,
        (error: unknown) => `NOT recorded on the instance (${toStepError(error).code}): the profile was ${profileArn}`,
      );
      try {
        await ctx.clients.ec2.send(new DisassociateIamInstanceProfileCommand(parameters));
      } catch (error) {
        // An SDK retry after a lost answer meets its own removal (already-done.ts).
        if (awsCodeOf(error) !== 'InvalidAssociationID.NotFound' || !(await profileAssociationGone(ctx.clients.ec2, instanceId, associationId))) throw error;
        return { status: 'done', detail: `${recorded}; the association was already gone (an earlier attempt removed it)` };
      }
      return { status: 'done', detail: recorded };
    },
  });
}

/** The ARN; the name alone (unique in the account, and accepted by AssociateIamInstanceProfile) when a long path makes the ARN too long for a tag value. */
function recordedProfile(profileArn: string): string {
  return profileArn.length <= MAX_TAG_VALUE_LENGTH ? profileArn : profileArn.slice(profileArn.lastIndexOf('/') + 1);
}
