#!/usr/bin/env bash
# Installs Debian's poppler-utils (pdftotext, pdfinfo, pdffonts) for the PDF tests when missing.
set -euo pipefail
if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null && command -v pdffonts >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "poppler-utils is missing and installing it needs root: sudo apt-get install -y poppler-utils" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
command -v pdftotext >/dev/null
