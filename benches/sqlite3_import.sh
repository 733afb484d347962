#!/usr/bin/env bash
# The yardstick for benches/import.rs: how long the sqlite3 command-line shell takes to `.import`
# the same survey rows as CSV into one table, with no checking at all.
#
# Usage: bash benches/sqlite3_import.sh [SURVEY.csv] [RUNS]
#   SURVEY.csv defaults to target/tmp/import-bench/survey-20000.csv, the file the import benchmark
#   writes (`cargo bench --bench import` makes it; run that first). RUNS defaults to 10.
# Needs the sqlite3 shell: on Debian/Ubuntu `apt-get install sqlite3`, on macOS it comes with the
# system (or `brew install sqlite`), on Windows download "sqlite-tools" from sqlite.org.
set -euo pipefail

survey=${1:-target/tmp/import-bench/survey-20000.csv}
runs=${2:-10}
if ! command -v sqlite3 >/dev/null; then
    echo "sqlite3 not found: install it (Debian/Ubuntu: apt-get install sqlite3)" >&2
    exit 1
fi
if [[ ! -f $survey ]]; then
    echo "$survey not found: run 'cargo bench --bench import' first, which writes it" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same rows with one header row: sqlite3 names the new table's columns after the first line,
# so the Chinese header stays and the English one below it is dropped.
sed -n '1p; 3,$p' "$survey" > "$work/rows.csv"
rows=$(($(wc -l < "$work/rows.csv") - 1))

times=()
for _ in $(seq "$runs"); do
    rm -f "$work/x.db"
    start=$(date +%s%N)
    sqlite3 "$work/x.db" '.mode csv' '.import '"$work"'/rows.csv t'
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
done
imported=$(sqlite3 "$work/x.db" 'select count(*) from t')
if [[ $imported -ne $rows ]]; then
    echo "sqlite3 imported $imported rows, expected $rows" >&2
    exit 1
fi
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1): .import of $rows rows ($survey) into one table"
echo "runs (ms, sorted): $sorted"
echo "median: ${median} ms"
