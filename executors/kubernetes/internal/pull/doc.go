// Package pull is the per-image pull-policy state machine of one job. It knows
// nothing of pods or clients: the executor tells it which image failed and
// asks it which policy to use next.
package pull
