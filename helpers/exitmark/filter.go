package exitmark

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// maxDigits bounds the code: an exit status is 0-255.
const maxDigits = 3

// Filter passes a command's stderr through to W, except for the command's
// marker, which it takes out and records. Bytes that may begin the marker
// are held back until they can be told apart, so the output is exactly the
// command's, in order; Flush writes what is still held when the stream
// ends.
type Filter struct {
	w    io.Writer
	head []byte // the marker up to its code

	mu   sync.Mutex
	held []byte
	code int
	seen bool
}

// NewFilter filters the marker for nonce out of what is written to w.
func NewFilter(w io.Writer, nonce string) *Filter {
	return &Filter{w: w, head: []byte(word + nonce + " ")}
}

func (f *Filter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]byte, 0, len(p))
	for rest := p; len(rest) > 0; {
		if len(f.held) == 0 {
			// Nothing held: everything before the next record separator
			// is output as it is, in one piece.
			i := bytes.IndexByte(rest, f.head[0])
			if i < 0 {
				out = append(out, rest...)
				break
			}
			out, rest = append(out, rest[:i]...), rest[i:]
		}
		f.held, rest = append(f.held, rest[0]), rest[1:]
		for len(f.held) > 0 && !f.mayBeMarker() {
			out = append(out, f.held[0])
			f.held = append(f.held[:0], f.held[1:]...) // at most a marker's length
		}
		if code, ok := f.complete(); ok {
			f.code, f.seen = code, true
			f.held = f.held[:0]
		}
	}
	if len(out) == 0 {
		return len(p), nil
	}
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// mayBeMarker: held is a prefix of head + digits + "\n".
func (f *Filter) mayBeMarker() bool {
	n := min(len(f.held), len(f.head))
	if !bytes.Equal(f.held[:n], f.head[:n]) {
		return false
	}
	rest := f.held[n:]
	for i, b := range rest {
		switch {
		case b >= '0' && b <= '9' && i < maxDigits:
		case b == '\n' && i > 0 && i == len(rest)-1:
		default:
			return false
		}
	}
	return true
}

// complete returns the code once held is a whole marker.
func (f *Filter) complete() (int, bool) {
	if len(f.held) <= len(f.head)+1 || f.held[len(f.held)-1] != '\n' {
		return 0, false
	}
	code, err := strconv.Atoi(string(f.held[len(f.head) : len(f.held)-1]))
	return code, err == nil
}

// Flush writes the bytes still held back: the stream ended inside
// something that only looked like the marker's start.
func (f *Filter) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.held) == 0 {
		return nil
	}
	_, err := f.w.Write(f.held)
	f.held = f.held[:0]
	return err
}

// Exit returns the code the marker reported, and whether one arrived.
func (f *Filter) Exit() (code int, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.code, f.seen
}
