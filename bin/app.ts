#!/usr/bin/env node
import { ConfigError } from '../lambda/config/schema';
import { createIncidentResponseApp } from '../lib/app';

try {
  // cdk-nag runs at every synth: an unacknowledged AwsSolutions finding fails `cdk synth` and `cdk deploy`.
  createIncidentResponseApp({ nag: true }).app.synth();
} catch (error) {
  // A bad configuration key is the operator's to fix: one line naming it, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
