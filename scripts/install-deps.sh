#!/usr/bin/env bash
# What building and testing guard needs on Debian 12 (run as root): the two C libraries
# guard links, runc (loads the OCI profiles `guard profile` writes), strace (the profile
# benchmark's baseline) and the real Lambda runtime client the bootstrap tests drive.
set -euo pipefail
need=()
for pkg in libseccomp-dev libjansson-dev pkg-config runc strace python3 python3-pip util-linux; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c 'import awslambdaric' 2>/dev/null || python3 -m pip install -q awslambdaric 2>/dev/null \
    || python3 -m pip install -q --break-system-packages awslambdaric
