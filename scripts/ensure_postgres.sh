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

# shellcheck source=apt_install.sh
. "$(dirname "$0")/apt_install.sh"
apt_install postgresql

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
