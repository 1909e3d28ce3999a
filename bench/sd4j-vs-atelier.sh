#!/usr/bin/env bash
# Side by side with oracle/sd4j: the same work — one image, same model folder, size, steps (one UNet
# call each), guidance, prompt and seed — each side a whole process from JVM start to PNG, under
# /usr/bin/time -v, interleaved: per round sd4j, Atelier with a fresh cache folder ("cold": no
# optimised graphs, no file hashes), Atelier again with that folder ("warm"). Prints each run's wall
# time, peak RSS and the load average just before it, then the ratios against sd4j.
#
# usage: bench/sd4j-vs-atelier.sh --sd4j DIR --model DIR [--rounds N] [--size PX] [--steps N]
#          [--guidance G] [--seed S] [--scheduler lms|euler-a] [--prompt TEXT] [--work DIR] [--keep]
#   --sd4j DIR   an sd4j checkout built by bench/sd4j/prepare.sh
#   --model DIR  a diffusers-convert-script layout SD 1.5 export (the layout sd4j reads), e.g. from
#                tools/bench_model.py --layout diffusers
#   --work DIR   where logs, images and the cache folders go (default: a new temporary folder;
#                each cold run's cache, as large as the model's weights, is deleted after its round
#                unless --keep)
# Defaults: 1 round, 512 px, 4 steps, guidance 7.5, seed 42, LMS (both have it; one UNet call per
# step, no noise drawn during sampling). Atelier runs cli/target/atelier.jar with its defaults
# (graph cache on, fused attention on). A full-size model needs the machine to itself: run the
# whole harness under the shared lock, e.g. flock /work/notes/bigjob.lock bench/sd4j-vs-atelier.sh …
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sd4j="" model="" rounds=1 size=512 steps=4 guidance=7.5 seed=42 scheduler=lms keep=0 work=""
prompt="a lighthouse on a cliff in a storm, oil painting"
die() { echo "sd4j-vs-atelier: $1" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift; continue ;;
    --sd4j|--model|--rounds|--size|--steps|--guidance|--seed|--scheduler|--prompt|--work)
      [ $# -ge 2 ] || die "$1 needs a value" ;;
    *) die "unknown option '$1' (see the usage at the top of $0)" ;;
  esac
  case "$1" in
    --sd4j) sd4j="$2" ;; --model) model="$2" ;; --rounds) rounds="$2" ;; --size) size="$2" ;;
    --steps) steps="$2" ;; --guidance) guidance="$2" ;; --seed) seed="$2" ;;
    --scheduler) scheduler="$2" ;; --prompt) prompt="$2" ;; --work) work="$2" ;;
  esac
  shift 2
done
[ -n "$sd4j" ] && [ -f "$sd4j/target/sd4j-run.classpath" ] \
  || die "--sd4j: expected an sd4j checkout built by bench/sd4j/prepare.sh, found '${sd4j}'"
[ -n "$model" ] && [ -f "$model/unet/model.onnx" ] && [ -f "$model/text_encoder/model.onnx" ] \
  || die "--model: expected a model folder with unet/model.onnx and text_encoder/model.onnx, found '${model}'"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds: expected a whole number ≥ 1, found '$rounds'"
case "$scheduler" in lms|euler-a) ;; *) die "--scheduler: expected lms or euler-a, found '$scheduler'" ;; esac
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time'); it measures peak RSS"
sd4j="$(cd "$sd4j" && pwd)"
model="$(cd "$model" && pwd)"
work="${work:-$(mktemp -d /tmp/sd4j-vs-atelier.XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
jar="$here/cli/target/atelier.jar"
"$here/atelier" --help > /dev/null # builds the jar when missing or stale, outside the timings
cp="$(cat "$sd4j/target/sd4j-run.classpath")"

table="$work/runs.tsv"
printf 'round\tside\twall_s\tpeak_rss_mib\tload_1m\n' > "$table"
# run ROUND SIDE LOG COMMAND…: times one whole process, appends a table row, fails on a failed run.
run() {
  local round="$1" side="$2" log="$3"
  shift 3
  local load
  load="$(cut -d' ' -f1 /proc/loadavg)"
  echo "round $round: $side (load average $load) …" >&2
  if ! /usr/bin/time -v -o "$log.time" "$@" > "$log" 2>&1; then
    tail -5 "$log" >&2
    die "$side failed in round $round (log: $log)"
  fi
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$log.time")"
  rss="$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log.time")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$wall" "$rss" "$load" >> "$table"
}

atelier_scheduler="$scheduler"
for r in $(seq 1 "$rounds"); do
  d="$work/round-$r"
  mkdir -p "$d"
  (cd "$sd4j" && run "$r" sd4j "$d/sd4j.log" java -cp "$cp" Sd4jRun --model "$model" \
    --prompt "$prompt" --steps "$steps" --guidance "$guidance" --seed "$seed" --size "$size" \
    --scheduler "$scheduler" --out "$d/sd4j.png")
  for pass in cold warm; do
    # A fresh data and cache folder per round: the cold run builds the optimised-graph cache and
    # the file-hash cache there, the warm run reads them.
    run "$r" "atelier-$pass" "$d/atelier-$pass.log" env -u ATELIER_GRAPH_CACHE -u ATELIER_ATTENTION \
      ATELIER_HOME="$d/atelier-home" ATELIER_CACHE="$d/atelier-cache" java -jar "$jar" generate "$prompt" \
      --model "$model" --scheduler "$atelier_scheduler" --steps "$steps" --guidance "$guidance" \
      --seed "$seed" -W "$size" -H "$size" --out "$d/atelier-$pass.png" --json
  done
  if [ "$keep" = 0 ]; then rm -rf "$d/atelier-cache" "$d/atelier-home"; fi
done

# Atelier's own timings (its JSON record: text encoder, the whole denoising loop, VAE decode).
atelier_stages() {
  local t
  t="$(grep -o '"timings":{[^}]*}' "$1" | tail -1)"
  ms() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<< "$t"; }
  awk -v text="$(ms textMs)" -v den="$(ms denoiseMs)" -v step="$(ms stepMs)" -v dec="$(ms decodeMs)" \
    -v total="$(ms totalMs)" -v n="$steps" -v wall="$2" 'BEGIN { printf "text %.1f s, %d steps %.1f s (%.1f s/step), decode %.1f s, generation %.1f s; the rest of the wall time (JVM, model load, exit) %.1f s", text / 1000, n, den / 1000, step / 1000, dec / 1000, total / 1000, wall - total / 1000 }'
}

echo
echo "sd4j vs Atelier: $(basename "$model"), ${size}x${size}, $steps steps ($scheduler, one UNet call each)," \
  "guidance $guidance, seed $seed, 1 image; $(nproc) CPUs, $(java -version 2>&1 | head -1)"
printf '%-6s %-14s %9s %14s %9s %12s %12s\n' round side "wall s" "peak RSS MiB" "load 1m" "sd4j/wall" "RSS/sd4j"
awk -F'\t' 'NR > 1 {
    if ($2 == "sd4j") { w[$1] = $3; m[$1] = $4 }
    rw = (w[$1] > 0 && $2 != "sd4j") ? sprintf("%.2fx", w[$1] / $3) : "";
    rm = (m[$1] > 0 && $2 != "sd4j") ? sprintf("%.2f", $4 / m[$1]) : "";
    printf "%-6s %-14s %9s %14s %9s %12s %12s\n", $1, $2, $3, $4, $5, rw, rm }' "$table"
echo "(sd4j/wall > 1: Atelier faster, goal >= 1.5x; RSS/sd4j < 1: Atelier smaller, goal <= 0.7)"
for r in $(seq 1 "$rounds"); do
  d="$work/round-$r"
  # The same work: sd4j logs each UNet call ("Running inference step i"), Atelier's record lists
  # the timesteps it sampled at (one UNet call each with LMS).
  calls="$(grep -c 'Running inference step' "$d/sd4j.log" || true)"
  echo "round $r sd4j, $calls UNet calls, its own timing: $(grep -o 'load .* save [0-9.]* s' "$d/sd4j.log" || echo n/a)"
  for pass in cold warm; do
    calls="$(grep -o '"timesteps":\[[^]]*\]' "$d/atelier-$pass.log" | head -1 | tr -cd , | wc -c)"
    wall="$(awk -F'\t' -v r="$r" -v side="atelier-$pass" '$1 == r && $2 == side { print $3 }' "$table")"
    echo "round $r atelier-$pass, $((calls + 1)) UNet calls, its own timing: $(atelier_stages "$d/atelier-$pass.log" "$wall")"
  done
done
echo "logs, images and runs.tsv in $work"
