#!/usr/bin/env bash
# Runs every stage of `make test`, each in its own `make`, and keeps going
# after a failure, so one failed stage still leaves the others' results (and
# the closing line of scripts/test-summary.js) to read. Each stage's exit
# status is appended to RESULTS/stages.tsv ("name<TAB>status"); a stage whose
# prerequisite failed is not run and is recorded as "not-run:<prerequisite>".
# Usage: test-stages.sh RESULTS_DIR STAGE...
set -uo pipefail

results=$1
shift
record="$results/stages.tsv"
: > "$record"

# Stages that read what `synth` wrote (cdk.out): no point running them without it.
needs_synth=" lint-templates integration "
synth_status=""

for stage in "$@"; do
  if [[ $needs_synth == *" $stage "* && -n $synth_status && $synth_status != 0 ]]; then
    echo ">>> make $stage: not run (synth failed)"
    printf '%s\tnot-run:synth\n' "$stage" >> "$record"
    continue
  fi
  echo ">>> make $stage"
  # SYNTH_PREREQ= : synth is its own stage here, run once, not again before each stage that needs it.
  make --no-print-directory "$stage" SYNTH_PREREQ=
  status=$?
  printf '%s\t%s\n' "$stage" "$status" >> "$record"
  [[ $stage == synth ]] && synth_status=$status
  # Interrupted (Ctrl-C, SIGTERM): stop here; the summary still names what ran.
  if (( status == 130 || status == 143 )); then
    echo ">>> interrupted during $stage: the remaining stages are not run"
    break
  fi
done
exit 0
