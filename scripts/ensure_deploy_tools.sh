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

# shellcheck source=apt_install.sh
. "$(dirname "$0")/apt_install.sh"
apt_install "${missing[@]}"

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
