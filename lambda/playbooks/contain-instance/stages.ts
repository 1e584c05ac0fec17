/*
 * Stage numbers of the plan. The network is cut first: security groups are
 * prepared, every ENI is moved to the untrack group, then to the isolation
 * group (or back to its own groups if that failed); only then is evidence
 * preserved and the instance taken out of service. Stages without steps simply do not exist in a plan, so an
 * instance whose groups already exist goes straight to UNTRACK.
 */
export const STAGE = {
  /** The restore record of the network (lambda/ledger/restore-record.ts), before any change. */
  recordNetwork: 0,
  /** Create the per-VPC security groups that do not exist yet. */
  createGroups: 1,
  /** Give the untrack group its allow-all rules; strip the isolation group's default egress. */
  configureGroups: 2,
  /** Every ENI onto the untrack group: its flows become untracked. */
  untrack: 3,
  /** Every ENI onto the isolation group: untracked flows are cut. */
  isolate: 4,
  /** An ENI whose isolation move failed goes back to its own groups: none ends the run on the allow-all group. */
  restore: 5,
  /** The restore record of the rest (profile, Auto Scaling, target groups, termination protection), before STAGE.contain changes them. Between two stages, so no number moves. */
  recordContainment: 5.5,
  /** Independent of each other: preserve, snapshot, credentials, Auto Scaling, target groups, tags. */
  contain: 6,
} as const;
