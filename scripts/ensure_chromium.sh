#!/usr/bin/env bash
# Makes sure Debian's Chromium (browser tests, chart images) and the DejaVu fonts (the
# PDF deck's text and status symbols) are installed. Installs what is missing when
# allowed (root, or password-less sudo). Without Chromium: a loud warning (browser tests
# are skipped, image export is unavailable), or a failure when CI is set.
set -u

have_chromium() { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; }
have_fonts() { [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }

missing=()
have_chromium || missing+=(chromium)
have_fonts || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# shellcheck source=apt_install.sh
. "$(dirname "$0")/apt_install.sh"
apt_install "${missing[@]}"

if ! have_fonts; then
  echo "Polices DejaVu absentes : le PDF du dossier COPIL utilisera Helvetica." >&2
fi
if have_chromium; then
  exit 0
fi

cat >&2 <<'MSG'
************************************************************************
*  CHROMIUM ABSENT : les tests navigateur seront IGNORÉS et l'export   *
*  des graphiques en image sera indisponible.                          *
*  Installez-le : sudo apt-get install chromium                        *
************************************************************************
MSG
if [ -n "${CI:-}" ]; then
  echo "CI : Chromium est obligatoire." >&2
  exit 1
fi
exit 0
