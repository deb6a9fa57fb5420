#!/bin/sh
# check-deb.sh DEB: install the .deb that `make release-snapshot` built, run
# the daemon from it, and remove it, all inside a private mount and network
# namespace, so this machine is left as it was: /etc, /usr and /var are
# overlays over temporary directories, and the network is a loopback of its
# own.
#
# It checks that the package installs /usr/bin/foyer and the unit, that its
# postinstall script creates the foyer user and /var/lib/foyer (0700, owned
# by foyer) and starts nothing, that the unit passes systemd-analyze verify,
# that the daemon runs as foyer with only CAP_NET_BIND_SERVICE (as the unit
# runs it) and binds ports 80 and 443, and that removing the package keeps
# the user and the data. systemd itself is not run: the unit's sandboxing is
# checked by systemd-analyze, not exercised.
#
# Needs root, unshare, dpkg, setpriv, ip and curl. Run by `make
# release-snapshot` when those are present.
set -eu

deb=${1:?usage: check-deb.sh FILE.deb}
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

if [ "${FOYER_CHECK_DEB_INSIDE:-}" != 1 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	FOYER_CHECK_DEB_INSIDE=1 FOYER_CHECK_DEB_TMP=$tmp unshare --mount --net --pid --fork --mount-proc "$0" "$deb"
	exit
fi

tmp=$FOYER_CHECK_DEB_TMP
unset FOYER_DATA STATE_DIRECTORY
fail() { echo "check-deb: $*" >&2; exit 1; }

for d in etc usr var; do
	mkdir -p "$tmp/$d.upper" "$tmp/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$tmp/$d.upper,workdir=$tmp/$d.work" "/$d"
done
ip link set lo up
# A private /run: the package scripts see no running systemd.
mount -t tmpfs tmpfs /run

! getent passwd foyer >/dev/null || fail "a foyer user exists before the install"
dpkg -i "$deb" >/dev/null

[ -x /usr/bin/foyer ] || fail "no /usr/bin/foyer after the install"
[ -f /usr/lib/systemd/system/foyer.service ] || fail "no unit after the install"
getent passwd foyer >/dev/null || fail "postinstall did not create the foyer user"
[ "$(stat -c '%a %U:%G' /var/lib/foyer)" = "700 foyer:foyer" ] ||
	fail "/var/lib/foyer is $(stat -c '%a %U:%G' /var/lib/foyer), want 700 foyer:foyer"
! pgrep -x foyer >/dev/null || fail "installing started foyer"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /usr/lib/systemd/system/foyer.service || fail "systemd-analyze verify"
fi
echo "check-deb: installed $(/usr/bin/foyer version)"

# Run the daemon as the unit does: user foyer, CAP_NET_BIND_SERVICE only,
# no new privileges, its data directory from STATE_DIRECTORY.
STATE_DIRECTORY=/var/lib/foyer setpriv --reuid foyer --regid foyer --init-groups \
	--inh-caps -all,+net_bind_service --ambient-caps -all,+net_bind_service \
	--bounding-set -all,+net_bind_service --no-new-privs \
	/usr/bin/foyer serve --log-level warn >"$tmp/serve.log" 2>&1 &
pid=$!
i=0
until curl -fsS http://127.0.0.1:9090/readyz >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/serve.log" >&2; fail "the daemon was not ready within 10s"; }
	kill -0 $pid 2>/dev/null || { cat "$tmp/serve.log" >&2; fail "the daemon exited"; }
	sleep 0.1
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: nobody.example' http://127.0.0.1:80/)
[ "$code" = 404 ] || fail "GET :80 for an unknown host: $code, want 404 from foyer"
rc=0
curl -sk -o /dev/null https://127.0.0.1:443/ || rc=$?
[ $rc -ne 7 ] || fail "nothing listens on :443"
/usr/bin/foyer status >/dev/null || fail "foyer status (as root, through admin.sock)"
[ "$(stat -c '%U' /var/lib/foyer/foyer.db)" = foyer ] || fail "foyer.db is not owned by foyer"
kill -TERM $pid
wait $pid || fail "the daemon did not stop cleanly on SIGTERM: $(cat "$tmp/serve.log")"
echo "check-deb: the daemon ran as foyer on :80 and :443 and stopped on SIGTERM"

dpkg -r foyer >/dev/null
[ ! -e /usr/bin/foyer ] || fail "/usr/bin/foyer is still there after removal"
getent passwd foyer >/dev/null || fail "removal deleted the foyer user"
[ -f /var/lib/foyer/foyer.db ] || fail "removal deleted /var/lib/foyer/foyer.db"
echo "check-deb: removed; the foyer user and /var/lib/foyer are kept"
