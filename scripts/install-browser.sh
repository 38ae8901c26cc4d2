#!/bin/sh
# Installs the headless browser the service tests drive (Debian's chromium, used by Playwright
# through executable_path; `playwright install` is never run). CI runs as root.
set -e
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
else
    echo "install-browser: /usr/bin/chromium is missing; install Debian's chromium and" \
         "chromium-driver as root (the service browser tests need them)" >&2
    exit 1
fi
