//go:build !unix

package artifacts

// The helper runs on Linux; elsewhere this only keeps the package building.
const openNoFollow = 0
