#!/usr/bin/env bash
# Makes sure the tools the deployment tests use are installed: Debian's nginx (its own
# configuration check, and a real proxy in front of the app) and systemd-analyze (the
# units' check; it works without systemd running). Installs what is missing when allowed
# (root, or password-less sudo), without starting any service. Without them: a loud
# warning and the tests concerned are skipped, or fail when CI is set.
set -u

have_nginx() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
have_analyze() { command -v systemd-analyze >/dev/null 2>&1; }

missing=()
have_nginx || missing+=(nginx)
have_analyze || missing+=(systemd)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  fi
fi

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "Installation des paquets Debian : ${missing[*]}…"
  # nginx would start its own service on a machine without a policy saying otherwise;
  # the tests run their own: forbid service starts during the install.
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    if printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null \
      && $SUDO chmod 755 "$policy"; then
      added_policy=1
    fi
  fi
  $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  if [ -n "$added_policy" ]; then
    $SUDO rm -f "$policy"
  fi
fi

if have_nginx && have_analyze; then
  exit 0
fi

cat >&2 <<'MSG'
************************************************************************
*  NGINX OU SYSTEMD-ANALYZE ABSENT : les tests de déploiement          *
*  concernés seront IGNORÉS (ils ÉCHOUENT en CI).                      *
*  Installez-les : sudo apt-get install nginx systemd                  *
************************************************************************
MSG
if [ -n "${CI:-}" ]; then
  exit 1
fi
exit 0
