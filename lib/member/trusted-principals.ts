import { actsInFindingAccount } from '../../lambda/playbooks/registry';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { responderRoleName } from '../naming';

export interface TrustedPlaybookRoles {
  readonly partition: string;
  readonly securityAccountId: string;
  /** The security deployment's name: the prefix of its playbook role names. */
  readonly securityStackName: string;
  /** Regions the security stack is deployed to (config.regions), or the one region of a single stack. */
  readonly regions: readonly string[];
}

/**
 * The ARNs of the security account's playbook roles that act in member
 * accounts, one per playbook and region. Their names are decided before
 * deployment (lib/naming.ts), so the member role can trust them exactly,
 * not the whole security account.
 */
export function trustedPlaybookRoleArns(props: TrustedPlaybookRoles): string[] {
  return props.regions.flatMap((region) =>
    PLAYBOOK_NAMES.filter(actsInFindingAccount).map(
      (playbook) => `arn:${props.partition}:iam::${props.securityAccountId}:role/${responderRoleName(props.securityStackName, playbook, region)}`,
    ),
  );
}
