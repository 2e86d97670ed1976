#!/usr/bin/env bash
# Whole-process comparison of dechaff with grep and ripgrep on the same input and rules.
# See BENCHMARKS.md for what it measures and the last recorded table.
#
# Setup (Debian/Ubuntu, as root):   apt-get update && apt-get install -y ripgrep hyperfine
# Needed: cargo, grep (GNU), cmp, /usr/bin/time (GNU time: apt-get install -y time).
# Optional: hyperfine (else timed loops in bash), rg (else its rows and the ratios are skipped).
#
# Usage:  benches/compare.sh
# Environment:
#   SIZE_MB=200       input size in MB (10^6 bytes); at least 200 for the recorded table
#   RUNS=5            timed runs per command (the median is reported); WARMUP=1 untimed first
#   INTERLEAVE=1      time the commands round-robin: round r runs every command once, so a
#                     machine whose speed drifts over minutes (shared cores, frequency) slows
#                     every command alike and the ratios hold; each run is timed with a bash
#                     loop. INTERLEAVE=0 times each command's runs back to back (with hyperfine
#                     when present), as earlier recorded tables were made
#   SOURCE=../shared/corpus/articles.jsonl.gz   article texts to repeat up to SIZE_MB; when the
#                     file is missing (or SOURCE=generated) the project's generator is used
#   INPUT=FILE        use this input as it is instead of building one
#   WORK=DIR          scratch directory (default: a new one under /dev/shm, else $TMPDIR or /tmp);
#                     removed at the end unless KEEP=1 or WORK was given
#   RG_UNICODE=1      also time rg with the Unicode \b regex list (one run on the first
#                     RG_UNICODE_MB=10 megabytes of the input: it runs at about 1 MB/s)
#   SINK=null         timed runs write to /dev/null (grep's to a file: it stops early on
#                     /dev/null); SINK=file sends every command's output to a file in WORK
#   RESULTS=FILE      where the markdown report is also written (default target/compare.md)
#   JSONL=0           skip the JSON Lines rows (built from SOURCE's records; on by default when
#                     SOURCE exists and INPUT is not given)
#
# The input, the outputs and the derived rule lists live in WORK only: nothing from
# ../shared/corpus is written into the repository.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE_MB=${SIZE_MB:-200}
RUNS=${RUNS:-5}
INTERLEAVE=${INTERLEAVE:-1}
SINK=${SINK:-null}
WARMUP=${WARMUP:-1}
SOURCE=${SOURCE:-../shared/corpus/articles.jsonl.gz}
# In a git worktree, ../shared is not beside the checkout: look beside the main repository.
if [ ! -f "$SOURCE" ] && [ "$SOURCE" = ../shared/corpus/articles.jsonl.gz ]; then
    common=$(git rev-parse --git-common-dir 2>/dev/null || true)
    [ -n "$common" ] && [ -f "$common/../../shared/corpus/articles.jsonl.gz" ] &&
        SOURCE=$(cd "$common/../../shared/corpus" && pwd)/articles.jsonl.gz
fi
RESULTS=${RESULTS:-target/compare.md}
# grep in a UTF-8 locale, as users run it; dechaff and rg ignore the locale.
export LC_ALL=${BENCH_LOCALE:-C.UTF-8}

# --- tools -----------------------------------------------------------------------------------
missing=()
for t in cargo grep cmp awk sort; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (apt-get install -y time)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "compare.sh: missing required tools: ${missing[*]}" >&2
    exit 2
fi
HAVE_RG=1
HAVE_HF=1
command -v rg >/dev/null || { HAVE_RG=0; echo "compare.sh: rg not found (apt-get install -y ripgrep): its rows and the ratios are skipped" >&2; }
command -v hyperfine >/dev/null || { HAVE_HF=0; echo "compare.sh: hyperfine not found (apt-get install -y hyperfine): timing with a bash loop" >&2; }
if ! locale -a 2>/dev/null | grep -qix "$(echo "$LC_ALL" | sed 's/UTF-8/utf8/I')"; then
    echo "compare.sh: locale $LC_ALL not listed by 'locale -a'; set BENCH_LOCALE to a UTF-8 locale" >&2
fi

# --- build -----------------------------------------------------------------------------------
echo "== building (release)" >&2
cargo build --release --quiet --bin dechaff --example gen_corpus
DECHAFF=$ROOT/target/release/dechaff
GEN=$ROOT/target/release/examples/gen_corpus

# --- scratch space and input -----------------------------------------------------------------
if [ -z "${WORK:-}" ]; then
    base=${TMPDIR:-/tmp}
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
    WORK=$(mktemp -d "$base/dechaff-compare.XXXXXX")
    [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
OUT=$WORK/out

if [ -n "${INPUT:-}" ]; then
    IN=$INPUT
    CORPUS_DESC="$INPUT as given"
else
    IN=$WORK/input.txt
    bytes=$((SIZE_MB * 1000000))
    if [ "$SOURCE" != generated ] && [ -f "$SOURCE" ]; then
        echo "== building a ${SIZE_MB} MB input from the texts of $SOURCE" >&2
        "$GEN" "$bytes" "$IN" "$SOURCE"
        CORPUS_DESC="the texts of \`$SOURCE\` (real scraped English news, some CRLF) repeated"
    else
        echo "== building a ${SIZE_MB} MB input with the project's generator" >&2
        "$GEN" "$bytes" "$IN"
        CORPUS_DESC="the project's generator (\`benches/tools/gen_corpus.rs\`, news-like sentences, ~3% chaff lines)"
    fi
fi
# JSON Lines: SOURCE's records repeated N times (N: enough for SIZE_MB), and as its text-mode
# twin exactly N copies of the same texts, so both hold the same articles.
HAVE_JSONL=0
if [ "${JSONL:-1}" = 1 ] && [ -z "${INPUT:-}" ] && [ "$SOURCE" != generated ] && [ -f "$SOURCE" ]; then
    JIN=$WORK/input.jsonl
    JTEXT=$WORK/jsonl-texts.txt
    one=$(gzip -dc "$SOURCE" | wc -c)
    copies=$(((SIZE_MB * 1000000 + one - 1) / one))
    echo "== building JSON Lines input: $copies copies of $SOURCE's records, and their texts" >&2
    for ((i = 0; i < copies; i++)); do gzip -dc "$SOURCE"; done >"$JIN"
    "$GEN" "x$copies" "$JTEXT" "$SOURCE"
    HAVE_JSONL=1
fi
SIZE=$(stat -c %s "$IN")
LINES=$(wc -l <"$IN")
NONASCII=$(LC_ALL=C grep -c -P '[^\x00-\x7f]' "$IN" || true)
CRLF=$(LC_ALL=C grep -c $'\r$' "$IN" || true)

# --- rule lists ------------------------------------------------------------------------------
LITS=$ROOT/benches/data/literals.txt
MIXED=$WORK/mixed.txt        # literals escaped as regexes + regexes, Unicode \b
MIXED_ASCII=$WORK/mixed-ascii.txt  # the same with ASCII word boundaries (?-u:\b), for rg
sed 's/[][\.*^$+?(){}|]/\\&/g' "$LITS" >"$MIXED"
cat "$ROOT/benches/data/regexes.txt" >>"$MIXED"
sed 's/\\b/(?-u:\\b)/g' "$MIXED" >"$MIXED_ASCII"
NLITS=$(grep -c . "$LITS")
NREGEX=$(grep -c . "$ROOT/benches/data/regexes.txt")

# Row names that are referred to again.
RG_LIT='rg -v -F -i -f'
RG_MIX='rg -v -i -f (ASCII \b)'
RG_UNI='rg -v -i -f (Unicode \b)'
D_LIT1='dechaff --no-default-rules -F -i -f -j1'
D_LIT2='dechaff --no-default-rules -F -i -f -j2'
D_MIX1='dechaff --no-default-rules -i -f -j1'
D_MIX2='dechaff --no-default-rules -i -f -j2'
D_ASCII='dechaff --no-default-rules -i -f -j1 (ASCII \b)'
D_PACK1='dechaff (built-in packs) -j1'
D_PACK2='dechaff (built-in packs) -j2'
D_JSONL='dechaff (built-in packs) -j1, JSON Lines records'
D_JTEXT='dechaff (built-in packs) -j1, the same texts'

# --- commands --------------------------------------------------------------------------------
# name|list|command (no redirection). Timed runs write to /dev/null, as the issue's own figures
# were taken, except GNU grep's: grep stops at the first output line when stdout is /dev/null,
# so its runs write to $OUT, a file in WORK (which costs it the file's writes; rg and dechaff
# do not treat /dev/null specially). SINK=file sends every command to $OUT, as tables before
# 2026-12-01 were made. Outputs are compared in separate runs below.
CMDS=(
    "cat (read/write floor)|-|cat $IN"
    "grep -v -F -i -f|lit|grep -v -F -i -f $LITS $IN"
)
[ $HAVE_RG = 1 ] && CMDS+=("$RG_LIT|lit|rg -v -F -i -f $LITS $IN")
CMDS+=(
    "$D_LIT1|lit|$DECHAFF --no-default-rules -F -i -f $LITS -j1 $IN"
    "$D_LIT2|lit|$DECHAFF --no-default-rules -F -i -f $LITS -j2 $IN"
    "grep -v -E -i -f|mixed|grep -v -E -i -f $MIXED $IN"
)
[ $HAVE_RG = 1 ] && CMDS+=("$RG_MIX|mixed|rg -v -i -f $MIXED_ASCII $IN")
CMDS+=(
    "$D_MIX1|mixed|$DECHAFF --no-default-rules -i -f $MIXED -j1 $IN"
    "$D_MIX2|mixed|$DECHAFF --no-default-rules -i -f $MIXED -j2 $IN"
    "$D_ASCII|mixed|$DECHAFF --no-default-rules -i -f $MIXED_ASCII -j1 $IN"
    "$D_PACK1|packs|$DECHAFF -j1 $IN"
    "$D_PACK2|packs|$DECHAFF -j2 $IN"
)
[ $HAVE_JSONL = 1 ] && CMDS+=(
    "$D_JSONL|packs, jsonl|$DECHAFF -j1 $JIN"
    "$D_JTEXT|packs, texts|$DECHAFF -j1 $JTEXT"
)

sink() { # where the timed runs of command "$1" write
    case "$SINK:$1" in
        file:* | *:grep\ *) echo "$OUT" ;;
        *) echo /dev/null ;;
    esac
}

median_loop() { # median seconds of RUNS runs of "$1" > its sink, after WARMUP runs
    local cmd=$1 i t0 t1 to
    to=$(sink "$cmd")
    for ((i = 0; i < WARMUP; i++)); do eval "$cmd" >"$to"; done
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s.%N)
        eval "$cmd" >"$to"
        t1=$(date +%s.%N)
        awk -v a="$t1" -v b="$t0" 'BEGIN{print a - b}'
    done | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

median_hf() { # median seconds via hyperfine
    local cmd=$1 runs=$2 csv=$WORK/hf.csv
    hyperfine --style none --warmup "$WARMUP" --runs "$runs" --export-csv "$csv" \
        "$cmd > $(sink "$cmd")" >/dev/null 2>"$WORK/hf.err" || { cat "$WORK/hf.err" >&2; return 1; }
    awk -F, 'NR==2{print $4}' "$csv"
}

peak_rss_kib() {
    # shellcheck disable=SC2086  # the command is split into words on purpose
    /usr/bin/time -f %M -o "$WORK/rss" $1 >"$(sink "$1")"
    tail -1 "$WORK/rss"
}

one_run() { # seconds of one run of "$1" > its sink
    local t0 t1 to
    to=$(sink "$1")
    t0=$(date +%s.%N)
    eval "$1" >"$to"
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" 'BEGIN{print a - b}'
}

median_of() { # median of the numbers in "$1"
    echo "$1" | tr ' ' '\n' | grep . | sort -g |
        awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

UPTIME_BEFORE=$(uptime | sed 's/.*load average/load average/')
declare -A MBS RSS TIMES BYTES
if [ "$INTERLEAVE" = 1 ]; then
    echo "== timing ${#CMDS[@]} commands on $SIZE bytes, $RUNS rounds (round-robin)" >&2
    for ((r = -WARMUP; r < RUNS; r++)); do
        for entry in "${CMDS[@]}"; do
            name=${entry%%|*}
            rest=${entry#*|}
            cmd=${rest#*|}
            t=$(one_run "$cmd")
            [ "$r" -ge 0 ] && TIMES[$name]+="$t "
        done
        [ "$r" -ge 0 ] && echo "  round $((r + 1)) of $RUNS done" >&2
    done
fi
for entry in "${CMDS[@]}"; do
    name=${entry%%|*}
    rest=${entry#*|}
    cmd=${rest#*|}
    bytes_in=$SIZE
    case "$name" in
        "$D_JSONL") bytes_in=$(stat -c %s "$JIN") ;;
        "$D_JTEXT") bytes_in=$(stat -c %s "$JTEXT") ;;
    esac
    if [ "$INTERLEAVE" = 1 ]; then
        s=$(median_of "${TIMES[$name]}")
    elif [ $HAVE_HF = 1 ]; then s=$(median_hf "$cmd" "$RUNS"); else s=$(median_loop "$cmd"); fi
    MBS[$name]=$(awk -v b="$bytes_in" -v s="$s" 'BEGIN{printf "%.0f", b / 1e6 / s}')
    BYTES[$name]=$bytes_in
    RSS[$name]=$(awk -v k="$(peak_rss_kib "$cmd")" 'BEGIN{printf "%.1f", k / 1024}')
    printf '  %-52s %6s MB/s  %7s MiB  (%.3f s)\n' "$name" "${MBS[$name]}" "${RSS[$name]}" "$s" >&2
done
if [ "${RG_UNICODE:-0}" = 1 ] && [ $HAVE_RG = 1 ]; then
    # Slow (about 1 MB/s): timed once, on the first RG_UNICODE_MB megabytes of the input.
    name=$RG_UNI
    head -c $((${RG_UNICODE_MB:-10} * 1000000)) "$IN" >"$WORK/slice.txt"
    slice=$(stat -c %s "$WORK/slice.txt")
    cmd="rg -v -i -f $MIXED $WORK/slice.txt"
    CMDS+=("$name|mixed, first $((slice / 1000000)) MB|$cmd")
    if [ $HAVE_HF = 1 ]; then s=$(WARMUP=0 median_hf "$cmd" 1); else s=$(RUNS=1 WARMUP=0 median_loop "$cmd"); fi
    MBS[$name]=$(awk -v b="$slice" -v s="$s" 'BEGIN{printf "%.1f", b / 1e6 / s}')
    RSS[$name]=$(awk -v k="$(peak_rss_kib "$cmd")" 'BEGIN{printf "%.1f", k / 1024}')
    printf '  %-52s %6s MB/s  %7s MiB  (%.3f s, 1 run)\n' "$name" "${MBS[$name]}" "${RSS[$name]}" "$s" >&2
fi
UPTIME_AFTER=$(uptime | sed 's/.*load average/load average/')

# --- same output as grep where the meaning is the same ---------------------------------------
echo "== checking outputs" >&2
CHECKS=()
same() { # label, reference command, candidate command
    # shellcheck disable=SC2086
    $2 >"$WORK/ref" || true
    # shellcheck disable=SC2086
    $3 >"$WORK/cand" || true
    if cmp -s "$WORK/ref" "$WORK/cand"; then
        CHECKS+=("| $1 | identical ($(stat -c %s "$WORK/cand") bytes) |")
    else
        local n
        n=$(diff "$WORK/ref" "$WORK/cand" | grep -c '^[<>]' || true)
        CHECKS+=("| $1 | **DIFFERS** ($n lines; first: $(cmp "$WORK/ref" "$WORK/cand" 2>&1 | head -1)) |")
        FAILED=1
    fi
}
FAILED=0
same "\`dechaff --no-default-rules -F -i -f\` -j1 vs \`grep -v -F -i -f\`" \
    "grep -v -F -i -f $LITS $IN" "$DECHAFF --no-default-rules -F -i -f $LITS -j1 $IN"
same "the same, -j2 vs -j1" \
    "$DECHAFF --no-default-rules -F -i -f $LITS -j1 $IN" "$DECHAFF --no-default-rules -F -i -f $LITS -j2 $IN"
same "\`dechaff --no-default-rules -i -f\` (literals+regexes) -j1 vs \`grep -v -E -i -f\`" \
    "grep -v -E -i -f $MIXED $IN" "$DECHAFF --no-default-rules -i -f $MIXED -j1 $IN"
same "the same, -j2 vs -j1" \
    "$DECHAFF --no-default-rules -i -f $MIXED -j1 $IN" "$DECHAFF --no-default-rules -i -f $MIXED -j2 $IN"
same "built-in packs -j2 vs -j1" "$DECHAFF -j1 $IN" "$DECHAFF -j2 $IN"
[ $HAVE_RG = 1 ] && same "\`rg -v -F -i -f\` vs \`grep -v -F -i -f\` (sanity)" \
    "grep -v -F -i -f $LITS $IN" "rg -v -F -i -f $LITS $IN"
rm -f "$WORK/ref" "$WORK/cand" "$OUT"

# --- report ----------------------------------------------------------------------------------
ratio() { # a / b, or n/a
    local a=${MBS[$1]:-} b=${MBS[$2]:-}
    if [ -z "$a" ] || [ -z "$b" ]; then echo "n/a"; else awk -v a="$a" -v b="$b" 'BEGIN{r = a / b; printf (r < 0.1 ? "%.4fx" : "%.2fx"), r}'; fi
}
round_ratio() { # a's MB/s / b's within each round-robin round: "median (min-max)", or n/a
    local ta=${TIMES[$1]:-} tb=${TIMES[$2]:-}
    if [ "$INTERLEAVE" != 1 ] || [ -z "$ta" ] || [ -z "$tb" ]; then echo "n/a"; return; fi
    paste <(echo "$ta" | tr ' ' '\n' | grep .) <(echo "$tb" | tr ' ' '\n' | grep .) |
        awk -v ba="${BYTES[$1]}" -v bb="${BYTES[$2]}" '{print (ba / $1) / (bb / $2)}' | sort -g |
        awk '{a[NR]=$1} END{m = (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); printf "%.2fx (%.2f-%.2f)", m, a[1], a[NR]}'
}
vs_rg() { # which rg row a command is compared with
    case "$2" in
        lit | packs) echo "$RG_LIT" ;;
        packs,*) echo "" ;;
        mixed*) echo "$RG_MIX" ;;
        *) echo "" ;;
    esac
}
{
    echo "Input: $CORPUS_DESC; $SIZE bytes, $LINES lines ($NONASCII with non-ASCII bytes, $CRLF ending in CRLF)."
    [ $HAVE_JSONL = 1 ] && echo "JSON Lines: $copies copies of the records of \`$SOURCE\` ($(stat -c %s "$JIN") bytes), against exactly $copies copies of their texts in text mode ($(stat -c %s "$JTEXT") bytes); MB/s are of each command's own input."
    echo "Lists: \`lit\` = \`benches/data/literals.txt\` ($NLITS literals, \`-F -i\`); \`mixed\` = the same literals escaped plus \`benches/data/regexes.txt\` ($NREGEX regexes, some with \`\\b\`), \`-i\`; for rg the \`\\b\` are written \`(?-u:\\b)\`; \`packs\` = dechaff's built-in packs."
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $(uname -sr)."
    echo "Tools: $(grep --version | sed -n 1p); $(if [ $HAVE_RG = 1 ]; then rg --version | sed -n 1p; else echo 'no rg'; fi); $(if [ "$INTERLEAVE" = 1 ]; then echo 'timed with a bash loop, round-robin'; elif [ $HAVE_HF = 1 ]; then hyperfine --version; else echo 'timed with a bash loop'; fi); dechaff at $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')."
    echo "Load: before $UPTIME_BEFORE; after $UPTIME_AFTER. Median of $RUNS $(if [ "$INTERLEAVE" = 1 ]; then echo 'rounds (every command once per round)'; else echo runs; fi) after $WARMUP warm-up, LC_ALL=$LC_ALL, $(if [ "$SINK" = file ]; then echo "output to a file in $(dirname "$WORK")"; else echo "output to /dev/null (grep: to a file in $(dirname "$WORK"), since grep stops early on /dev/null)"; fi). $(date -u +%Y-%m-%d)."
    echo
    echo "| command | list | MB/s | vs rg | peak RSS (MiB) |"
    echo "|---|---|---:|---:|---:|"
    for entry in "${CMDS[@]}"; do
        name=${entry%%|*}
        rest=${entry#*|}
        list=${rest%%|*}
        ref=$(vs_rg "$name" "$list")
        r=n/a
        if [ -n "$ref" ] && [ "$name" != "$ref" ]; then r=$(ratio "$name" "$ref"); fi
        [ "$name" = "$ref" ] && r=1.00x
        [ -z "$ref" ] && r=""
        echo "| \`$name\` | $list | ${MBS[$name]} | $r | ${RSS[$name]} |"
    done
    echo
    echo "| bar | ratio of medians | per round: median (range) |"
    echo "|---|---:|---:|"
    echo "| one thread, literal+regex list, vs rg (≥ 3x) | $(ratio "$D_MIX1" "$RG_MIX") | $(round_ratio "$D_MIX1" "$RG_MIX") |"
    echo "| built-in packs, one thread, vs rg on the bare literal list (≥ 2x) | $(ratio "$D_PACK1" "$RG_LIT") | $(round_ratio "$D_PACK1" "$RG_LIT") |"
    echo "| two threads vs one: literal list (≥ 1.6x) | $(ratio "$D_LIT2" "$D_LIT1") | $(round_ratio "$D_LIT2" "$D_LIT1") |"
    echo "| two threads vs one: literal+regex list | $(ratio "$D_MIX2" "$D_MIX1") | $(round_ratio "$D_MIX2" "$D_MIX1") |"
    echo "| two threads vs one: built-in packs | $(ratio "$D_PACK2" "$D_PACK1") | $(round_ratio "$D_PACK2" "$D_PACK1") |"
    echo "| cost of Unicode \`\\b\` over ASCII twins, dechaff -j1: ASCII MB/s ÷ Unicode MB/s (≤ 2x) | $(ratio "$D_ASCII" "$D_MIX1") | $(round_ratio "$D_ASCII" "$D_MIX1") |"
    [ -n "${MBS[$RG_UNI]:-}" ] && echo "| the same for rg | $(ratio "$RG_MIX" "$RG_UNI") | n/a |"
    [ $HAVE_JSONL = 1 ] && echo "| JSON Lines vs text mode on the same texts, MB/s of each input (≥ 0.5x) | $(ratio "$D_JSONL" "$D_JTEXT") | $(round_ratio "$D_JSONL" "$D_JTEXT") |"
    echo
    echo "| same output | result |"
    echo "|---|---|"
    printf '%s\n' "${CHECKS[@]}"
} | tee "$RESULTS"
echo "(report also written to $RESULTS)" >&2
exit $FAILED
