//go:build race

package config

// raceEnabled: the race detector changes what allocates and slows parsing
// down many times, so allocation bounds are checked without it.
const raceEnabled = true
