package artifacts

import (
	"compress/flate"
	"fmt"
)

// Level is the flate level of c: fastest stores without compressing
// (nothing beats not compressing an already compressed file), fast is
// flate's best speed, default flate's default, slow and slowest its two
// strongest settings.
func (c Compression) Level() (int, error) {
	switch c {
	case CompressionFastest:
		return flate.NoCompression, nil
	case CompressionFast:
		return flate.BestSpeed, nil
	case "", CompressionDefault:
		return flate.DefaultCompression, nil
	case CompressionSlow:
		return 8, nil
	case CompressionSlowest:
		return flate.BestCompression, nil
	}
	return 0, &RequestError{Field: "compression", Problem: fmt.Sprintf("%q is not fastest, fast, default, slow or slowest", c)}
}
