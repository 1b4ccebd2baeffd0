#!/usr/bin/env bash
# Remakes the lock files from pyproject.toml, for Python 3.11 on Linux x86-64 (glibc 2.28 or
# later), every file with its hashes, with uv (uv on the PATH, or .venv/bin/pip install uv):
#   test.lock  the project with its app and test extras (the README's test command, CI);
#   base.lock  the project alone (the README's run command), at test.lock's versions.
# A lock that already exists keeps its versions where pyproject.toml still allows them; pass
# --upgrade to take the newest releases pyproject.toml allows. tests/unit/test_lock.py fails
# while pyproject.toml and the locks disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=$(command -v uv || echo .venv/bin/uv)
common=(--python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes
        --custom-compile-command "bash requirements/lock.sh" --quiet "$@")
"$uv" pip compile pyproject.toml --extra app --extra test "${common[@]}" -o requirements/test.lock
"$uv" pip compile pyproject.toml --constraint requirements/test.lock "${common[@]}" \
    -o requirements/base.lock
