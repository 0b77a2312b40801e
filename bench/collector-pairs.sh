#!/bin/bash
# Alternating CollectorBench runs of two checkouts (docs/benchmarks.md, "Collector CPU per event
# against 2ece10f"): new first in each pair; prints each run's stream-thread and process CPU per
# event and events/s, the pair's ratios and the load average.
# usage: bench/collector-pairs.sh <new checkout> <old checkout> <pairs> [agent jar]
# each checkout prepared once:
#   ./mvnw -o -B -q -Pbench -pl bench -am package -DskipTests
#   ./mvnw -o -B -q -Pbench -pl bench dependency:build-classpath -Dmdep.outputFile=$PWD/bench/target/cp.raw
#   sed -E 's#[^:]*/dev/tripline/tripline-([a-z-]+)/[^/]+/tripline-[^:]*\.(jar|pom)#'$PWD'/\1/target/classes#g' \
#     bench/target/cp.raw > target/cp.txt
# a checkout of 2ece10f (before CollectorBench printed CPU) needs its CollectorBench and ThreadCpu
# from a later commit compiled against its own classes into <old>/target/bench-cpu/classes, which
# this script puts first on its class path when present.
new=$(cd "$1" && pwd); old=$(cd "$2" && pwd); n=$3; agent=${4:-$new/agent/target/tripline-agent.jar}
run() { # <checkout> <label>
  local d=$1 cp
  cp=$d/bench/target/classes:$(cat "$d/target/cp.txt")
  [ -d "$d/target/bench-cpu/classes" ] && cp=$d/target/bench-cpu/classes:$cp
  (cd "$d" && java -Xmx1g -Dbench.collector.latency=false -cp "$cp" dev.tripline.bench.BenchMain \
    collector "$agent" "target/pairs-$2.md" > "target/pairs-$2.txt" 2>&1)
  rm -rf "$d"/target/bench-??????
  local f=$d/target/pairs-$2.txt
  echo "$(grep -o 'stream threads [0-9.]*' "$f" | grep -o '[0-9.]*$') $(grep -o 'process [0-9.]* s = [0-9.]*' "$f" | grep -o '[0-9.]*$') $(grep -o '[0-9,]* events/s' "$f" | head -1 | tr -d ',' | grep -o '^[0-9]*')"
}
for i in $(seq 1 "$n"); do
  l0=$(cut -d' ' -f1 /proc/loadavg)
  read -r sn pn en <<< "$(run "$new" new$i)"
  read -r so po eo <<< "$(run "$old" old$i)"
  l1=$(cut -d' ' -f1 /proc/loadavg)
  awk -v i="$i" -v t="$(date -u +%H:%M)" -v l="$l0-$l1" -v sn="$sn" -v so="$so" -v pn="$pn" -v po="$po" -v en="$en" -v eo="$eo" \
    'BEGIN { printf "pair %d %s load %s | stream µs/event %s / %s x%.2f | process µs/event %s / %s x%.2f | events/s %s / %s x%.2f\n", i, t, l, sn, so, (so>0?sn/so:0), pn, po, (po>0?pn/po:0), en, eo, (eo>0?en/eo:0) }'
done
