package commands

import (
	"fmt"
	"io"
)

func init() {
	Register("version", "print the kuberunner version", runVersion)
}

func runVersion(_ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "kuberunner %s\n", Version)
	return ExitOK
}
