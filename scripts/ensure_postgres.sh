#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed:
# the tests start their own throwaway cluster with them (tests/pg.py), no system service
# is started or needed. Installs the `postgresql` package when missing and allowed (root,
# or password-less sudo). Without it: a loud warning and the PostgreSQL tests are skipped,
# or fail when CI is set.
set -u

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/postgres" ] && return 0
  done
  return 1
}

if have_server; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  fi
fi

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "Installation du paquet Debian : postgresql…"
  # The package would start its own service on a machine without a policy saying
  # otherwise; the tests do not use it, so forbid service starts during the install.
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    if printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null \
      && $SUDO chmod 755 "$policy"; then
      added_policy=1
    fi
  fi
  $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  if [ -n "$added_policy" ]; then
    $SUDO rm -f "$policy"
  fi
fi

if have_server; then
  exit 0
fi

cat >&2 <<'MSG'
************************************************************************
*  POSTGRESQL ABSENT : les tests sur PostgreSQL seront IGNORÉS         *
*  (ils ÉCHOUENT en CI).                                               *
*  Installez-le : sudo apt-get install postgresql                      *
*  ou donnez un serveur existant : SPPE_TEST_PG_URL=postgresql://…     *
************************************************************************
MSG
exit 0
