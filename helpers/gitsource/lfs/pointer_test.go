package lfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePointer(t *testing.T) {
	oid := strings.Repeat("4d7a", 16)
	v1 := "version https://git-lfs.github.com/spec/v1\n"
	cases := []struct {
		name string
		data string
		want Pointer
		err  string // "" for a pointer; else ErrNotPointer's reason or the ExtensionError
	}{
		{"the spec's example", v1 + "oid sha256:" + oid + "\nsize 12345\n", Pointer{OID: oid, Size: 12345}, ""},
		{"the pre-release version", "version https://hawser.github.com/spec/v1\noid sha256:" + oid + "\nsize 0\n", Pointer{OID: oid}, ""},
		{"an unknown key is ignored", v1 + "oid sha256:" + oid + "\nsize 1\nx-extra yes\n", Pointer{OID: oid, Size: 1}, ""},
		{"no final newline", v1 + "oid sha256:" + oid + "\nsize 1", Pointer{}, "ending in a newline"},
		{"version not first", "oid sha256:" + oid + "\n" + v1 + "size 1\n", Pointer{}, "no known version line first"},
		{"another version", "version https://example.com/v2\noid sha256:" + oid + "\nsize 1\n", Pointer{}, "no known version"},
		{"keys not sorted", v1 + "size 1\noid sha256:" + oid + "\n", Pointer{}, "not a sorted key and value"},
		{"two spaces", v1 + "oid  sha256:" + oid + "\nsize 1\n", Pointer{}, "no oid"},
		{"a CR", v1 + "oid sha256:" + oid + "\r\nsize 1\n", Pointer{}, "not a sorted key and value"},
		{"upper-case oid", v1 + "oid sha256:" + strings.ToUpper(oid) + "\nsize 1\n", Pointer{}, "no oid"},
		{"sha1 oid", v1 + "oid sha1:" + oid[:40] + "\nsize 1\n", Pointer{}, "no oid"},
		{"negative size", v1 + "oid sha256:" + oid + "\nsize -1\n", Pointer{}, "no size"},
		{"size with a plus", v1 + "oid sha256:" + oid + "\nsize +1\n", Pointer{}, "no size"},
		{"no size", v1 + "oid sha256:" + oid + "\n", Pointer{}, "no size"},
		{"too long", v1 + "oid sha256:" + oid + "\nsize 1\nz " + strings.Repeat("x", MaxPointerSize) + "\n", Pointer{}, "short UTF-8"},
		{"binary", "\xff\xfe", Pointer{}, "short UTF-8"},
		{"a plain file", "hello\n", Pointer{}, "no known version"},
		{"extensions", v1 + "ext-0-foo sha256:" + oid + "\noid sha256:" + oid + "\nsize 1\n", Pointer{}, "names Git LFS extensions (ext-0-foo)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePointer([]byte(c.data))
			if c.err == "" {
				require.NoError(t, err)
				require.Equal(t, c.want, got)
				return
			}
			require.ErrorContains(t, err, c.err)
			var ext *ExtensionError
			require.True(t, errors.Is(err, ErrNotPointer) != errors.As(err, &ext), "one kind of error: %v", err)
		})
	}
}

func TestPointerString(t *testing.T) {
	p := Pointer{OID: strings.Repeat("ab", 32), Size: 42}
	got, err := ParsePointer([]byte(p.String()))
	require.NoError(t, err)
	require.Equal(t, p, got)
}
