#!/usr/bin/env bash
# The failure lab, as CI runs it: install what it needs, then the live lab test.
#
#   bash tests/lab/run_lab.sh [PYTHON]            # live lab test (pytest -m lab)
#   bash tests/lab/run_lab.sh [PYTHON] --record   # re-record fixtures/lab instead
#
# PYTHON is the analyzer's interpreter (default: .venv/bin/python, as .ci/run makes it).
# Installs Debian's rabbitmq-server without starting its system service (the lab starts
# its own node on loopback), and oslo.messaging + oslo.log into the lab's own virtualenv
# (tests/lab/.venv, never the analyzer's). Needs root for apt-get when rabbitmq-server is
# missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY="${1:-.venv/bin/python}"
MODE="${2:-test}"
LAB_VENV="${PCD_LAB_VENV:-tests/lab/.venv}"

if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d answering 101 keeps the package's service from starting on install
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
fi

if [ ! -x "$LAB_VENV/bin/python" ]; then
    python3 -m venv "$LAB_VENV"
fi
# The versions the fixtures were recorded with (fixtures/lab/expected.json); override with
# PCD_LAB_OSLO="oslo.messaging oslo.log" to try the newest releases.
# shellcheck disable=SC2086 - the specifiers are meant to split
"$LAB_VENV/bin/pip" install -q ${PCD_LAB_OSLO:-oslo.messaging==18.3.1 oslo.log==8.3.2}

export PCD_LAB_PYTHON="$PWD/$LAB_VENV/bin/python"
if [ "$MODE" = "--record" ]; then
    exec "$PY" -m tests.lab.driver --python "$PCD_LAB_PYTHON" --out fixtures/lab
fi
exec "$PY" -m pytest -q -p no:cacheprovider -m lab tests/lab
