import type { Playbook } from '../types';
import { discoverContainDatabaseFacts } from './discover';
import type { ContainDatabaseFacts } from './facts';
import { offlineContainDatabaseFacts } from './offline-facts';
import { planContainDatabase } from './plan';
import { CONTAIN_DATABASE_STEP_SPECS } from './specs';

/** A database someone logged in to who should not have: its data kept, new connections cut, the password left to a person. */
export const containDatabasePlaybook: Playbook<ContainDatabaseFacts> = {
  name: 'contain-database',
  description:
    'Contain an RDS database named by a login finding: snapshot the DB instance (or its cluster, or the Limitless cluster) tagged with the incident; ' +
    "replace its security groups with its VPC's isolation group (restrict-database-network, approve by default), recording the old ones for ir release; " +
    'rotating the database password and ending open sessions are manual steps the notification names.',
  stepSpecs: CONTAIN_DATABASE_STEP_SPECS,
  discover: discoverContainDatabaseFacts,
  offlineFacts: offlineContainDatabaseFacts,
  plan: planContainDatabase,
};
