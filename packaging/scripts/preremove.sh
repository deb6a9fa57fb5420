#!/bin/sh
# foyer package: before removal (.deb: "remove"; .rpm: 0) or upgrade
# (.deb: "upgrade"; .rpm: 1). Stops and disables the service on removal
# only; an upgrade leaves the running daemon alone.
set -e

case "$1" in
	remove|0)
		if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
			systemctl disable --now foyer.service >/dev/null 2>&1 || true
		fi
		;;
esac
exit 0
