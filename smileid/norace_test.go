//go:build !race

package smileid

const raceEnabled = false
