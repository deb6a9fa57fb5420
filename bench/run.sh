#!/usr/bin/env bash
# bench/run.sh: side-by-side load test of foyer against a bare httputil.ReverseProxy and the
# backends themselves, with wrk on loopback. See bench/README.md for the knobs and how to read the
# table. Speed targets are reported, never asserted: the script exits 0 when the runs completed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"

QUICK=${QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
	ROUNDS=${ROUNDS:-1}
	DURATION=${DURATION:-2s}
	WARMUP=${WARMUP:-0}
else
	ROUNDS=${ROUNDS:-3}
	DURATION=${DURATION:-10s}
	WARMUP=${WARMUP:-1s}
fi
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
TENANTS=${TENANTS:-100}
TARGETS=(backend bareproxy foyer)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/foyer-bench.XXXXXX")
PIDS=()

log() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

# cleanup stops every process this script started, then removes the temp dir.
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	[[ -z "${WRK_PID:-}" ]] || kill "$WRK_PID" 2>/dev/null || true
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
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

# wait_http waits up to 30 s for URL to answer 200; PID must stay alive meanwhile.
wait_http() {
	local url=$1 pid=$2 name=$3 i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || {
			tail -n 30 "$TMP/$name.log" >&2 || true
			die "$name exited before it was ready (log above, from $TMP/$name.log)"
		}
		[[ $(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" || true) == 200 ]] && return
		sleep 0.1
	done
	tail -n 30 "$TMP/$name.log" >&2 || true
	die "$name not ready at $url after 30 s"
}

# cpu_seconds prints the user+system CPU seconds of the given PIDs, summed.
cpu_seconds() {
	local tck total=0 p ticks
	tck=$(getconf CLK_TCK)
	for p in "$@"; do
		# Fields after the ")" that ends comm: utime and stime are fields 14 and 15 of stat.
		ticks=$(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')
		total=$((total + ticks))
	done
	awk -v t="$total" -v h="$tck" 'BEGIN { printf "%.4f", t / h }'
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }

# ensure_wrk installs wrk from apt when it is missing.
ensure_wrk() {
	command -v wrk >/dev/null && return
	local sudo=()
	[[ $(id -u) == 0 ]] || sudo=(sudo)
	log "installing wrk (apt-get install -y wrk)"
	if ! "${sudo[@]}" apt-get install -y wrk >"$TMP/apt.log" 2>&1; then
		"${sudo[@]}" apt-get update >>"$TMP/apt.log" 2>&1 || true
		"${sudo[@]}" apt-get install -y wrk >>"$TMP/apt.log" 2>&1 ||
			{ tail -n 20 "$TMP/apt.log" >&2; die "could not install wrk; install it and rerun"; }
	fi
}

build() {
	log "building foyer, bench/backend, bench/bareproxy into $TMP"
	(cd "$ROOT" &&
		CGO_ENABLED=0 go build -trimpath -o "$TMP/foyer" ./cmd/foyer &&
		CGO_ENABLED=0 go build -trimpath -o "$TMP/backend" ./bench/backend &&
		CGO_ENABLED=0 go build -trimpath -o "$TMP/bareproxy" ./bench/bareproxy) ||
		die "build failed (output above)"
}

# fy runs one foyer CLI command against the bench daemon and aborts with its output on failure.
fy() {
	local out
	out=$(FOYER_DATA="$TMP/data" "$TMP/foyer" "$@" 2>&1) || die "foyer $* failed: $out"
}

start_all() {
	B1_PORT=$(free_port)
	"$TMP/backend" -addr "127.0.0.1:$B1_PORT" >"$TMP/backend1.log" 2>&1 &
	B1_PID=$!
	PIDS+=("$B1_PID")
	B2_PORT=$(free_port "$B1_PORT")
	"$TMP/backend" -addr "127.0.0.1:$B2_PORT" >"$TMP/backend2.log" 2>&1 &
	B2_PID=$!
	PIDS+=("$B2_PID")
	wait_http "http://127.0.0.1:$B1_PORT/" "$B1_PID" backend1
	wait_http "http://127.0.0.1:$B2_PORT/" "$B2_PID" backend2
	BACKENDS="http://127.0.0.1:$B1_PORT,http://127.0.0.1:$B2_PORT"

	FOYER_PORT=$(free_port "$B1_PORT" "$B2_PORT")
	OPS_PORT=$(free_port "$B1_PORT" "$B2_PORT" "$FOYER_PORT")
	mkdir -p "$TMP/data"
	log "starting foyer on 127.0.0.1:$FOYER_PORT (ops 127.0.0.1:$OPS_PORT)"
	"$TMP/foyer" serve --data "$TMP/data" --http "127.0.0.1:$FOYER_PORT" --https "" \
		--ops "127.0.0.1:$OPS_PORT" >"$TMP/foyer.log" 2>&1 &
	FOYER_PID=$!
	PIDS+=("$FOYER_PID")
	wait_http "http://127.0.0.1:$OPS_PORT/readyz" "$FOYER_PID" foyer

	log "configuring $TENANTS tenants t0..t$((TENANTS - 1)) under base domain test"
	fy settings set base-domain test
	local i
	for ((i = 0; i < TENANTS; i++)); do
		fy tenant add "t$i"
		fy backend add "t$i" "http://127.0.0.1:$B1_PORT"
		fy backend add "t$i" "http://127.0.0.1:$B2_PORT"
	done

	PROXY_PORT=$(free_port "$B1_PORT" "$B2_PORT" "$FOYER_PORT" "$OPS_PORT")
	"$TMP/bareproxy" -addr "127.0.0.1:$PROXY_PORT" -backends "$BACKENDS" >"$TMP/bareproxy.log" 2>&1 &
	PROXY_PID=$!
	PIDS+=("$PROXY_PID")
	wait_http "http://127.0.0.1:$PROXY_PORT/" "$PROXY_PID" bareproxy
}

# preflight checks that foyer answers 200 for every tenant before any load.
preflight() {
	local i code bad=0
	for ((i = 0; i < TENANTS; i++)); do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -H "Host: t$i.test" \
			"http://127.0.0.1:$FOYER_PORT/" || true)
		if [[ "$code" != 200 ]]; then
			printf 'bench: foyer answered %s for Host: t%d.test (want 200)\n' "$code" "$i" >&2
			bad=$((bad + 1))
			((bad < 5)) || break
		fi
	done
	if ((bad > 0)); then
		curl -s -m 2 -H 'Host: t7.test' "http://127.0.0.1:$FOYER_PORT/" >&2 || true
		echo >&2
		tail -n 20 "$TMP/foyer.log" >&2 || true
		die "pre-flight failed: foyer does not route t*.test to the backends (foyer log above)"
	fi
	log "pre-flight: foyer answered 200 for all $TENANTS tenants"
}

url_of() {
	case $1 in
	backend) echo "http://127.0.0.1:$B1_PORT/" ;;
	bareproxy) echo "http://127.0.0.1:$PROXY_PORT/" ;;
	foyer) echo "http://127.0.0.1:$FOYER_PORT/" ;;
	esac
}

# pids_of prints the processes whose CPU is charged to a target.
pids_of() {
	case $1 in
	backend) echo "$B1_PID $B2_PID" ;;
	bareproxy) echo "$PROXY_PID" ;;
	foyer) echo "$FOYER_PID" ;;
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

# run_one runs wrk against a target and appends to results.txt a line
# "target round requests rps p50_ms p99_ms cpu_s non2xx backends_cpu_s".
run_one() {
	local target=$1 round=$2 dur=$3 url pids before after bbefore bafter out
	url=$(url_of "$target")
	read -r -a pids <<<"$(pids_of "$target")"
	before=$(cpu_seconds "${pids[@]}")
	bbefore=$(cpu_seconds "$B1_PID" "$B2_PID")
	out="$TMP/wrk-$target-$round.txt"
	# wrk runs in the background so that a signal reaches our trap at once, not after wrk ends.
	BENCH_TENANTS=$TENANTS wrk --latency -t"$THREADS" -c"$CONNS" -d"$dur" -s "$BENCH/hosts.lua" \
		"$url" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || { cat "$out" >&2; die "wrk failed against $target"; }
	WRK_PID=
	after=$(cpu_seconds "${pids[@]}")
	bafter=$(cpu_seconds "$B1_PID" "$B2_PID")
	[[ "$round" == warmup ]] && return

	local reqs rps p50 p99 non2xx sockerr
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	sockerr=$(awk '/Socket errors:/ { print $0 }' "$out")
	[[ -n "$reqs" && -n "$rps" ]] || { cat "$out" >&2; die "could not parse wrk output for $target"; }
	if [[ -n "$non2xx" ]]; then
		printf 'bench: WARNING: %s answered %s non-2xx/3xx responses in round %s\n' \
			"$target" "$non2xx" "$round" >&2
	fi
	[[ -z "$sockerr" ]] || printf 'bench: WARNING: %s round %s: %s\n' "$target" "$round" "$sockerr" >&2
	printf "%s %s %s %s %s %s %s %s %s\n" "$target" "$round" "$reqs" "$rps" "$p50" "$p99" \
		"$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.4f", a - b }')" "${non2xx:-0}" \
		"$(awk -v a="$bafter" -v b="$bbefore" 'BEGIN { printf "%.4f", a - b }')" \
		>>"$TMP/results.txt"
	printf '    %-10s round %s: %10s req/s  p50 %8s ms  p99 %8s ms  cpu %6.2f us/req\n' \
		"$target" "$round" "$rps" "$p50" "$p99" \
		"$(awk -v a="$after" -v b="$before" -v n="$reqs" 'BEGIN { printf "%.2f", (a - b) * 1e6 / n }')" >&2
}

# median_of prints the median of column COL for TARGET in results.txt.
median_of() {
	local target=$1 col=$2
	awk -v t="$target" -v c="$col" '$1 == t {
		if (c == "cpu") v = $7 * 1e6 / $3; else if (c == "bcpu") v = $9 * 1e6 / $3; else v = $c
		print v
	}' "$TMP/results.txt" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2
	}'
}

report() {
	local md="$BENCH/results/latest.md" t rps p50 p99 cpu base ratio verdict
	mkdir -p "$BENCH/results"
	base=$(median_of bareproxy cpu)
	{
		echo "# foyer load test"
		echo
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)," \
			"$(go env GOVERSION), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))"
		echo
		echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS interleaved round(s), Host rotating over $TENANTS tenants;" \
			"medians over rounds. CPU is the target process's utime+stime per request (backend: both backends);" \
			"backends CPU is what the two backends spent per request during that target's runs."
		echo
		echo "| target | req/s | p50 ms | p99 ms | CPU us/req | CPU vs bareproxy | backends CPU us/req |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		for t in "${TARGETS[@]}"; do
			rps=$(median_of "$t" 4)
			p50=$(median_of "$t" 5)
			p99=$(median_of "$t" 6)
			cpu=$(median_of "$t" cpu)
			ratio=$(awk -v c="$cpu" -v b="$base" 'BEGIN { printf "%.2f", c / b }')
			printf '| %s | %.0f | %.3f | %.3f | %.1f | %sx | %.1f |\n' "$t" "$rps" "$p50" "$p99" "$cpu" "$ratio" \
				"$(median_of "$t" bcpu)"
		done
		echo
		echo "RSS at the end: bareproxy $(rss_mib "$PROXY_PID"), foyer $(rss_mib "$FOYER_PID")"
		awk '$8 > 0 { n[$1] += $8 } END { for (t in n) printf "\nWARNING: %s answered %d non-2xx/3xx responses; its numbers are not comparable.\n", t, n[t] }' \
			"$TMP/results.txt"
		echo
		if awk -v f="$(median_of foyer cpu)" -v b="$base" 'BEGIN { exit !(f <= b) }'; then
			verdict=PASS
		else
			verdict=FAIL
		fi
		echo "target: foyer CPU/request <= bareproxy CPU/request: $verdict (reported, not asserted)"
	} >"$md"
	echo
	cat "$md"
	echo
	log "table written to ${md#"$ROOT"/}"
}

main() {
	ensure_wrk
	build
	start_all
	preflight
	: >"$TMP/results.txt"
	local t r
	if [[ "$WARMUP" != 0 ]]; then
		log "warm-up: $WARMUP per target (not counted)"
		for t in "${TARGETS[@]}"; do run_one "$t" warmup "$WARMUP"; done
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		log "round $r/$ROUNDS: wrk -t$THREADS -c$CONNS -d$DURATION"
		for t in "${TARGETS[@]}"; do run_one "$t" "$r" "$DURATION"; done
	done
	report
}

main "$@"
