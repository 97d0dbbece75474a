#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: it runs the browser tests and renders the
# chart images. Installs it when missing and allowed (root, or password-less sudo).
# Without it: a loud warning (browser tests are skipped), or a failure when CI is set.
set -u

have_chromium() { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; }

if have_chromium; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  fi
fi

if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  echo "Installation de Chromium (paquet Debian)…"
  $SUDO apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
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
