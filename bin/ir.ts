#!/usr/bin/env node
import { main } from '../cli/main';
import { silenceSdkNodeVersionNotice } from '../cli/sdk-node-notice';

// Read by the SDK when a client is built, so set before main builds any.
silenceSdkNodeVersionNotice();

void main(process.argv).then((code) => {
  process.exitCode = code;
});
