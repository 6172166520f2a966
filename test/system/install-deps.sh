#!/usr/bin/env bash
# Installs the Debian packages the system tests use (a real MQTT broker and its
# clients, a real browser, the wabt interpreter) when running as root with apt;
# otherwise says what is missing. Part of `npm run setup`.
set -u
packages=(mosquitto mosquitto-clients chromium wabt)
declare -A provides=([mosquitto]=mosquitto [mosquitto-clients]=mosquitto_sub [chromium]=chromium [wabt]=wasm-interp)

missing=()
for p in "${packages[@]}"; do
  command -v "${provides[$p]}" >/dev/null 2>&1 || [ -x "/usr/sbin/${provides[$p]}" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system test tools present (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "setup: apt-get could not install ${missing[*]}" >&2
    exit 1
  }
  echo "setup: installed ${missing[*]}"
else
  echo "setup: system tests need ${missing[*]} (Debian: sudo apt-get install ${missing[*]});"
  echo "       without them 'npm test' skips the system tests and says so."
fi
