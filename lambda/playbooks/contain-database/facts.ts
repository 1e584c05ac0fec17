import type { StepError } from '../../aws/errors';
import type { Known, ResponderSecurityGroup } from '../contain-instance/facts';
import type { DatabaseTarget, LoginFacts } from '../../finding/database-target';

export type DatabaseKind = 'instance' | 'cluster';

/** The database acted on, as RDS describes it (or, offline, as the finding names it). */
export interface DatabaseFacts {
  readonly kind: DatabaseKind;
  readonly identifier: string;
  readonly arn: string | null;
  readonly status: string | null;
  readonly engine: string | null;
  /** The VPC of its subnet group: where its isolation group is. */
  readonly vpcId: Known<string>;
  readonly securityGroupIds: Known<readonly string[]>;
  /** The modifications RDS holds for the next maintenance window, as `Name=value` (pending-modifications.ts); [] when none. */
  readonly pendingModifications: Known<readonly string[]>;
  readonly tags: Readonly<Record<string, string>>;
  /** The instance the finding named, when the cluster it belongs to is acted on instead. */
  readonly viaInstance: string | null;
}

export type DatabaseLookup =
  | { readonly status: 'found' }
  | { readonly status: 'no-target'; readonly why: string }
  | { readonly status: 'not-found'; readonly detail: string }
  | { readonly status: 'unreadable'; readonly error: StepError }
  | { readonly status: 'not-read' };

export interface ContainDatabaseFacts {
  readonly target: DatabaseTarget;
  /** aws: read now in the finding's account; finding: `ir plan --offline`, nothing read. */
  readonly source: 'aws' | 'finding';
  readonly lookup: DatabaseLookup;
  readonly database: DatabaseFacts | null;
  readonly responderSecurityGroups: Known<readonly ResponderSecurityGroup[]>;
  readonly logins: LoginFacts;
}
