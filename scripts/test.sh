#!/usr/bin/env bash
# Everything the test suite needs, then the suite itself. Run as root on Debian for the realnet tests
# (network namespaces with real FRR, ExaBGP and OpenSSH); elsewhere those are skipped (and CI=true fails on skips).
set -euo pipefail
cd "$(dirname "$0")/.."

# `--unit`: the fast folder alone (pure tests, no sockets, no daemons), in the existing venv
if [ "${1:-}" = "--unit" ]; then
    shift
    [ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/python -m pip install -q -e '.[test]'; }
    exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit "$@"
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    # never let package installs start daemons on the host: the tests start their own, in namespaces
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends tmux frr exabgp openssh-server openssh-client iproute2 procps prometheus >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check tftui tests benchmarks scripts
.venv/bin/lint-imports --config pyproject.toml
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
for bench in benchmarks/bench_*.py; do
    [ -e "$bench" ] || continue
    echo "== $bench --quick"
    .venv/bin/python "$bench" --quick
done
# two minutes of the UI on the churning lab: fails on growing fds, tasks, RSS (UI or poller, > 5 %), or log errors
echo "== benchmarks/soak.py --quick"
.venv/bin/python benchmarks/soak.py --quick
