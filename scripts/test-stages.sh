#!/usr/bin/env bash
# Runs every stage of `make test`, each in its own `make`, and keeps going
# after a failure, so one failed stage still leaves the others' results (and
# the closing line of scripts/test-summary.js) to read. Each stage's exit
# status is appended to RESULTS/stages.tsv ("name<TAB>status"); a stage whose
# prerequisite failed is not run and is recorded as "not-run:<prerequisite>".
#
# The stages run in lanes, side by side (LANES below), because on two cores
# one stage rarely keeps both busy: unit's two jest workers do, but tsc,
# eslint, cfn-lint and checkov are one process each, and integration waits on
# the emulator more than it computes. Each stage writes to RESULTS/<stage>.log,
# printed whole by this script when the stage ends, so the lines of two stages
# never interleave.
# Usage: test-stages.sh RESULTS_DIR STAGE...
set -uo pipefail

results=$1
shift
record="$results/stages.tsv"
: > "$record"

# The stages of a lane run in order; the lanes at the same time. Integration
# is the longest stage, so its lane starts with synth, the stage it needs.
LANES=(
  "synth integration"
  "unit"
  "typecheck lint lint-templates"
)
# Stages that read what `synth` wrote (cdk.out): they wait for it, and are not run if it failed.
needs_synth=" lint-templates integration "

requested=" $* "
synth_status_file="$results/synth.status"
rm -f "$synth_status_file" "$results"/*.done "$results"/*.log

# One stage, into its log. Writes RESULTS/<stage>.done (its status) when it ends.
run_stage() {
  local stage=$1 started status
  if [[ $needs_synth == *" $stage "* && $requested == *" synth "* ]]; then
    until [[ -s $synth_status_file ]]; do sleep 1; done
    status=$(cat "$synth_status_file")
    # synth interrupted: this stage is not recorded, so the summary names it as not run.
    (( status == 130 || status == 143 )) && return "$status"
    if (( status != 0 )); then
      printf '%s\tnot-run:synth\n' "$stage" >> "$record"
      echo "not run (synth failed)" > "$results/$stage.done"
      return 0
    fi
  fi
  started=$SECONDS
  # SYNTH_PREREQ= : synth is its own stage here, run once, not again before each stage that needs it.
  make --no-print-directory "$stage" SYNTH_PREREQ= > "$results/$stage.log" 2>&1 < /dev/null
  status=$?
  [[ $stage == synth ]] && echo "$status" > "$synth_status_file"
  printf '%s\t%s\n' "$stage" "$status" >> "$record"
  echo "exit $status, $((SECONDS - started)) s" > "$results/$stage.done"
  return "$status"
}

run_lane() {
  local stage status
  # The lane's own shell outlives an interruption (its stages' processes do not), to record how each stage ended.
  trap ':' INT TERM
  for stage in $1; do
    [[ $requested == *" $stage "* ]] || continue
    run_stage "$stage"
    status=$?
    # Interrupted (Ctrl-C, SIGTERM): the rest of the lane is not run; the summary names what ran.
    (( status == 130 || status == 143 )) && return
  done
}

# A stage named on the command line but in no lane runs in a lane of its own.
lanes=("${LANES[@]}")
for stage in "$@"; do
  [[ " ${LANES[*]} " == *" $stage "* ]] || lanes+=("$stage")
done

pids=()
interrupt() {
  echo ">>> interrupted: stopping every stage; the stages that did not finish are not counted"
  for pid in "${pids[@]}"; do kill "-$1" -- "-$pid" 2>/dev/null; done
}
trap 'interrupt INT' INT
trap 'interrupt TERM' TERM
# Job control: each lane is a process group of its own, so an interruption reaches every process of it.
set -m
shown=""
for lane in "${lanes[@]}"; do
  run_lane "$lane" &
  pids+=($!)
  shown+="${shown:+ | }$lane"
done
echo ">>> make test: lanes side by side ($shown); each stage is printed when it ends"
# Print each stage's log once it has ended, in the order they end.
printed=" "
show_finished() {
  local stage
  for stage in "$@"; do
    [[ -f $results/$stage.done && $printed != *" $stage "* ]] || continue
    printed+="$stage "
    if [[ -f $results/$stage.log ]]; then
      echo ">>> make $stage"
      cat "$results/$stage.log"
    fi
    echo "<<< make $stage: $(cat "$results/$stage.done")"
  done
}
while :; do
  running=$(jobs -rp)
  show_finished "$@"
  [[ -n $running ]] || break
  sleep 1
done
show_finished "$@"
rm -f "$synth_status_file" "$results"/*.done
exit 0
