package buildlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"kuberunner/common"
)

func newTestLog(format Format, masked ...string) (*Log, *bytes.Buffer) {
	var buf bytes.Buffer
	l := New(&buf, format, masked)
	l.now = func() time.Time { return time.Unix(1700000000, 0) }
	return l, &buf
}

func TestParseLogFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr error
	}{
		{"", LogFormatTerminal, nil},
		{"terminal", LogFormatTerminal, nil},
		{"gitlab", LogFormatGitLab, nil},
		{"GitLab", "", ErrUnknownLogFormat},
		{"json", "", ErrUnknownLogFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuildLogMessages(t *testing.T) {
	tests := []struct {
		name  string
		write func(l *Log)
		want  string
	}{
		{"println", func(l *Log) { l.Println("a", 1) }, "a 1\n"},
		{"info", func(l *Log) { l.Infoln("Running") }, "\x1b[32;1mRunning\x1b[0;m\n"},
		{"warning", func(l *Log) { l.Warningln("fallback") }, "\x1b[0;33mWARNING: fallback\x1b[0;m\n"},
		{"error", func(l *Log) { l.Errorln("failed") }, "\x1b[31;1mERROR: failed\x1b[0;m\n"},
		{"masked in message", func(l *Log) { l.Warningln("token s3cr3t leaked") }, "\x1b[0;33mWARNING: token [MASKED] leaked\x1b[0;m\n"},
		{
			"message after unterminated output starts a line",
			func(l *Log) { fmt.Fprint(l.Stream(), "no newline"); l.Infoln("next") },
			"no newline\n\x1b[32;1mnext\x1b[0;m\n",
		},
	}
	for _, format := range []Format{LogFormatTerminal, LogFormatGitLab} {
		for _, tt := range tests {
			t.Run(string(format)+"/"+tt.name, func(t *testing.T) {
				l, buf := newTestLog(format, "s3cr3t")
				tt.write(l)
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				if got := buf.String(); got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestBuildLogSections(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		write  func(l *Log)
		want   string
	}{
		{
			name:   "terminal shows a header and no markers",
			format: LogFormatTerminal,
			write: func(l *Log) {
				l.SectionStart("step_script", "Executing the job script")
				fmt.Fprint(l.Stream(), "Done\n")
				l.SectionEnd("step_script")
			},
			want: "\x1b[36;1mExecuting the job script\x1b[0;m\nDone\n",
		},
		{
			name:   "gitlab markers",
			format: LogFormatGitLab,
			write: func(l *Log) {
				l.SectionStart("step_script", "Executing the job script")
				fmt.Fprint(l.Stream(), "Done\n")
				l.SectionEnd("step_script")
			},
			want: "section_start:1700000000:step_script\r\x1b[0K\x1b[36;1mExecuting the job script\x1b[0;m\n" +
				"Done\n" +
				"section_end:1700000000:step_script\r\x1b[0K\n",
		},
		{
			name:   "gitlab section name sanitised",
			format: LogFormatGitLab,
			write: func(l *Log) {
				l.SectionStart("pull image: alpine:3.20", "")
				l.SectionEnd("pull image: alpine:3.20")
			},
			want: "section_start:1700000000:pull_image__alpine_3.20\r\x1b[0K\x1b[36;1mpull image: alpine:3.20\x1b[0;m\n" +
				"section_end:1700000000:pull_image__alpine_3.20\r\x1b[0K\n",
		},
		{
			name:   "gitlab end marker on its own line after unterminated output",
			format: LogFormatGitLab,
			write: func(l *Log) {
				fmt.Fprint(l.Stream(), "partial")
				l.SectionEnd("s")
			},
			want: "partial\nsection_end:1700000000:s\r\x1b[0K\n",
		},
		{
			name:   "header masked",
			format: LogFormatTerminal,
			write:  func(l *Log) { l.SectionStart("x", "login with s3cr3t") },
			want:   "\x1b[36;1mlogin with [MASKED]\x1b[0;m\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := newTestLog(tt.format, "s3cr3t")
			tt.write(l)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSanitizeSectionName(t *testing.T) {
	tests := map[string]string{
		"":                 "section",
		"step_script":      "step_script",
		"a.b-c_D9":         "a.b-c_D9",
		"with space":       "with_space",
		"colon:and/slash":  "colon_and_slash",
		"ünïcode":          "_n_code",
		"new\nline\r\x1b[": "new_line___",
	}
	for in, want := range tests {
		t.Run(want, func(t *testing.T) {
			if got := sanitizeSectionName(in); got != want {
				t.Fatalf("sanitizeSectionName(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestBuildLogStream(t *testing.T) {
	tests := []struct {
		name   string
		masked []string
		writes []string
		want   string
	}{
		{"split across writes", []string{"hunter2"}, []string{"pw=hun", "ter2\n"}, "pw=[MASKED]\n"},
		{"split across many writes", []string{"hunter2"}, []string{"h", "u", "n", "t", "e", "r", "2"}, "[MASKED]"},
		{"held tail flushed on close", []string{"hunter2"}, []string{"end: hunt"}, "end: hunt"},
		{"several values", []string{"aa", "bbb"}, []string{"aa b", "bb aab", "bb"}, "[MASKED] [MASKED] [MASKED][MASKED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf := newTestLog(LogFormatTerminal, tt.masked...)
			s := l.Stream()
			for _, w := range tt.writes {
				n, err := s.Write([]byte(w))
				if err != nil || n != len(w) {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestBuildLogStreamsAreIndependent feeds stdout and stderr halves of values
// interleaved: each stream must assemble only its own bytes.
func TestBuildLogStreamsAreIndependent(t *testing.T) {
	l, buf := newTestLog(LogFormatTerminal, "secret")
	stdout, stderr := l.Stream(), l.Stream()
	fmt.Fprint(stdout, "out sec")
	fmt.Fprint(stderr, "err sec")
	fmt.Fprint(stdout, "ret\n")
	fmt.Fprint(stderr, "ond\n")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := "out err [MASKED]\nsecond\n"
	if got := buf.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestBuildLogStreamAfterClose(t *testing.T) {
	l, _ := newTestLog(LogFormatTerminal)
	s := l.Stream()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("late")); !errors.Is(err, ErrBuildLogClosed) {
		t.Fatalf("err = %v, want ErrBuildLogClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestBuildLogStreamClose: closing a stream at the end of its step releases
// its held tail before what the runner prints next.
func TestBuildLogStreamClose(t *testing.T) {
	l, buf := newTestLog(LogFormatTerminal, "secret")
	s := l.Stream()
	fmt.Fprint(s, "step 1 ends with s")
	if err := s.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	l.Infoln("Job succeeded")
	if _, err := s.Write([]byte("late")); !errors.Is(err, ErrBuildLogClosed) {
		t.Fatalf("write after stream Close: err = %v, want ErrBuildLogClosed", err)
	}
	if err := s.(io.Closer).Close(); err != nil {
		t.Fatalf("second stream Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := "step 1 ends with s\n\x1b[32;1mJob succeeded\x1b[0;m\n"
	if got := buf.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write(p []byte) (int, error) { return 0, w.err }

func TestBuildLogWriteError(t *testing.T) {
	sinkErr := errors.New("disk full")
	l := New(failingWriter{sinkErr}, LogFormatTerminal, nil)
	if _, err := l.Stream().Write([]byte("x\n")); !errors.Is(err, sinkErr) {
		t.Fatalf("Write err = %v, want %v", err, sinkErr)
	}
	if err := l.Close(); !errors.Is(err, sinkErr) {
		t.Fatalf("Close err = %v, want %v", err, sinkErr)
	}
}

// TestBuildLogConcurrent is meant for -race: two streams and messages from
// three goroutines. Every stream line must arrive whole and masked.
func TestBuildLogConcurrent(t *testing.T) {
	const lines = 200
	for _, format := range []Format{LogFormatTerminal, LogFormatGitLab} {
		t.Run(string(format), func(t *testing.T) {
			l, buf := newTestLog(format, "topsecret")
			var wg sync.WaitGroup
			for _, name := range []string{"stdout", "stderr"} {
				w := l.Stream()
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < lines; i++ {
						// One line per write, as a line-buffered program does.
						fmt.Fprintf(w, "%s %d topsecret\n", name, i)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < lines; i++ {
					l.SectionStart(fmt.Sprint("s", i), "topsecret header")
					l.Warningln("warn topsecret", i)
					l.SectionEnd(fmt.Sprint("s", i))
				}
			}()
			wg.Wait()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, "topsecret") {
				t.Fatal("masked value in output")
			}
			for _, name := range []string{"stdout", "stderr"} {
				for i := 0; i < lines; i++ {
					if line := fmt.Sprintf("%s %d [MASKED]\n", name, i); !strings.Contains(out, line) {
						t.Fatalf("missing or torn line %q", line)
					}
				}
			}
		})
	}
}

var _ io.WriteCloser = (*streamWriter)(nil)

// TestBuildLogTokenPrefixes: NewWithRules hides prefixed tokens on every path
// that writes: messages of each level, section headers and names, and
// Stream output split across writes.
func TestBuildLogTokenPrefixes(t *testing.T) {
	rules := common.MaskRules{Values: []string{"s3cr3t-value"}, TokenPrefixes: []string{"glpat-", "gldt-"}}
	tests := []struct {
		name   string
		format Format
		write  func(l *Log)
		want   string
	}{
		{"println", LogFormatTerminal, func(l *Log) { l.Println("token", "glpat-abc123") }, "token [MASKED]\n"},
		{"info", LogFormatTerminal, func(l *Log) { l.Infoln("gldt-x1 ok") }, "\x1b[32;1m[MASKED] ok\x1b[0;m\n"},
		{"warning", LogFormatTerminal, func(l *Log) { l.Warningln("bad glpat-Z_9.0") }, "\x1b[0;33mWARNING: bad [MASKED]\x1b[0;m\n"},
		{"error", LogFormatTerminal, func(l *Log) { l.Errorln(errors.New("auth glpat-abc: denied")) }, "\x1b[31;1mERROR: auth [MASKED]: denied\x1b[0;m\n"},
		{"value and token adjacent", LogFormatTerminal, func(l *Log) { l.Println("s3cr3t-value/glpat-x") }, "[MASKED]/[MASKED]\n"},
		{"prefix alone shown", LogFormatTerminal, func(l *Log) { l.Println("tokens start with glpat-") }, "tokens start with glpat-\n"},
		{"token before escaped control", LogFormatTerminal, func(l *Log) { l.Println("glpat-abc\x1b[2J") }, "[MASKED]\\x1b[2J\n"},
		{"section header", LogFormatTerminal, func(l *Log) { l.SectionStart("s", "login glpat-abc") }, "\x1b[36;1mlogin [MASKED]\x1b[0;m\n"},
		{
			"section name keeps a working marker",
			LogFormatGitLab,
			func(l *Log) { l.SectionStart("login glpat-abc", "login"); l.SectionEnd("login glpat-abc") },
			"section_start:1700000000:login__MASKED_\r\x1b[0K\x1b[36;1mlogin\x1b[0;m\n" +
				"section_end:1700000000:login__MASKED_\r\x1b[0K\n",
		},
		{
			"section name made a token by sanitising",
			LogFormatGitLab,
			func(l *Log) { l.SectionEnd("glpat-:abc") },
			"section_end:1700000000:_MASKED_\r\x1b[0K\n",
		},
		{
			"stream split byte by byte",
			LogFormatTerminal,
			func(l *Log) {
				s := l.Stream()
				for _, b := range []byte("push https://oauth2:glpat-abc.01@host\n") {
					s.Write([]byte{b})
				}
			},
			"push https://oauth2:[MASKED]@host\n",
		},
		{
			"stream token flushed by stream close before the next line",
			LogFormatTerminal,
			func(l *Log) {
				s := l.Stream()
				fmt.Fprint(s, "tail glpat-")
				fmt.Fprint(s, "x")
				s.(io.Closer).Close()
				l.Infoln("Job succeeded")
			},
			"tail [MASKED]\n\x1b[32;1mJob succeeded\x1b[0;m\n",
		},
		{
			"stream prefix alone flushed on close",
			LogFormatTerminal,
			func(l *Log) { fmt.Fprint(l.Stream(), "ends with glpat-") },
			"ends with glpat-",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewWithRules(&buf, tt.format, rules)
			l.now = func() time.Time { return time.Unix(1700000000, 0) }
			tt.write(l)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestNewIsNewWithValues: New masks values only; a token prefix means
// nothing to it.
func TestNewIsNewWithValues(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, LogFormatTerminal, []string{"s3cr3t-value", ""})
	fmt.Fprint(l.Stream(), "s3cr3t-value glpat-abc\n")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "[MASKED] glpat-abc\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
