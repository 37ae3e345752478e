#!/bin/sh
# Runs the Go SDK (bench/gojobs) and the official Node SDK 3.2.1 (bench/node/jobs.js) side
# by side on the same jobs against one `smileid fake --tls` on loopback, and prints for
# each case the median CPU time (user + sys) and peak RSS of each whole process, measured
# by /usr/bin/time -v, over RUNS interleaved runs (Go, Node, floor, Go, Node, floor...),
# and the ratios. The floor (bench/floor: each file read once, its CRC, its bytes sent
# over TLS to a sink, nothing else) is run for the cases of files.
# Not run in CI: it needs Node 18+ and npm, and takes a few minutes. See BENCHMARKS.md.
#
# Usage: bench/compare.sh [a b c d]   (default: all cases; RUNS=3 by default)
#   a: 200 jobs one at a time, 2 x 1 MiB files      c: 1 job, 2 x 16 MiB files
#   b: the same 200 jobs, 16 in flight               d: 1 job, 4 x 8 MiB base64 images
#                                                       (given as base64 text, 42.7 MiB)
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CASES=${*:-a b c d}
TMP=$(mktemp -d)
FAKE_PID=
SINK_PID=
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

go build -o "$TMP/smileid" ./cmd/smileid
go build -o "$TMP/gojobs" ./bench/gojobs
go build -o "$TMP/floor" ./bench/floor
[ -d bench/node/node_modules/smile-identity-core ] || (cd bench/node && npm ci --no-audit --no-fund >/dev/null)

# JPEG-shaped images of random bytes.
image() { printf '\377\330\377\340' >"$1" && head -c $(($2 - 4)) /dev/urandom >>"$1"; }
image "$TMP/a1.jpg" 1048576
image "$TMP/a2.jpg" 1048576
image "$TMP/c1.jpg" 16777216
image "$TMP/c2.jpg" 16777216
for i in 0 1 2 3; do image "$TMP/d$i.jpg" 8388608 && base64 -w0 "$TMP/d$i.jpg" >"$TMP/d$i.b64"; done

"$TMP/smileid" fake --tls --addr 127.0.0.1:0 --cert-file "$TMP/ca.pem" >"$TMP/fake.env" 2>"$TMP/fake.log" &
FAKE_PID=$!
i=0
until grep -q SSL_CERT_FILE "$TMP/fake.env" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "the fake did not start" >&2; exit 1; }
	sleep 0.1
done
eval "$(grep '^export ' "$TMP/fake.env")"
"$TMP/floor" sink >"$TMP/sink.addr" &
SINK_PID=$!
i=0
until [ -s "$TMP/sink.addr" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "the sink did not start" >&2; exit 1; }
	sleep 0.1
done
export NODE_EXTRA_CA_CERTS="$SSL_CERT_FILE"

# measure FILE CMD...: appends "cpu_seconds max_rss_kib" of one run to FILE.
measure() {
	out=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>"$TMP/time.txt" || { cat "$TMP/time.txt" >&2; exit 1; }
	awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2} END {printf "%.3f %d\n", u+s, r}' "$TMP/time.txt" >>"$out"
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

printf '%-4s %-44s %12s %12s %12s %12s %8s %8s %12s %10s %10s\n' case jobs "Go CPU s" "Node CPU s" "Go RSS MiB" "Node RSS MiB" "CPU G/N" "RSS G/N" "floor CPU s" "G/floor" "floor/N"
for c in $CASES; do
	case $c in
	a) desc="200 jobs one at a time, 2 x 1 MiB files"; args="-jobs 200 -inflight 1"; imgs="$TMP/a1.jpg $TMP/a2.jpg"; b64= ;;
	b) desc="200 jobs, 16 in flight, 2 x 1 MiB files"; args="-jobs 200 -inflight 16"; imgs="$TMP/a1.jpg $TMP/a2.jpg"; b64= ;;
	c) desc="1 job, 2 x 16 MiB files"; args="-jobs 1 -inflight 1"; imgs="$TMP/c1.jpg $TMP/c2.jpg"; b64= ;;
	d) desc="1 job, 4 x 8 MiB base64 images"; args="-jobs 1 -inflight 1"; imgs="$TMP/d0.b64 $TMP/d1.b64 $TMP/d2.b64 $TMP/d3.b64"; b64=-base64 ;;
	*) echo "unknown case $c" >&2; exit 2 ;;
	esac
	rm -f "$TMP/go" "$TMP/node" "$TMP/floor.cpu"
	r=0
	while [ $r -lt "$RUNS" ]; do
		# shellcheck disable=SC2086
		measure "$TMP/go" "$TMP/gojobs" $args $b64 $imgs
		# shellcheck disable=SC2086
		measure "$TMP/node" node bench/node/jobs.js $(echo "$args" | sed 's/-jobs/--jobs/; s/-inflight/--inflight/') ${b64:+--base64} $imgs
		if [ -z "$b64" ] && [ "$c" != c ]; then
			# shellcheck disable=SC2086
			measure "$TMP/floor.cpu" "$TMP/floor" send -addr "$(cat "$TMP/sink.addr")" $(echo "$args" | sed 's/-inflight [0-9]*//') $imgs
		fi
		r=$((r + 1))
	done
	gc=$(cut -d' ' -f1 "$TMP/go" | median); nc=$(cut -d' ' -f1 "$TMP/node" | median)
	gr=$(cut -d' ' -f2 "$TMP/go" | median); nr=$(cut -d' ' -f2 "$TMP/node" | median)
	fc=0
	[ -s "$TMP/floor.cpu" ] && fc=$(cut -d' ' -f1 "$TMP/floor.cpu" | median)
	awk -v c="$c" -v d="$desc" -v gc="$gc" -v nc="$nc" -v gr="$gr" -v nr="$nr" -v fc="$fc" 'BEGIN {
		printf "%-4s %-44s %12.3f %12.3f %12.1f %12.1f %8.3f %8.3f %12s %10s %10s\n", c, d, gc, nc, gr/1024, nr/1024, gc/nc, gr/nr,
			(fc > 0 ? sprintf("%.3f", fc) : "-"), (fc > 0 ? sprintf("%.2f", gc/fc) : "-"), (fc > 0 ? sprintf("%.3f", fc/nc) : "-") }'
done
