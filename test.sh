#!/usr/bin/env bash
# The README's test command, and what .ci/run calls: every test of the solution. The distributed trainer's
# tests run PyTorch under the system Python (/usr/bin/python3); on Debian 12 that is python3-torch, installed
# here when missing (as root: CI and fresh machines), so this script stays the whole set-up.
set -euo pipefail
cd "$(dirname "$0")"
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: the distributed trainer's tests need PyTorch for /usr/bin/python3, which cannot import it." >&2
    echo "test.sh: run this script as root to install it, or install it yourself: sudo apt-get install -y python3-torch" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # libopenblas0: an optimized BLAS for PyTorch's and numpy's matrix products, in place of the reference one.
  apt-get install -y -q --no-install-recommends python3-torch python3-numpy libopenblas0
  /usr/bin/python3 -c "import torch; print('test.sh: PyTorch', torch.__version__)"
fi
exec dotnet test ModelDsl.sln "$@"
