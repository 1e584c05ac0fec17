#!/usr/bin/env node
// The closing line of `make test`, whether it passed or not: "tests: N passed, N failed".
// Reads RESULTS/stages.tsv (written by scripts/test-stages.sh: each stage and its exit
// status) and the jest JSON results of the stages that run jest (RESULTS/<stage>.json).
// Counts the tests that ran; a stage that failed without test results of its own
// (typecheck, lint, synth, lint-templates, or a jest run that died before writing
// any) counts as one failure and is named on the line before. Exits 1 on any
// failure, on a stage that did not run, and when no test ran at all.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const resultsDir = process.argv[2];
if (!resultsDir) {
  console.error('usage: test-summary.js RESULTS_DIR');
  process.exit(2);
}

const JEST_STAGES = new Set(['unit', 'integration']);
const stagesFile = join(resultsDir, 'stages.tsv');
const stages = existsSync(stagesFile)
  ? readFileSync(stagesFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, status] = line.split('\t');
        return { name, status };
      })
  : [];

let passed = 0;
let failed = 0;
const problems = [];

for (const { name, status } of stages) {
  if (status.startsWith('not-run')) {
    problems.push(`${name}: not run (${status.slice('not-run:'.length)} failed)`);
    continue;
  }
  const exitCode = Number(status);
  const jestResults = join(resultsDir, `${name}.json`);
  if (JEST_STAGES.has(name) && existsSync(jestResults)) {
    let result;
    try {
      result = JSON.parse(readFileSync(jestResults, 'utf8'));
    } catch (error) {
      failed += 1;
      problems.push(`${name}: failed, its results (${jestResults}) are unreadable: ${error.message}`);
      continue;
    }
    passed += result.numPassedTests;
    // A file that could not run (a syntax error, a throwing import) counts as a failure too.
    const stageFailed = result.numFailedTests + result.numRuntimeErrorTestSuites;
    failed += stageFailed;
    if (stageFailed > 0) problems.push(`${name}: ${result.numFailedTests} failed tests, ${result.numRuntimeErrorTestSuites} test files that could not run`);
    else if (exitCode !== 0) {
      // Jest failed without a failed test (a global setup or teardown error, an open handle): still a failure.
      failed += 1;
      problems.push(`${name}: exit ${exitCode} with no failed test (counted as 1 failed)`);
    }
    continue;
  }
  if (exitCode !== 0) {
    failed += 1;
    problems.push(`${name}: failed with exit ${exitCode}${JEST_STAGES.has(name) ? ', no test results written' : ''} (counted as 1 failed)`);
  }
}

const ran = new Set(stages.map((s) => s.name));
for (const stage of process.argv.slice(3)) {
  if (!ran.has(stage)) problems.push(`${stage}: not run`);
}

for (const problem of problems) console.log(`stage ${problem}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || problems.length > 0 || passed === 0 ? 1 : 0);
