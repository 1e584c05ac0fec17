#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the checkout needs no build step.
require('tsx/cjs');
require('./ir.ts');
