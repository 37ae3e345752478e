package smileid

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
)

func testMAC(i int) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	sum := sha256.Sum256(b[:])
	return sum[:]
}

// TestRecentPairsAreBounded: the client's memory of the pairs it sent forgets pairs older
// than recentPairsWindow and the oldest beyond maxRecentPairs, and its floor is then the
// send time of the newest pair forgotten, so that a copy of a forgotten pair is still
// refused (checkReplay: Stale).
func TestRecentPairsAreBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	later := t0.Add(24 * time.Hour) // every pair was sent before
	var r recentPairs
	r.add(testMAC(0), t0)
	r.add(testMAC(1), t0.Add(time.Minute))
	known, floor := r.seen(testMAC(0), later)
	require.True(t, known)
	require.True(t, floor.IsZero())
	known, _ = r.seen(testMAC(2), later)
	require.False(t, known)

	// An hour and a half later, both are forgotten: the floor is the newer one's time.
	r.add(testMAC(2), t0.Add(90*time.Minute))
	known, floor = r.seen(testMAC(1), later)
	require.False(t, known)
	require.True(t, t0.Add(time.Minute).Equal(floor), "floor %s", floor)
	known, _ = r.seen(testMAC(2), later)
	require.True(t, known)

	// By count: a busy client forgets the oldest, and the floor follows.
	var busy recentPairs
	for i := 0; i <= maxRecentPairs; i++ {
		busy.add(testMAC(i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	known, floor = busy.seen(testMAC(0), later)
	require.False(t, known)
	require.True(t, t0.Equal(floor), "floor %s", floor)
	known, _ = busy.seen(testMAC(maxRecentPairs), later)
	require.True(t, known)
	require.Len(t, busy.keys, maxRecentPairs)
	require.Len(t, busy.ring, maxRecentPairs, "the ring stops growing")
}

// TestCheckReplayRefusesACopyOfAForgottenPair: an answer signed at or before the newest
// pair the client forgot is refused, though the pair itself is no longer remembered.
func TestCheckReplayRefusesACopyOfAForgottenPair(t *testing.T) {
	c, err := NewClient("212", "key")
	require.NoError(t, err)
	old := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Millisecond)
	oldTS := Timestamp(old)
	c.sent.add(c.sig.mac(oldTS), old)
	c.sent.add(testMAC(1), time.Now()) // forgets the old one
	var sent sentSignatures            // no request time: only the floor can refuse it
	err = c.checkReplay(OpJobStatus, oldTS, c.sig.Generate(oldTS), sent, "j", "u")
	var be *ResponseBindingError
	require.ErrorAs(t, err, &be)
	require.True(t, be.Stale)

	// A pair sent after the call's first request (a concurrent call's) is not held against
	// the answer: Smile ID may sign an answer in the very millisecond it was signed.
	var call sentSignatures
	call.add(Timestamp(time.Now().Add(-time.Second)), "x")
	concurrent := Timestamp(time.Now())
	c.sent.add(c.sig.mac(concurrent), time.Now())
	require.NoError(t, c.checkReplay(OpJobStatus, concurrent, c.sig.Generate(concurrent), call, "j", "u"))
	// One sent before it is.
	earlier := time.Now().Add(-2 * time.Second).UTC().Truncate(time.Millisecond)
	c.sent.add(c.sig.mac(Timestamp(earlier)), earlier)
	err = c.checkReplay(OpJobStatus, Timestamp(earlier), c.sig.Generate(Timestamp(earlier)), call, "j", "u")
	require.ErrorAs(t, err, &be)
	require.True(t, be.Echoed)

	// A fresh answer passes.
	fresh := Timestamp(time.Now().Add(time.Second))
	require.NoError(t, c.checkReplay(OpJobStatus, fresh, c.sig.Generate(fresh), sent, "j", "u"))
}

// TestFoldKeyIsEncodingJSONsFold: two keys are the same field for encoding/json exactly
// when bytes.EqualFold says so; foldKey must agree, for every rune against its neighbours
// and the members of its case-folding orbit.
func TestFoldKeyIsEncodingJSONsFold(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		others := []rune{r + 1, 'k', 's'}
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			others = append(others, o)
		}
		a := "x" + string(r)
		for _, o := range others {
			b := "X" + string(o)
			if got, want := foldKey(a) == foldKey(b), bytes.EqualFold([]byte(a), []byte(b)); got != want {
				t.Fatalf("foldKey(%q) == foldKey(%q) is %t, bytes.EqualFold %t", a, b, got, want)
			}
		}
	}
}

// TestRecentPairsMatchesAModel: the ring (growing, wrapping, forgetting by age and by
// count) remembers exactly what a plain list of the pairs sent in the last window, at
// most maxRecentPairs of them, remembers, and its floor is the newest pair forgotten.
func TestRecentPairsMatchesAModel(t *testing.T) {
	type pair struct {
		mac []byte
		at  time.Time
	}
	var r recentPairs
	var model []pair
	var floor time.Time
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range 3 * maxRecentPairs {
		switch {
		case i%50000 == 49999:
			at = at.Add(2 * recentPairsWindow / 3) // a quiet spell: a part of the pairs age out
		case i%7 == 0:
			at = at.Add(time.Millisecond)
		}
		mac := testMAC(i)
		for len(model) > 0 && (len(model) >= maxRecentPairs || at.Sub(model[0].at) > recentPairsWindow) {
			if model[0].at.After(floor) {
				floor = model[0].at
			}
			model = model[1:]
		}
		model = append(model, pair{mac, at})
		r.add(mac, at)
		if i%997 == 0 || i == 3*maxRecentPairs-1 {
			require.Len(t, r.keys, len(model), "after %d pairs", i+1)
			require.Equal(t, len(model), r.n)
			for _, j := range []int{0, len(model) / 2, len(model) - 1} {
				known, f := r.seen(model[j].mac, at.Add(time.Millisecond))
				require.True(t, known, "pair %d of the model, after %d", j, i+1)
				require.True(t, f.Equal(floor), "floor %s, want %s", f, floor)
			}
			if i+1 > len(model) {
				known, _ := r.seen(testMAC(i+1-len(model)-1), at.Add(time.Millisecond))
				require.False(t, known, "the newest pair forgotten")
			}
		}
	}
}
