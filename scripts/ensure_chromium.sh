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

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  fi
fi

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "Installation des paquets Debian : ${missing[*]}…"
  $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

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
