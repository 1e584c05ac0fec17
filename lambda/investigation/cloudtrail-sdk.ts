/*
 * The CloudTrail SDK as the key-events investigation uses it, imported with
 * import() only: the lookup runs after the key is deactivated, so a Lambda
 * bundle keeps it in a chunk that a cold start does not load before
 * containment. A module of its own, so the chunk holds these two and not
 * every CloudTrail command (esbuild keeps all of a namespace import()).
 */
export { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
