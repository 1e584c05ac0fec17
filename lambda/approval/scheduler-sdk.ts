/*
 * The EventBridge Scheduler SDK as the wait uses it, imported with import()
 * only: a playbook bundle keeps it in a chunk loaded when a response first
 * waits for a decision, never at cold start. A module of its own, so the
 * chunk holds these three and not every Scheduler command.
 */
export { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
