# Sourced by the ensure_*.sh scripts: apt_install PACKAGE... installs Debian packages when
# allowed (root, or password-less sudo), without starting any service they ship (the
# tests start their own servers). Returns non-zero when it could not try.
apt_install() {
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      return 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "Installation des paquets Debian : $*…"
  # A package such as nginx or postgresql would start its service on a machine without a
  # policy saying otherwise: forbid service starts during the install.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ]; then
    if printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null \
      && $sudo chmod 755 "$policy"; then
      added_policy=1
    fi
  fi
  $sudo apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
  local status=$?
  if [ -n "$added_policy" ]; then
    $sudo rm -f "$policy"
  fi
  return $status
}
