#!/usr/bin/env bash
# bench/run.sh: side-by-side load test of foyer against Caddy, nginx, HAProxy, a bare Go
# httputil.ReverseProxy and the backends themselves, on loopback. Rows: HTTP/1.1 keep-alive, HTTPS
# keep-alive, new TLS connections, HTTP/2 over TLS, a 16 KiB body; then a config change under load
# per proxy. See bench/README.md for the knobs and how to read the tables. Speed targets are
# reported, never asserted: the script exits 0 when the runs completed.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # "&" in a ${v//p/r} replacement stays "&"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"

QUICK=${QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
	ROUNDS=${ROUNDS:-1}
	DURATION=${DURATION:-2s}
	WARMUP=${WARMUP:-0}
	CHANGE_DURATION=${CHANGE_DURATION:-4s}
	DOCS_DEFAULT=0
else
	ROUNDS=${ROUNDS:-3}
	DURATION=${DURATION:-10s}
	WARMUP=${WARMUP:-1s}
	CHANGE_DURATION=${CHANGE_DURATION:-10s}
	DOCS_DEFAULT=1
fi
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
TENANTS=${TENANTS:-100}
ROWS=${ROWS:-"http https tlsnew h2 body16k"}
PROXIES=${PROXIES-"caddy nginx haproxy"} # empty: none
H2_CONNS=${H2_CONNS:-50}
H2_STREAMS=${H2_STREAMS:-10}
CHANGE=${CHANGE:-1}
CHANGE_RATE=${CHANGE_RATE:-500}
FOYER_ARGS=${FOYER_ARGS:-}
FOYER_ENGINES=${FOYER_ENGINES:-}
PROFILE=${PROFILE:-0}
CORES=$(nproc)
# The record in docs/performance.md is replaced only by a whole run: a run with fewer rows,
# proxies, rounds or seconds leaves it alone unless DOCS=1 says otherwise.
if [[ "$ROWS" != "http https tlsnew h2 body16k" || "$PROXIES" != "caddy nginx haproxy" ||
	"$ROUNDS" != 3 || "$DURATION" != 10s || "$TENANTS" != 100 ]]; then
	DOCS_DEFAULT=0
fi
DOCS=${DOCS:-$DOCS_DEFAULT}

[[ "$DURATION" =~ ^[0-9]+s$ ]] || { echo "bench: DURATION must be whole seconds like 10s (got $DURATION)" >&2; exit 2; }
[[ "$CHANGE_DURATION" =~ ^[0-9]+s$ ]] || { echo "bench: CHANGE_DURATION must be whole seconds like 10s" >&2; exit 2; }
((TENANTS >= 1 && TENANTS <= 1000)) || { echo "bench: TENANTS must be 1..1000" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/foyer-bench.XXXXXX")
CERTS="$TMP/certs"
PIDS=()
USED=""
declare -A HP SP PID OPS DATA DESC

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'bench: WARNING: %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

# stop ends one process this script started and its children (nginx and HAProxy workers): TERM,
# up to 10 s to exit, then KILL.
stop() {
	local p=$1 kids i
	kill -0 "$p" 2>/dev/null || return 0
	kids=$(pgrep -P "$p" || true)
	kill "$p" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$p" 2>/dev/null || true
	# shellcheck disable=SC2086
	[[ -z "$kids" ]] || kill -KILL $kids 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# cleanup stops every process this script started, then removes the temp dir.
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	[[ -z "${LOAD_PID:-}" ]] || kill "$LOAD_PID" 2>/dev/null || true
	[[ -z "${PROF_PID:-}" ]] || kill "$PROF_PID" 2>/dev/null || true
	for p in "${PIDS[@]}"; do stop "$p"; done
	if [[ "${KEEP_TMP:-0}" == 1 ]]; then
		log "kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port prints a loopback TCP port below the kernel's ephemeral range (so no outgoing
# connection of this test holds it) that no socket uses and that is not among its arguments
# (bounded tries).
free_port() {
	local i p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	((lo > 11000)) || lo=61000
	for ((i = 0; i < 200; i++)); do
		p=$((10000 + RANDOM % (lo - 10000)))
		[[ " $* " != *" $p "* ]] || continue
		if [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free loopback port found"
}

# new_port sets the variable named $1 to a free port no other target of this run was given.
new_port() {
	local np
	# shellcheck disable=SC2086
	np=$(free_port $USED)
	USED+=" $np"
	printf -v "$1" '%s' "$np"
}

# wait_http waits up to 30 s for URL to answer 200 (WANT: any HTTP answer when "any"); PID must
# stay alive meanwhile.
wait_http() {
	local url=$1 pid=$2 name=$3 want=${4:-200} i code
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || {
			tail -n 30 "$TMP/$name.log" >&2 || true
			die "$name exited before it was ready (log above, from $TMP/$name.log)"
		}
		code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" || true)
		[[ $code == 200 || ($want == any && $code != 000) ]] && return
		sleep 0.1
	done
	tail -n 30 "$TMP/$name.log" >&2 || true
	die "$name not ready at $url after 30 s"
}

# tree prints PID and its children (nginx and HAProxy run their workers as children).
tree() { echo "$1" $(pgrep -P "$1" || true); }

# cpu_seconds prints the user+system CPU seconds of the given PIDs, summed (whole thread groups).
cpu_seconds() {
	local tck total=0 p ticks
	tck=$(getconf CLK_TCK)
	for p in "$@"; do
		# Fields after the ")" that ends comm: utime and stime are fields 14 and 15 of stat.
		ticks=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		total=$((total + ${ticks:-0}))
	done
	awk -v t="$total" -v h="$tck" 'BEGIN { printf "%.4f", t / h }'
}

# rss_kib prints the summed VmRSS of the given PIDs in KiB.
rss_kib() {
	local p
	for p in "$@"; do cat "/proc/$p/status" 2>/dev/null; done | awk '/^VmRSS:/ { s += $2 } END { print s + 0 }'
}

# ensure_tools installs what is missing from Debian (apt-get update only if the install fails). The
# packages' service units are never started: each server runs below as a child of this script.
ensure_tools() {
	local want=() sudo=() p
	command -v wrk >/dev/null || want+=(wrk)
	command -v h2load >/dev/null || want+=(nghttp2-client)
	for p in $PROXIES; do command -v "$p" >/dev/null || want+=("$p"); done
	command -v unshare >/dev/null || want+=(util-linux)
	((${#want[@]} > 0)) || return 0
	[[ $(id -u) == 0 ]] || sudo=(sudo)
	log "installing ${want[*]} (apt-get install -y)"
	if ! "${sudo[@]}" apt-get install -y "${want[@]}" >"$TMP/apt.log" 2>&1; then
		"${sudo[@]}" apt-get update >>"$TMP/apt.log" 2>&1 || true
		"${sudo[@]}" apt-get install -y "${want[@]}" >>"$TMP/apt.log" 2>&1 ||
			{ tail -n 20 "$TMP/apt.log" >&2; die "could not install ${want[*]}; install them and rerun"; }
	fi
}

# ns runs a command with a private /etc/hosts that maps every tN.test to 127.0.0.1, in its own
# mount namespace (nothing outside it sees the change). wrk and h2load send the URL's host as SNI,
# so HTTPS load needs the tenant's name in the URL.
ns() { unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$TMP/hosts" "$@"; }

build() {
	log "building foyer and bench/{backend,bareproxy,baretls,certgen,changeload} into $TMP"
	if [[ -n "${FOYER_BIN:-}" ]]; then
		cp "$FOYER_BIN" "$TMP/foyer" || die "FOYER_BIN=$FOYER_BIN: cannot copy it"
	else
		local commit
		commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)
		git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || commit+="-dirty"
		(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=bench -X main.commit=$commit" \
			-o "$TMP/foyer" ./cmd/foyer) || die "build failed (output above)"
	fi
	(cd "$ROOT" &&
		for c in backend bareproxy baretls certgen changeload; do
			CGO_ENABLED=0 go build -trimpath -o "$TMP/$c" "./bench/$c" || exit 1
		done) || die "build failed (output above)"
}

# certs writes the test CA and one leaf per host (t0 .. t<TENANTS>, one more than the tenants for
# the tenant the change phase adds) and the private hosts file for ns.
certs() {
	"$TMP/certgen" -dir "$CERTS" -n $((TENANTS + 1)) || die "certgen failed"
	local i
	{
		echo "127.0.0.1 localhost"
		for ((i = 0; i <= TENANTS; i++)); do echo "127.0.0.1 t$i.test"; done
	} >"$TMP/hosts"
	ns true 2>"$TMP/ns.log" || die "unshare --mount failed ($(cat "$TMP/ns.log")): the HTTPS rows need a private /etc/hosts; run as root"
}

start_refs() {
	local p
	new_port B1_PORT
	new_port B2_PORT
	"$TMP/backend" -addr "127.0.0.1:$B1_PORT" >"$TMP/backend1.log" 2>&1 &
	B1_PID=$!
	PIDS+=("$B1_PID")
	"$TMP/backend" -addr "127.0.0.1:$B2_PORT" >"$TMP/backend2.log" 2>&1 &
	B2_PID=$!
	PIDS+=("$B2_PID")
	wait_http "http://127.0.0.1:$B1_PORT/" "$B1_PID" backend1
	wait_http "http://127.0.0.1:$B2_PORT/" "$B2_PID" backend2
	BACKENDS="http://127.0.0.1:$B1_PORT,http://127.0.0.1:$B2_PORT"
	HP[backend]=$B1_PORT

	# HTTPS ceiling: baretls answering itself, with the same certificates.
	new_port p
	"$TMP/baretls" -addr "127.0.0.1:$p" -certs "$CERTS" >"$TMP/backend-tls.log" 2>&1 &
	BT_PID=$!
	PIDS+=("$BT_PID")
	SP[backend]=$p

	new_port p
	"$TMP/bareproxy" -addr "127.0.0.1:$p" -backends "$BACKENDS" >"$TMP/bareproxy.log" 2>&1 &
	PID[bareproxy]=$!
	PIDS+=("$!")
	HP[bareproxy]=$p
	wait_http "http://127.0.0.1:$p/" "${PID[bareproxy]}" bareproxy
	new_port p
	"$TMP/baretls" -addr "127.0.0.1:$p" -certs "$CERTS" -backends "$BACKENDS" >"$TMP/bareproxy-tls.log" 2>&1 &
	BPT_PID=$!
	PIDS+=("$BPT_PID")
	SP[bareproxy]=$p
}

# fy runs one foyer CLI command against the daemon of data dir $1 and aborts with its output on
# failure.
fy() {
	local data=$1 out
	shift
	out=$(timeout 60 "$TMP/foyer" --data "$data" "$@" 2>&1) || die "foyer $* failed: $out"
}

# start_foyer starts a foyer target NAME with extra serve flags, then configures the tenants and
# imports one certificate per host through its CLI.
start_foyer() {
	local name=$1 data="$TMP/data-$1" hp sp op i
	shift
	new_port hp
	new_port sp
	new_port op
	mkdir -p "$data"
	log "starting $name on 127.0.0.1:$hp and :$sp (ops :$op)${*:+ with $*}"
	HP[$name]=$hp SP[$name]=$sp OPS[$name]=$op DATA[$name]=$data
	serve_foyer "$name" "$@"

	log "configuring $TENANTS tenants and importing $((TENANTS + 1)) certificates into $name (CLI)"
	fy "$data" settings set base-domain test
	for ((i = 0; i < TENANTS; i++)); do
		fy "$data" tenant add "t$i"
		fy "$data" backend add "t$i" "http://127.0.0.1:$B1_PORT"
		fy "$data" backend add "t$i" "http://127.0.0.1:$B2_PORT"
	done
	for ((i = 0; i <= TENANTS; i++)); do
		fy "$data" cert add "t$i.test" --cert "$CERTS/t$i.test.crt" --key "$CERTS/t$i.test.key"
	done
	sleep 1 # let the last rebuild land before the idle RSS is read
	CONF_RSS[$name]=$(rss_kib "${PID[$name]}")
	# Idle RSS as an operator sees it after a restart, without the garbage of 400 config changes.
	stop "${PID[$name]}"
	serve_foyer "$name" "$@"
	sleep 2
	IDLE_RSS[$name]=$(rss_kib "${PID[$name]}")
}
declare -A IDLE_RSS CONF_RSS

# serve_foyer starts foyer target NAME on its ports and data dir with extra serve flags and waits
# until it is ready.
serve_foyer() {
	local name=$1
	shift
	"$TMP/foyer" serve --data "${DATA[$name]}" --http "127.0.0.1:${HP[$name]}" --https "127.0.0.1:${SP[$name]}" \
		--ops "127.0.0.1:${OPS[$name]}" "$@" >>"$TMP/$name.log" 2>&1 &
	PID[$name]=$!
	PIDS+=("$!")
	wait_http "http://127.0.0.1:${OPS[$name]}/readyz" "${PID[$name]}" "$name"
}

# fill prints template $1 with every @KEY@ replaced by VALUE for each KEY=VALUE argument.
fill() {
	local text kv
	text=$(<"$1")
	shift
	for kv in "$@"; do text=${text//@${kv%%=*}@/${kv#*=}}; done
	printf '%s\n' "$text"
}

# servers prints proxy $1's backend lines for tenant $2; with CHANGED=1, t0 has lost backend 2.
servers() {
	local two=1
	[[ "${CHANGED:-0}" == 1 && "$2" == 0 ]] && two=0
	case $1 in
	nginx)
		printf '    server 127.0.0.1:%s;' "$B1_PORT"
		((two)) && printf '\n    server 127.0.0.1:%s;' "$B2_PORT"
		;;
	haproxy)
		printf '    server b1 127.0.0.1:%s' "$B1_PORT"
		((two)) && printf '\n    server b2 127.0.0.1:%s' "$B2_PORT"
		;;
	caddy)
		printf '{"dial": "127.0.0.1:%s"}' "$B1_PORT"
		((two)) && printf ', {"dial": "127.0.0.1:%s"}' "$B2_PORT"
		;;
	esac
	return 0
}

# render writes proxy $1's configuration for tenants 0..$2-1 (the change phase passes one more
# tenant and CHANGED=1).
render() {
	local p=$1 n=$2 i common
	common=("TMP=$TMP" "CERTS=$CERTS" "HTTP_PORT=${HP[$p]}" "HTTPS_PORT=${SP[$p]}" "CORES=$CORES")
	case $p in
	nginx)
		fill "$BENCH/proxies/nginx.conf" "${common[@]}" "TENANTS_FILE=$TMP/nginx-tenants.conf" >"$TMP/nginx.conf"
		for ((i = 0; i < n; i++)); do
			fill "$BENCH/proxies/nginx-tenant.conf" "${common[@]}" "I=$i" "SERVERS=$(servers nginx $i)"
		done >"$TMP/nginx-tenants.conf"
		;;
	haproxy)
		{
			fill "$BENCH/proxies/haproxy.cfg" "${common[@]}" "MAP=$TMP/haproxy-hosts.map"
			for ((i = 0; i < n; i++)); do
				fill "$BENCH/proxies/haproxy-tenant.cfg" "I=$i" "SERVERS=$(servers haproxy $i)"
			done
		} >"$TMP/haproxy.cfg.new"
		for ((i = 0; i < n; i++)); do echo "t$i.test t$i"; done >"$TMP/haproxy-hosts.map"
		mv "$TMP/haproxy.cfg.new" "$TMP/haproxy.cfg"
		;;
	caddy)
		# JSON, not a Caddyfile: see bench/README.md (one access logger for every host).
		local routes="" files=""
		for ((i = 0; i < n; i++)); do
			routes+="${routes:+,
}$(fill "$BENCH/proxies/caddy-route.json" "I=$i" "SERVERS=$(servers caddy $i)")"
			files+="${files:+, }{\"certificate\": \"$CERTS/t$i.test.crt\", \"key\": \"$CERTS/t$i.test.key\"}"
		done
		fill "$BENCH/proxies/caddy.json" "${common[@]}" "ADMIN_PORT=$CADDY_ADMIN" "ROUTES=$routes" \
			"CERT_FILES=$files" >"$TMP/caddy.json"
		;;
	esac
}

caddy_env() { env HOME="$TMP/caddy-home" XDG_DATA_HOME="$TMP/caddy-home" XDG_CONFIG_HOME="$TMP/caddy-home" "$@"; }

# start_proxy starts Caddy, nginx or HAProxy as a child of this script with its config in $TMP.
start_proxy() {
	local p=$1 hp sp
	new_port hp
	new_port sp
	HP[$p]=$hp SP[$p]=$sp
	case $p in
	nginx)
		mkdir -p "$TMP/nginx-tmp"
		render nginx "$TENANTS"
		nginx -t -q -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 ||
			{ cat "$TMP/nginx.log" >&2; die "nginx -t refused the generated config ($TMP/nginx.conf)"; }
		nginx -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >>"$TMP/nginx.log" 2>&1 &
		;;
	haproxy)
		render haproxy "$TENANTS"
		haproxy -c -q -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 ||
			{ cat "$TMP/haproxy.log" >&2; die "haproxy -c refused the generated config ($TMP/haproxy.cfg)"; }
		# The access log goes to the worker's stdout.
		haproxy -W -f "$TMP/haproxy.cfg" >"$TMP/haproxy-access.log" 2>"$TMP/haproxy.log" &
		;;
	caddy)
		new_port CADDY_ADMIN
		mkdir -p "$TMP/caddy-home"
		render caddy "$TENANTS"
		caddy_env caddy run --config "$TMP/caddy.json" >"$TMP/caddy.log" 2>&1 &
		;;
	esac
	PID[$p]=$!
	PIDS+=("$!")
	log "starting $p on 127.0.0.1:$hp and :$sp (pid ${PID[$p]})"
	wait_http "http://127.0.0.1:$hp/" "${PID[$p]}" "$p" any
}

versions() {
	DESC[backend]="bench/backend (HTTP), bench/baretls (HTTPS), $(go env GOVERSION)"
	DESC[bareproxy]="httputil.ReverseProxy, $(go env GOVERSION)"
	local f
	for f in $FOYERS; do DESC[$f]="$("$TMP/foyer" version 2>/dev/null | head -n 1)${FOYER_ARGS:+, serve $FOYER_ARGS}"; done
	[[ -z "${PID[caddy]:-}" ]] || DESC[caddy]="Caddy $(caddy version | awk '{ print $1 }')"
	[[ -z "${PID[nginx]:-}" ]] || DESC[nginx]="$(nginx -v 2>&1 | sed 's/^nginx version: //')"
	[[ -z "${PID[haproxy]:-}" ]] || DESC[haproxy]="HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }')"
	TOOLS="wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'), h2load $(h2load --version | awk '{ print $2 }')"
}

# check_get asserts that target $1 answers 200 for tenant $3 over scheme $2.
check_get() {
	local t=$1 scheme=$2 i=$3 code
	if [[ $scheme == http ]]; then
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -H "Host: t$i.test" "http://127.0.0.1:${HP[$t]}/" || true)
	else
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' --cacert "$CERTS/ca.crt" \
			--resolve "t$i.test:${SP[$t]}:127.0.0.1" "https://t$i.test:${SP[$t]}/" || true)
	fi
	[[ "$code" == 200 ]] && return
	tail -n 20 "$TMP/$t.log" >&2 2>/dev/null || true
	die "pre-flight: $t answered $code for t$i.test over $scheme (want 200; its log above)"
}

# preflight checks that every target routes the tenants to the backends over HTTP and HTTPS.
preflight() {
	local t i
	for t in "${TARGETS[@]}"; do
		for i in 0 $((TENANTS / 2)) $((TENANTS - 1)); do
			check_get "$t" http "$i"
			check_get "$t" https "$i"
		done
	done
	for t in $FOYERS; do
		for ((i = 0; i < TENANTS; i++)); do check_get "$t" http "$i"; done
	done
	log "pre-flight: every target answered 200 over HTTP and HTTPS ($FOYERS: all $TENANTS tenants)"
}

# pids_of prints the processes whose CPU and memory are charged to target $1 on row $2.
pids_of() {
	local t=$1 row=$2
	case $t/$row in
	backend/http | backend/body16k) echo "$B1_PID $B2_PID" ;;
	backend/*) echo "$BT_PID" ;;
	bareproxy/http | bareproxy/body16k) echo "${PID[bareproxy]}" ;;
	bareproxy/*) echo "$BPT_PID" ;;
	*) tree "${PID[$t]}" ;;
	esac
}

# to_ms converts a wrk latency such as 850.00us, 1.23ms or 1.02s to milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else { printf "nan" }
	}'
}

# load runs row $1's load generator against target $2 for $3 and writes its output to $4; it
# prints "requests rps p50_ms p99_ms non2xx errors".
load() {
	local row=$1 t=$2 dur=$3 out=$4 url lim
	lim=(timeout -k 5 $((${dur%s} + 60))) # a hung generator cannot stall the run
	case $row in
	http | body16k)
		url="http://127.0.0.1:${HP[$t]}/"
		[[ $row == body16k ]] && url+="?size=16384"
		BENCH_TENANTS=$TENANTS "${lim[@]}" wrk --latency -t"$THREADS" -c"$CONNS" -d"$dur" -s "$BENCH/hosts.lua" \
			"$url" >"$out" 2>&1 &
		;;
	https) ns "${lim[@]}" wrk --latency -t"$THREADS" -c"$CONNS" -d"$dur" "https://t0.test:${SP[$t]}/" >"$out" 2>&1 & ;;
	tlsnew)
		ns "${lim[@]}" wrk --latency -t"$THREADS" -c"$CONNS" -d"$dur" -H "Connection: close" \
			"https://t0.test:${SP[$t]}/" >"$out" 2>&1 &
		;;
	h2)
		ns "${lim[@]}" h2load -t"$THREADS" -c"$H2_CONNS" -m"$H2_STREAMS" -D"${dur%s}" --log-file="$out.log" \
			"https://t0.test:${SP[$t]}/" >"$out" 2>&1 &
		;;
	esac
	# The load generator runs in the background so that a signal reaches our trap at once.
	LOAD_PID=$!
	wait "$LOAD_PID" || { cat "$out" >&2; die "load generator failed against $t on row $row"; }
	LOAD_PID=
	if [[ $row == h2 ]]; then
		local reqs rps non2xx p50 p99
		reqs=$(awk '/^requests:/ { print $8 + 0 }' "$out")      # succeeded
		rps=$(awk '/^finished in/ { print $4 + 0 }' "$out")
		non2xx=$(awk '/^status codes:/ { print $5 + $7 + $9 }' "$out") # 3xx, 4xx, 5xx
		read -r p50 p99 < <(awk -F'\t' '{ print $3 }' "$out.log" | sort -n | awk '{ a[NR] = $1 } END {
			if (NR == 0) { print "nan nan"; exit }
			i = int(NR * 0.50); j = int(NR * 0.99); if (i < 1) i = 1; if (j < 1) j = 1
			printf "%.3f %.3f\n", a[i] / 1000, a[j] / 1000 }')
		rm -f "$out.log"
		local failed
		failed=$(awk '/^requests:/ { print $10 + $12 + $14 }' "$out")
		[[ -n "$reqs" && -n "$rps" ]] || { cat "$out" >&2; die "could not parse h2load output for $t"; }
		echo "$reqs $rps $p50 $p99 ${non2xx:-0} ${failed:-0}"
		return
	fi
	local reqs rps p50 p99 non2xx errs
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	errs=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
	[[ -n "$reqs" && -n "$rps" ]] || { cat "$out" >&2; die "could not parse wrk output for $t"; }
	echo "$reqs $rps $p50 $p99 ${non2xx:-0} ${errs:-0}"
}

# run_one runs row $1 against target $2 (round $3, for $4) and appends to results.txt a line
# "row target round requests rps p50_ms p99_ms cpu_s non2xx errors".
run_one() {
	local row=$1 t=$2 round=$3 dur=$4 pids before after res
	read -r -a pids <<<"$(pids_of "$t" "$row")"
	before=$(cpu_seconds "${pids[@]}")
	res=$(load "$row" "$t" "$dur" "$TMP/load-$row-$t-$round.txt")
	after=$(cpu_seconds "${pids[@]}")
	[[ "$round" == warmup ]] && return
	local reqs rps p50 p99 non2xx errs cpu
	read -r reqs rps p50 p99 non2xx errs <<<"$res"
	cpu=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.4f", a - b }')
	((non2xx == 0)) || warn "$t answered $non2xx non-2xx responses on row $row, round $round"
	((errs == 0)) || warn "$t: $errs socket errors on row $row, round $round"
	echo "$row $t $round $reqs $rps $p50 $p99 $cpu $non2xx $errs" >>"$TMP/results.txt"
	printf '    %-8s %-11s round %s: %10s req/s  p50 %8s ms  p99 %8s ms  cpu %7.2f us/req\n' \
		"$row" "$t" "$round" "$rps" "$p50" "$p99" \
		"$(awk -v c="$cpu" -v n="$reqs" 'BEGIN { printf "%.2f", (n > 0 ? c * 1e6 / n : 0) }')" >&2
}

# median_of prints the median over rounds of column COL for row ROW and target T in results.txt
# (cpu: CPU microseconds per request).
median_of() {
	local row=$1 t=$2 col=$3
	awk -v r="$row" -v t="$t" -v c="$col" '$1 == r && $2 == t {
		if (c == "cpu") v = $4 > 0 ? $8 * 1e6 / $4 : 0; else v = $c
		print v
	}' "$TMP/results.txt" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2
	}'
}

# change_one runs changeload against proxy $1 over scheme $2 and, halfway, changes its config: a
# tenant (t<TENANTS>) added and backend 2 removed from t0. After the load it puts the config back.
change_one() {
	local p=$1 scheme=$2 port half out
	port=${HP[$p]}
	[[ $scheme == https ]] && port=${SP[$p]}
	half=$(awk -v d="${CHANGE_DURATION%s}" 'BEGIN { print d / 2 }')
	out="$TMP/change-$p-$scheme.txt"
	timeout -k 5 $((${CHANGE_DURATION%s} + 60)) "$TMP/changeload" -addr "127.0.0.1:$port" -scheme "$scheme" -ca "$CERTS/ca.crt" -tenants "$TENANTS" \
		-rate "$CHANGE_RATE" -duration "$CHANGE_DURATION" >"$out" 2>"$out.err" &
	LOAD_PID=$!
	sleep "$half"
	apply_change "$p" 1
	wait "$LOAD_PID" || { cat "$out.err" >&2; die "changeload failed against $p"; }
	LOAD_PID=
	apply_change "$p" 0
	sleep 1
	local line
	line=$(cat "$out")
	printf '    %-11s %-5s %s\n' "$p" "$scheme" "$line" >&2
	sed 's/^/        /' "$out.err" >&2
	echo "$p $scheme $line" >>"$TMP/change.txt"
}

# apply_change makes (1) or undoes (0) the change on proxy $1 the way its operator would.
apply_change() {
	local p=$1 on=$2 n=$TENANTS
	((on)) && n=$((TENANTS + 1))
	case $p in
	foyer*)
		local d=${DATA[$p]}
		if ((on)); then
			fy "$d" tenant add "t$TENANTS"
			fy "$d" backend add "t$TENANTS" "http://127.0.0.1:$B1_PORT"
			fy "$d" backend rm t0 "http://127.0.0.1:$B2_PORT"
		else
			fy "$d" backend add t0 "http://127.0.0.1:$B2_PORT"
			fy "$d" tenant rm "t$TENANTS" --force
		fi
		;;
	nginx)
		CHANGED=$on render nginx "$n"
		timeout 60 nginx -q -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -s reload >>"$TMP/nginx.log" 2>&1 ||
			die "nginx -s reload failed (see $TMP/nginx.log)"
		;;
	haproxy)
		CHANGED=$on render haproxy "$n"
		kill -USR2 "${PID[haproxy]}"
		;;
	caddy)
		CHANGED=$on render caddy "$n"
		caddy_env timeout 60 caddy reload --config "$TMP/caddy.json" \
			--address "127.0.0.1:$CADDY_ADMIN" >>"$TMP/caddy.log" 2>&1 || die "caddy reload failed (see $TMP/caddy.log)"
		;;
	esac
}

main() {
	ensure_tools
	build
	certs
	start_refs
	FOYERS=foyer
	local engine_args=()
	if [[ -n "$FOYER_ENGINES" ]]; then
		if "$TMP/foyer" serve --help 2>&1 | grep -q -- '--engine'; then
			FOYERS=""
			for e in $FOYER_ENGINES; do FOYERS+="${FOYERS:+ }foyer-$e"; done
		else
			warn "FOYER_ENGINES is set but this foyer has no 'serve --engine' flag yet: running plain foyer"
		fi
	fi
	local f
	for f in $FOYERS; do
		# shellcheck disable=SC2086
		if [[ $f == foyer-* ]]; then
			start_foyer "$f" $FOYER_ARGS --engine "${f#foyer-}"
		else
			start_foyer "$f" $FOYER_ARGS
		fi
	done
	TARGETS=(backend bareproxy $FOYERS)
	local p
	for p in $PROXIES; do
		if command -v "$p" >/dev/null; then
			start_proxy "$p"
			TARGETS+=("$p")
		else
			warn "$p is not installed; its column stays empty"
		fi
	done
	versions
	preflight
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	: >"$TMP/results.txt"
	: >"$TMP/rss.txt"
	: >"$TMP/change.txt"
	local row t r
	for row in $ROWS; do
		case $row in http | https | tlsnew | h2 | body16k) ;; *) die "unknown row $row (want http https tlsnew h2 body16k)" ;; esac
		if [[ "$WARMUP" != 0 ]]; then
			log "$row: warm-up $WARMUP per target (not counted)"
			for t in "${TARGETS[@]}"; do run_one "$row" "$t" warmup "$WARMUP"; done
		fi
		for ((r = 1; r <= ROUNDS; r++)); do
			log "$row: round $r/$ROUNDS, $DURATION per target"
			for t in "${TARGETS[@]}"; do run_one "$row" "$t" "$r" "$DURATION"; done
		done
		for t in "${TARGETS[@]}"; do
			# shellcheck disable=SC2046
			echo "$row $t $(rss_kib $(pids_of "$t" "$row"))" >>"$TMP/rss.txt"
		done
	done
	LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
	if [[ "$PROFILE" == 1 ]]; then profile; fi
	if [[ "$CHANGE" == 1 ]]; then
		log "config change under load: $CHANGE_RATE req/s for $CHANGE_DURATION, change at half time"
		for p in ${FOYERS%% *} $PROXIES; do
			[[ -n "${PID[$p]:-}" ]] || continue
			change_one "$p" http
			change_one "$p" https
		done
	fi
	report
}

# profile takes a CPU profile of the first foyer target from its ops listener during an HTTP
# keep-alive run and keeps pprof's top 15 for the report.
profile() {
	local f=${FOYERS%% *} secs=${DURATION%s}
	log "profiling $f for ${secs}s (ops /debug/pprof/profile) under the http row's load"
	curl -s -m $((secs + 20)) -o "$TMP/foyer-cpu.pprof" \
		"http://127.0.0.1:${OPS[$f]}/debug/pprof/profile?seconds=$secs" &
	PROF_PID=$!
	sleep 0.2
	load http "$f" "${secs}s" "$TMP/load-profile.txt" >/dev/null
	wait "$PROF_PID" || warn "could not fetch the profile from $f's ops listener"
	PROF_PID=
	go tool pprof -top -nodecount=15 "$TMP/foyer" "$TMP/foyer-cpu.pprof" >"$TMP/profile-top.txt" 2>&1 ||
		warn "go tool pprof failed: $(head -n 3 "$TMP/profile-top.txt")"
}

ROW_TITLE_http="HTTP/1.1 keep-alive, small GET (wrk, Host rotating over the tenants)"
ROW_TITLE_https="HTTPS keep-alive, small GET (wrk, one tenant: SNI and Host t0.test)"
ROW_TITLE_tlsnew="New TLS connections (wrk with Connection: close: a full handshake per request, no resumption)"
ROW_TITLE_h2="HTTP/2 over TLS (h2load, one tenant t0.test)"
ROW_TITLE_body16k="HTTP/1.1 keep-alive, 16 KiB body (wrk, ?size=16384, Host rotating)"

# table prints the markdown tables of every row and the change phase.
table() {
	local row t f title rps p50 p99 cpu frps fcpu rss
	f=${FOYERS%% *}
	for row in $ROWS; do
		title="ROW_TITLE_$row"
		echo "### ${!title}"
		echo
		echo "| target | req/s | p50 ms | p99 ms | CPU us/req | RSS MiB | req/s vs $f | CPU vs $f |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		frps=$(median_of "$row" "$f" 5)
		fcpu=$(median_of "$row" "$f" cpu)
		for t in "${TARGETS[@]}"; do
			rps=$(median_of "$row" "$t" 5)
			p50=$(median_of "$row" "$t" 6)
			p99=$(median_of "$row" "$t" 7)
			cpu=$(median_of "$row" "$t" cpu)
			rss=$(awk -v r="$row" -v t="$t" '$1 == r && $2 == t { printf "%.1f", $3 / 1024 }' "$TMP/rss.txt")
			awk -v t="$t" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v cpu="$cpu" -v rss="$rss" \
				-v frps="$frps" -v fcpu="$fcpu" 'BEGIN {
				printf "| %s | %.0f | %.3f | %.3f | %.1f | %s | %.2fx | %.2fx |\n", t, rps, p50, p99, cpu, rss,
					(frps > 0 ? rps / frps : 0), (fcpu > 0 ? cpu / fcpu : 0) }'
		done
		echo
	done
	awk '$9 > 0 || $10 > 0 { n[$1 " " $2] += $9 + $10 } END {
		for (k in n) printf "WARNING: %s: %d non-2xx responses or socket errors; its numbers are not comparable.\n\n", k, n[k] }' \
		"$TMP/results.txt"
	if [[ -s "$TMP/change.txt" ]]; then
		echo "### Config change under load ($CHANGE_RATE req/s for $CHANGE_DURATION, keep-alive, change at half time)"
		echo
		echo "| proxy | scheme | requests | failed | non-2xx | connection errors | retried by the client | slowest ms |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|"
		awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "| %s | %s | %d | %d | %d | %d | %d | %d |\n", $1, $2, v["requests"], v["failed"], v["non2xx"],
				v["errors"], v["retried"], v["max_ms"] }' \
			"$TMP/change.txt"
		echo
	fi
}

# report writes bench/results/latest.md and, unless DOCS=0, the "Side by side" section of
# docs/performance.md.
report() {
	local md="$BENCH/results/latest.md" t f
	mkdir -p "$BENCH/results"
	f=${FOYERS%% *}
	{
		echo "## Side by side"
		echo
		echo "Measured by \`make bench\` (bench/run.sh; bench/README.md says how to read it) on" \
			"$(date -u +%Y-%m-%d), tree at commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none) (foyer's own build: Versions below)," \
			"$(go env GOVERSION), Linux $(uname -r), $CORES CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))."
		echo "Load average $LOAD_BEFORE before the rows and $LOAD_AFTER after them${BUSY_NOTE:+: $BUSY_NOTE}."
		echo
		echo "Every proxy serves $TENANTS host-routed tenants t0.test .. t$((TENANTS - 1)).test over the same two" \
			"loopback backends (round robin, upstream keep-alive, access log on, one certificate per host)." \
			"$ROUNDS interleaved round(s) of $DURATION per target and row, medians; wrk -t$THREADS -c$CONNS," \
			"h2load -t$THREADS -c$H2_CONNS -m$H2_STREAMS. CPU us/req is the proxy's process tree's" \
			"utime+stime over the requests it served; RSS is the tree's after the row."
		echo
		echo "Versions: $(for t in "${TARGETS[@]}"; do printf '%s: %s; ' "$t" "${DESC[$t]}"; done)$TOOLS."
		local idle=""
		for t in $FOYERS; do
			idle+="${idle:+; }$t $(awk -v k="${IDLE_RSS[$t]}" -v c="${CONF_RSS[$t]}" \
				'BEGIN { printf "%.1f MiB after a restart, %.1f MiB right after the configuration", k / 1024, c / 1024 }')"
		done
		echo "Idle RSS of foyer with the $TENANTS tenants and $((TENANTS + 1)) certificates, before any load: $idle."
		echo
		table
		if [[ -s "$TMP/profile-top.txt" ]]; then
			echo "### CPU profile of $f (ops listener, HTTP keep-alive load, top 15)"
			echo
			echo '```'
			sed -n '/flat%/,$p' "$TMP/profile-top.txt" | head -n 16
			echo '```'
			echo
		fi
	} >"$md"
	echo
	cat "$md"
	log "tables written to ${md#"$ROOT"/}"
	[[ "$DOCS" == 1 ]] || return 0
	local doc="$ROOT/docs/performance.md"
	awk -v sect="$md" '
		/^## Side by side/ { while ((getline l < sect) > 0) print l; skip = 1; done = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; while ((getline l < sect) > 0) print l } }
	' "$doc" >"$TMP/performance.md" && cat "$TMP/performance.md" >"$doc"
	log "\"Side by side\" section of docs/performance.md replaced"
}

main "$@"
