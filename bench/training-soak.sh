#!/usr/bin/env bash
# Training soak (issue 14): `detr train` for MINUTES (default 30) on a dataset, killed with SIGKILL at a random moment
# and resumed with --resume for the rest of the time. Reports resident memory over both runs (start, end, peak,
# sampled every 5 s), whether the checkpoint the kill left behind loads (exported to ONNX), how much training the
# kill cost (time and steps since that checkpoint), and the final model's COCO metrics on the held-out file.
#
#   bench/training-soak.sh DATA [MINUTES] [OUT]
#       DATA: a folder with train.json, val.json and images/ (bench/datasets' generators write that layout)
#
# DETR=path/to/detr picks the tool (default: the Release build of src/Detr.Cli); SEED fixes the kill moment.
set -euo pipefail
data=${1:?usage: training-soak.sh DATA [MINUTES] [OUT]}
minutes=${2:-30}
out=${3:-$(mktemp -d /tmp/detr-soak-XXXXXX)}
detr=${DETR:-$(cd "$(dirname "$0")/.." && pwd)/src/Detr.Cli/bin/Release/net10.0/detr}
[ -x "$detr" ] || { echo "no detr at $detr: dotnet build src/Detr.Cli -c Release, or set DETR" >&2; exit 2; }
RANDOM=${SEED:-$$}
total=$((minutes * 60))
kill_at=$((total / 10 + RANDOM % (total * 8 / 10)))   # somewhere in the middle 80 % of the budget
mkdir -p "$out"
memory="$out/memory.csv"
echo "phase,seconds,rss_mb" > "$memory"
train=(--data "$data/train.json" --images "$data/images" --validation "$data/val.json" --out "$out/run")

# Samples the resident memory of PID every 5 s into memory.csv until it exits.
sample() {
    local phase=$1 pid=$2 start=$3
    while kill -0 "$pid" 2> /dev/null; do
        local kb
        kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
        [ -n "$kb" ] && echo "$phase,$(($(date +%s) - start)),$((kb / 1024))" >> "$memory"
        sleep 5
    done
}

echo "training for up to $minutes min into $out/run; SIGKILL after $kill_at s"
start=$(date +%s)
"$detr" train "${train[@]}" --time-limit "$minutes" > "$out/first.log" 2>&1 &
pid=$!
sample first "$pid" "$start" &
sleep "$kill_at"
killed=$(date +%s)
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
state="$out/run/checkpoints/last/state.json"
[ -f "$state" ] || { echo "no checkpoint after $kill_at s: $state is missing" >&2; exit 1; }
saved=$(stat -c %Y "$state")
steps_at_checkpoint=$(sed -E 's/.*"GlobalStep":([0-9]+).*/\1/' "$state")
echo "killed at $((killed - start)) s; last checkpoint written at $((saved - start)) s, global step $steps_at_checkpoint: $((killed - saved)) s of training lost"

# The checkpoint the kill left must load: export it as a user would.
"$detr" export --checkpoint "$out/run/checkpoints/last/model.safetensors" --out "$out/killed.onnx" > "$out/export.log" 2>&1 \
    && echo "checkpoint intact: exported to $out/killed.onnx" || { echo "checkpoint did not load (see $out/export.log)" >&2; exit 1; }

left=$(( (total - (killed - start) + 59) / 60 ))
echo "resuming for $left min"
resumed=$(date +%s)
"$detr" train "${train[@]}" --resume --time-limit "$left" > "$out/resumed.log" 2>&1 &
pid=$!
sample resumed "$pid" "$start" &
wait "$pid"
steps_final=$(sed -E 's/.*"GlobalStep":([0-9]+).*/\1/' "$state")
echo "resumed run ended after $(($(date +%s) - resumed)) s at global step $steps_final"
# Steps per second of the resumed run give the kill's cost in steps.
awk -v lost=$((killed - saved)) -v steps=$((steps_final - steps_at_checkpoint)) -v secs=$(($(date +%s) - resumed)) \
    'BEGIN { if (secs > 0) printf "training lost to the kill: %d s, about %.0f steps\n", lost, lost * steps / secs }'

"$detr" evaluate --gt "$data/val.json" --images "$data/images" --model "$out/run/model.onnx" --json > "$out/metrics.json"
echo "held-out metrics: $(cat "$out/metrics.json")"
# "Start" is the first sample 30 s into each run, once the model, optimiser and data are loaded.
awk -F, 'NR > 1 { n[$1]++; if (n[$1] == 1) t0[$1] = $2; if (!($1 in first) && $2 - t0[$1] >= 30) first[$1] = $3
        last[$1] = $3; if ($3 > peak[$1]) peak[$1] = $3 }
    END { for (p in n) printf "resident memory, %s run: %d MB 30 s in, %d MB at the end, peak %d MB (%d samples, every 5 s)\n", p, first[p], last[p], peak[p], n[p] }' "$memory"
echo "samples: $memory"
