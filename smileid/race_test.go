//go:build race

package smileid

// raceEnabled: the race detector makes sync.Pool drop items at random, so allocation
// counts vary.
const raceEnabled = true
