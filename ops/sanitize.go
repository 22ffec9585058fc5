package ops

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// This file holds the two filters text passes on its way through ops, kept
// apart because they answer different threats:
//
//   - redactSecrets removes tokens and credentials from error text, so that
//     an error shown, logged or printed as JSON never carries a secret;
//   - cleanText makes text that came from a server harmless on a terminal
//     (no escape sequences, no bidi overrides), applied where the text leaves
//     the raw JSON so that no view has to remember it.

// redacted replaces every secret removed from a message.
const redacted = "[redacted]"

// secretPatterns match token shapes even when vaultrepl does not know the
// value (a token echoed by a proxy, a token from another cluster). They are
// case-insensitive: a proxy or a log formatter may change the case.
//   - service, batch and recovery tokens ("hvs.", "hvb.", "hvr.") and the
//     pre-1.10 "s."/"b."/"r." forms of 24+ characters;
//   - JWTs (activation tokens are ES512 JWTs: three base64url segments, the
//     first starting "eyJ");
//   - the value of an X-Vault-Token or Authorization header, a client_token
//     or token JSON field and a token= query parameter, whatever its shape.
//
// The patterns are compiled on first use, not at start-up: every process
// links this package, and `vaultrepl version` redacts nothing.
var secretPatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bhv[sbr](?:\.|%2e)[a-z0-9_\-]{8,}`),
		regexp.MustCompile(`(?i)\b[sbr](?:\.|%2e)[a-z0-9]{24,}\b`),
		regexp.MustCompile(`(?i)eyJ[a-z0-9_\-]*(?:\.|%2e)[a-z0-9_\-]+((?:\.|%2e)[a-z0-9_\-]*)?`),
	}
})

// secretValuePatterns keep their first group (the name) and redact the rest.
var secretValuePatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)(x-vault-token["']?\s*[:=]\s*["']?)[^\s"',;&]+`),
		regexp.MustCompile(`(?i)(authorization["']?\s*[:=]\s*["']?(?:bearer\s+)?)[^\s"',;&]+`),
		regexp.MustCompile(`(?i)("(?:client_)?token"\s*:\s*")[^"]+`),
		regexp.MustCompile(`(?i)([?&](?:client_)?token=)[^\s&#"']+`),
	}
})

var userInfoPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@"]+@`)
})

// minSubstringSecret is the length from which a known secret is redacted
// wherever it appears. A shorter one (a lab's "root" token) is redacted only
// as a whole word, so that "root namespace" loses the token but "rooted"
// stays readable.
const minSubstringSecret = 6

// redactSecrets removes secrets from a message: every known secret value and
// its URL, percent and base64 encodings (in any letter case), then anything
// shaped like a Vault token, a JWT, a token header or URL credentials.
func redactSecrets(msg string, secrets ...string) string {
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			msg = replaceFold(msg, form, len(s) >= minSubstringSecret)
		}
	}
	for _, re := range secretPatterns() {
		msg = re.ReplaceAllString(msg, redacted)
	}
	for _, re := range secretValuePatterns() {
		msg = re.ReplaceAllString(msg, "${1}"+redacted)
	}
	return userInfoPattern().ReplaceAllString(msg, "${1}"+redacted+"@")
}

// secretForms are the spellings of a secret that may appear in error text:
// itself, URL query and path escaping, every byte percent-encoded (how some
// clients and proxies log a header), and base64 (Basic auth, JWT payloads).
func secretForms(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var every strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&every, "%%%02X", s[i])
	}
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), every.String(),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
	out := forms[:0]
	seen := map[string]bool{}
	for _, f := range forms {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// replaceFold replaces every case-insensitive occurrence of old in s with
// redacted; unless anywhere, only occurrences that are whole words (not
// preceded or followed by a letter, digit, '.', '_' or '-').
func replaceFold(s, old string, anywhere bool) string {
	if old == "" {
		return s
	}
	re, err := regexp.Compile(`(?i)` + regexp.QuoteMeta(old))
	if err != nil {
		return s
	}
	locs := re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if !anywhere && (isWordByteBefore(s, l[0]) || isWordByteAt(s, l[1])) {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(redacted)
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWordByteBefore(s string, i int) bool { return i > 0 && isWordByte(s[i-1]) }
func isWordByteAt(s string, i int) bool     { return i < len(s) && isWordByte(s[i]) }

// redactAll redacts secrets from each message.
func redactAll(msgs []string, secrets ...string) []string {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = redactSecrets(m, secrets...)
	}
	return out
}

// cleanText makes text from a server safe to write to a terminal and
// unambiguous to read. It replaces, with a visible escape:
//   - C0 controls (ESC starts every terminal escape sequence: OSC 52 writes
//     the clipboard, OSC 8 plants hyperlinks, CSI 2J clears the screen),
//     DEL and the C1 controls (U+0080–U+009F; U+009B is an 8-bit CSI);
//   - bytes that are not UTF-8, which a terminal in an 8-bit mode may read
//     as C1 controls;
//   - format characters (Unicode Cf): the bidi embeddings, overrides and
//     isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and
//     U+061C, zero-width characters, the byte-order mark and tag characters,
//     which can make text read differently from what it is (CVE-2021-42574);
//   - the line and paragraph separators U+2028 and U+2029, which some
//     terminals and JSON consumers break lines on.
//
// The escapes are printable ASCII ("\x1b", "\u202e", "\n"), so cleaning twice
// changes nothing more. A backslash itself is kept as is: the text is for
// reading, not for decoding back.
func cleanText(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlainASCII reports whether s is printable ASCII only, the common case,
// which cleanText returns without copying.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune reports a non-ASCII rune cleanText escapes.
func unsafeRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// cleanAll cleans each string.
func cleanAll(ss []string) []string {
	for i, s := range ss {
		ss[i] = cleanText(s)
	}
	return ss
}

// cleanValue cleans every string in a decoded JSON value (map keys too),
// for the fields vaultrepl does not know but still shows.
func cleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return cleanText(x)
	case []any:
		for i := range x {
			x[i] = cleanValue(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[cleanText(k)] = cleanValue(e)
		}
		return out
	}
	return v
}
