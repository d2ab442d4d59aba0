//go:build !unix

package namedfile

import "os"

// openFlags: other systems have no non-blocking open; the type check on
// the open file still refuses what is not a regular file.
const openFlags = os.O_RDONLY
