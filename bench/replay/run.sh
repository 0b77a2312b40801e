#!/bin/bash
# The CPU-per-batch replay (docs/benchmarks.md, "Profiles kept parsed"): CollectorBench's backlog
# through the real topology in TopologyTestDriver, one thread, no broker. Not built by Maven.
# usage: bench/replay/run.sh <checkout> <label> [measured rounds, default 3] [jvm args...]
# needs <checkout>/target/ccp.txt: the collector's test class path with the tripline-* jars replaced
# by <checkout>/*/target/classes (see docs/benchmarks.md).
d=$(cd "$1" && pwd); label=$2; rounds=${3:-3}; shift 3
here=$(cd "$(dirname "$0")" && pwd)
out=$d/target/replay-classes; mkdir -p "$out"
cp="$d/collector/target/classes:$(cat "$d/target/ccp.txt")"
javac -nowarn -d "$out" -cp "$cp" "$here/ReplayBench.java" || exit 1
java -Xmx1g "$@" -cp "$out:$cp" dev.tripline.collector.pipeline.ReplayBench "$rounds" 2>"$d/target/replay-$label.err" \
  | sed "s/^/$label /"
