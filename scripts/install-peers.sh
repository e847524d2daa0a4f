#!/usr/bin/env bash
# Installs the real mail software the interop tests talk to (Debian packages): Dovecot
# (IMAP, POP3), Postfix's smtp-sink/smtp-source, aiosmtpd, swaks, msmtp, fetchmail, mbsync.
# Nothing is started or enabled here; the tests start private instances on loopback.
# Idempotent: it installs only what is missing. Needs root (CI and the dev machines are).
set -euo pipefail

packages=(dovecot-imapd dovecot-pop3d postfix python3-aiosmtpd swaks msmtp fetchmail isync curl openssl)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all present"
  exit 0
fi

echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself; we only want its smtp-sink/smtp-source tools.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-peers: done"
