#!/bin/sh
# foyer package: after install or upgrade (.deb: "configure"; .rpm: 1 or 2).
# Creates the foyer system user and group and the data directory
# /var/lib/foyer (0700, owned by foyer). It starts nothing: the operator
# runs `systemctl enable --now foyer` when ready, and after an upgrade
# `systemctl restart foyer` (the daemon drains in-flight requests first).
set -e

case "$1" in
	abort-upgrade|abort-remove|abort-deconfigure) exit 0 ;;
esac

nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/sbin/nologin
[ -x "$nologin" ] || nologin=/bin/false

if ! getent group foyer >/dev/null 2>&1; then
	groupadd --system foyer
fi
if ! getent passwd foyer >/dev/null 2>&1; then
	useradd --system --gid foyer --home-dir /var/lib/foyer --no-create-home \
		--shell "$nologin" --comment "foyer reverse proxy" foyer
fi

# The directory only: data already in it keeps its owner and modes.
mkdir -p /var/lib/foyer
chown foyer:foyer /var/lib/foyer
chmod 0700 /var/lib/foyer

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload || true
fi
exit 0
