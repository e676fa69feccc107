#!/usr/bin/env bash
# Sets BondBench up on a Debian machine: the Debian packages, node modules (without Electron's binary), the build
# and the lab's guest image. Idempotent: what is already there is kept. Used by the README's commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu/kernel/userland for the virtual lab; libpcap for capture (cap); tshark/tcpdump to check pcapng and timestamps;
# chromium for the browser tests and PDF reports; poppler-utils to check PDFs; pdudaemon and snmpd are real
# power/link controllers the driver tests start on their own (never as system services); a CJK font so Chinese
# reports print.
# g++-mingw-w64 type-checks the cap patch's Windows (Npcap) branch and makensis compiles the installer's Npcap
# check: no machine here can build or run either for real.
PACKAGES=(
  qemu-system-x86 qemu-utils busybox-static dropbear-bin bash-static iproute2 kmod cpio e2fsprogs
  socat iputils-ping openssh-client libpcap-dev tcpdump tshark chromium poppler-utils
  python3 make g++
  pdudaemon snmpd snmp fonts-wqy-microhei
  g++-mingw-w64-x86-64-posix nsis
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run this script as root (sudo bash scripts/setup.sh), or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer before it asks.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update -qq
  # Packages must not start their daemons (pdudaemon would listen on 0.0.0.0): the tests start their own.
  policy_rc_d=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_rc_d=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$policy_rc_d" ] || rm -f /usr/sbin/policy-rc.d
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: BondBench needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Electron's binary cannot be downloaded everywhere; the bench runs without it (browser mode, CLI).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
echo "setup: build"
npm run --silent build

if [ "$(id -u)" = 0 ]; then
  node bin/bondbench.mjs lab image >/dev/null
  echo "setup: guest image ready"
else
  echo "setup: not root: the lab's guest image will be built on the first 'bondbench lab up' (which needs root)"
fi
echo "setup: done"
