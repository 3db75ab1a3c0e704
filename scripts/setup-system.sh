#!/usr/bin/env bash
# Debian packages chitieu's tests and reports need beyond Python: a font with
# complete Vietnamese diacritics (PDF fixtures and reports), the Pango and
# HarfBuzz libraries WeasyPrint writes PDFs with, poppler-utils (pdftotext and
# pdftoppm, which the report tests read PDFs with) and Chromium, which
# the browser tests drive through Playwright (Playwright's own browser download
# is never used). Installs what is missing when run as root; otherwise says
# what to install.
set -euo pipefail

packages=(fonts-dejavu-core chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "chitieu needs these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
