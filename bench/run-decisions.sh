#!/usr/bin/env bash
# Measures POST /internal/v1/decisions of a packaged governance-service on the devstack of this machine.
# Usage: bench/run-decisions.sh [rate=2000] [seconds=20] [warmup=10] [agents=200] [connections=64]
# The governance service must be packaged first: ./mvnw -B -o -pl governance-service -am install -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl bench package -DskipTests
cd bench
exec java -Xmx1g -cp "target/classes:target/lib/*" -Dkaizen.devstack.home="$(cd .. && pwd)" io.kaizen.bench.DecisionBench "$@"
