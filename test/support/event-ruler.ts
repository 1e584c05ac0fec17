import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * EventBridge's own matching engine, Event Ruler (AWS's open-source Java
 * library), for the routing tests. The first use fetches the release that
 * test/ruler/pom.xml names with Maven and compiles test/ruler/RuleMatcher.java
 * into test/ruler/.build/<hash of both files>/ (gitignored); later runs reuse
 * it. A JVM starts slowly: hand every rule and every event of a test file to
 * one call.
 */

const RULER_DIR = join(__dirname, '..', 'ruler');
const POM = join(RULER_DIR, 'pom.xml');
const SOURCE = join(RULER_DIR, 'RuleMatcher.java');
const BUILD_ROOT = join(RULER_DIR, '.build');

export interface NamedPattern {
  readonly name: string;
  readonly pattern: unknown;
}

function requireTool(command: string, args: string[]): void {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `The routing tests evaluate the EventBridge patterns with Event Ruler, which needs Java 17+ (java, javac) and Maven (mvn) on PATH; ` +
        `\`${command} ${args.join(' ')}\` failed: ${probe.error?.message ?? probe.stderr.trim()}`,
    );
  }
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(`${what} failed (${command} ${args.join(' ')}): ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`.trim());
  }
}

/** The directory holding lib/ (Event Ruler and its dependencies) and classes/ (RuleMatcher), built once per pom and source. */
function harnessDir(): string {
  const hash = createHash('sha256').update(readFileSync(POM)).update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(BUILD_ROOT, hash);
  if (existsSync(join(dir, 'classes', 'RuleMatcher.class'))) return dir;

  requireTool('java', ['-version']);
  requireTool('javac', ['-version']);
  requireTool('mvn', ['-v']);
  mkdirSync(BUILD_ROOT, { recursive: true });
  return withBuildLock(() => (existsSync(join(dir, 'classes', 'RuleMatcher.class')) ? dir : build(dir)));
}

const LOCK_WAIT_MS = 10 * 60 * 1000;

/** One build at a time: two test files starting together on a fresh clone must not both download into Maven's local repository. */
function withBuildLock<T>(work: () => T): T {
  const lock = join(BUILD_ROOT, 'lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the longest wait was left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > LOCK_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited too long for another Event Ruler build (lock ${lock})`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(dir: string): string {
  // Built aside and renamed into place, so a test file running beside this one never sees half a build.
  const staging = join(BUILD_ROOT, `staging-${process.pid}-${Date.now()}`);
  mkdirSync(join(staging, 'classes'), { recursive: true });
  try {
    run(
      'mvn',
      ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(staging, 'lib')}`],
      'Fetching Event Ruler with Maven',
    );
    run('javac', ['-d', join(staging, 'classes'), '-cp', join(staging, 'lib', '*'), SOURCE], 'Compiling test/ruler/RuleMatcher.java');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Prepares Event Ruler (fetch and compile on first use); call in beforeAll
 * with a long timeout, so a first download does not count against a test.
 */
export function prepareEventRuler(): void {
  harnessDir();
}

/** For each event, the names of the patterns Event Ruler matches it with (sorted). One JVM for the whole batch. */
export function eventRulerMatches(patterns: readonly NamedPattern[], events: readonly unknown[]): string[][] {
  const dir = harnessDir();
  const result = spawnSync('java', ['-cp', `${join(dir, 'classes')}:${join(dir, 'lib', '*')}`, 'RuleMatcher'], {
    input: JSON.stringify({ rules: patterns, events }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) throw new Error(`Event Ruler: ${result.error?.message ?? result.stderr.trim()}`);
  const matches = JSON.parse(result.stdout) as string[][];
  if (matches.length !== events.length) throw new Error(`Event Ruler answered for ${matches.length} of ${events.length} events`);
  return matches;
}
