#!/usr/bin/env bash
# Installs Debian's libreoffice-calc (headless XLSX → PDF for the print-layout test) when missing.
set -euo pipefail
if command -v libreoffice >/dev/null || command -v soffice >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "libreoffice is missing and installing it needs root: sudo apt-get install -y libreoffice-calc" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
command -v libreoffice >/dev/null || command -v soffice >/dev/null
