package buildlog

import (
	"fmt"
	"strings"
	"testing"
)

// TestBuildLogEscapesRunnerLines: text the runner prints (a job or runner
// name, an error that quotes one) cannot send escape sequences or start a
// line of its own; the script's own output is left alone.
func TestBuildLogEscapesRunnerLines(t *testing.T) {
	const forged = "build\n\x1b[32;1mJob succeeded\x1b[0;m"
	tests := []struct {
		name  string
		write func(l *Log)
		want  string
	}{
		{"println", func(l *Log) { l.Println("  on", forged) }, "  on build\\n\\x1b[32;1mJob succeeded\\x1b[0;m\n"},
		{"terminal title", func(l *Log) { l.Println("job \x1b]0;pwned\x07") }, "job \\x1b]0;pwned\\a\n"},
		{"error keeps its own colour only", func(l *Log) { l.Errorln("Job failed: " + forged) },
			"\x1b[31;1mERROR: Job failed: build\\n\\x1b[32;1mJob succeeded\\x1b[0;m\x1b[0;m\n"},
		{"section header", func(l *Log) { l.SectionStart("s", "Running "+forged) },
			"\x1b[36;1mRunning build\\n\\x1b[32;1mJob succeeded\\x1b[0;m\x1b[0;m\n"},
		{"masked value before escaping", func(l *Log) { l.Println("pw s3cr3t-value\n") }, "pw [MASKED]\\n\n"},
		{"script output is not escaped", func(l *Log) { fmt.Fprint(l.Stream(), "\x1b[31mred\x1b[0m\n") }, "\x1b[31mred\x1b[0m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := newTestLog(LogFormatTerminal, "s3cr3t-value")
			tt.write(l)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
			if tt.name != "script output is not escaped" && strings.Count(buf.String(), "\n") != 1 {
				t.Fatalf("one message became several lines: %q", buf.String())
			}
		})
	}
}
