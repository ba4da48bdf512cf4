#!/usr/bin/env bash
# Whole-program figures that criterion cannot give: wall and CPU time
# (hyperfine), peak memory (GNU time) and, with COUNT=1, instructions
# (callgrind) of `slidebook build` against two bare pulldown-cmark renders
# of the same expanded text (examples/baseline.rs), on synthetic talks and
# on the corpus talk; and pandoc on the corpus talk when it is installed.
#
#   bash benches/compare.sh [SIZES...]      (default: 100 1000 10000)
#
# Needs hyperfine and GNU time (Debian: apt-get install -y hyperfine time);
# pandoc and valgrind are optional. Talks and outputs go to $WORK (default:
# a new folder under /tmp). Set SLIDEBOOK to measure another slidebook
# binary (for example one saved before a change), RUNS for the number of
# timed runs (default 10), and COUNT=1 to count instructions with callgrind
# as well (slow: about half a minute for 10,000 slides).
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000)
work=${WORK:-$(mktemp -d /tmp/slidebook-compare.XXXXXX)}
mkdir -p "$work"
runs=${RUNS:-10}

for tool in hyperfine /usr/bin/time python3; do
    command -v "$tool" >/dev/null || {
        echo "compare.sh: $tool is missing (Debian: apt-get install -y ${tool##*/})" >&2
        exit 1
    }
done

cargo build --release --quiet --bin slidebook --example gen_talk --example baseline
sb=${SLIDEBOOK:-$PWD/target/release/slidebook}
gen=$PWD/target/release/examples/gen_talk
base=$PWD/target/release/examples/baseline
echo "slidebook: $sb"
echo "work folder: $work"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# Peak RSS in KiB of a command: the least of three runs.
peak() {
    local best='' kb
    for _ in 1 2 3; do
        kb=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
        if [ -z "$best" ] || [ "$kb" -lt "$best" ]; then best=$kb; fi
    done
    echo "$best"
}

# One figure from hyperfine's JSON export: min, median, or cpu (mean user
# plus system time), in seconds.
figure() {
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["user"] + r["system"] if sys.argv[2] == "cpu" else r[sys.argv[2]])
' "$1" "$2"
}

# Instructions a command executes, as callgrind counts them: the same on a
# busy machine as on a quiet one.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

row() { # label "build command" expanded-file out-dir
    local label=$1 expanded=$3 out=$4
    local -a build
    read -r -a build <<<"$2"
    hyperfine -N --warmup 2 --runs "$runs" --prepare "rm -rf $out" \
        --export-json "$work/build-$label.json" "$2" >/dev/null 2>>"$work/hyperfine.log"
    hyperfine -N --warmup 2 --runs "$runs" \
        --export-json "$work/base-$label.json" "$base $expanded" >/dev/null 2>>"$work/hyperfine.log"
    local ib=- ir=-
    if [ -n "${COUNT:-}" ]; then
        rm -rf "$out"
        ib=$(instructions "${build[@]}")
        ir=$(instructions "$base" "$expanded")
    fi
    rm -rf "$out"
    local pb pr
    pb=$(peak "${build[@]}")
    pr=$(peak "$base" "$expanded")
    python3 -c '
import sys
label, size = sys.argv[1], int(sys.argv[2])
wb, wr, mdb, mdr, cb, cr = map(float, sys.argv[3:9])
mb, mr = int(sys.argv[9]), int(sys.argv[10])
ib, ir = sys.argv[11:13]
ms = lambda t: f"{t*1e3:.1f} ms"
instr = "| - | - | - " if ib == "-" else f"| {int(ib)/1e6:.0f} M | {int(ir)/1e6:.0f} M | {int(ib)/int(ir):.2f}x "
print(f"| {label} | {size/1e6:.2f} MB | {ms(wb)} / {ms(mdb)} | {ms(wr)} / {ms(mdr)} | {wb/wr:.1f}x "
      f"| {ms(cb)} | {ms(cr)} | {cb/cr:.1f}x {instr}"
      f"| {mb/1024:.1f} MiB | {mr/1024:.1f} MiB | {mb/mr:.2f}x |")
' "$label" "$(wc -c <"$expanded")" \
        "$(figure "$work/build-$label.json" min)" "$(figure "$work/base-$label.json" min)" \
        "$(figure "$work/build-$label.json" median)" "$(figure "$work/base-$label.json" median)" \
        "$(figure "$work/build-$label.json" cpu)" "$(figure "$work/base-$label.json" cpu)" \
        "$pb" "$pr" "$ib" "$ir"
}

echo
echo "Wall: min / median of $runs runs. CPU: mean user+system. Instructions: callgrind (COUNT=1)."
echo
echo "| talk | expanded | build wall | 2 renders wall | wall ratio (min) | build CPU | 2 renders CPU | CPU ratio | build instr. | 2 renders instr. | instr. ratio | build peak RSS | 2 renders peak RSS | memory ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    dir=$work/talk-$n
    [ -f "$dir/book.toml" ] || "$gen" "$n" "$dir" 2>/dev/null
    "$sb" --root "$dir" expand "$dir/slides/main.md" >"$work/expanded-$n.md"
    row "$n" "$sb --root $dir build -o $work/out-$n" "$work/expanded-$n.md" "$work/out-$n"
done

corpus=$PWD/../shared/corpus/magnum-debugging-101
if [ -f "$corpus/lightning/main.md" ]; then
    "$sb" --root "$corpus" expand "$corpus/lightning/main.md" >"$work/expanded-lightning.md"
    row lightning "$sb --root $corpus build $corpus/lightning/main.md -o $work/out-lightning" \
        "$work/expanded-lightning.md" "$work/out-lightning"
    echo
    if command -v pandoc >/dev/null; then
        hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/pandoc.json" \
            "pandoc -f markdown -t revealjs -s -o $work/pandoc-lightning.html $work/expanded-lightning.md" \
            >/dev/null 2>>"$work/hyperfine.log"
        python3 -c '
import sys
tp, tb, cp, cb = map(float, sys.argv[1:])
print(f"pandoc -t revealjs -s of the expanded lightning talk: {tp*1e3:.1f} ms wall (min), {cp*1e3:.1f} ms CPU; "
      f"slidebook build of the talk: {tb*1e3:.1f} ms wall (min), {cb*1e3:.1f} ms CPU; "
      f"slidebook is {tp/tb:.1f}x faster in wall time, {cp/cb:.1f}x in CPU time")
' "$(figure "$work/pandoc.json" min)" "$(figure "$work/build-lightning.json" min)" \
            "$(figure "$work/pandoc.json" cpu)" "$(figure "$work/build-lightning.json" cpu)"
    else
        echo "pandoc is not installed: no pandoc comparison (Debian: apt-get install -y pandoc)"
    fi
else
    echo "SKIPPED: the corpus talk ($corpus not found)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (hyperfine's warnings: $work/hyperfine.log)"
