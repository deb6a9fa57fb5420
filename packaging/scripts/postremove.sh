#!/bin/sh
# foyer package: after removal or upgrade. Reloads systemd so it forgets the
# removed unit. The foyer user and /var/lib/foyer (certificates, keys,
# tenants) are kept; docs/install.md says how to delete them.
set -e

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
