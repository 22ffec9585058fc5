package ops

import (
	"regexp"
	"strings"
)

// redacted replaces every secret removed from a message.
const redacted = "[redacted]"

// secretPatterns match token shapes even when vaultrepl does not know the
// value (a token echoed by a proxy, a token from another cluster):
//   - service, batch and recovery tokens ("hvs.", "hvb.", "hvr.") and the
//     pre-1.10 "s."/"b."/"r." forms of 24+ characters;
//   - JWTs (activation tokens are ES512 JWTs: three base64url segments, the
//     first starting "eyJ");
//   - URL user-info ("https://user:pass@host").
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\bhv[sbr]\.[A-Za-z0-9_\-]{8,}`),
	regexp.MustCompile(`\b[sbr]\.[A-Za-z0-9]{24,}\b`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]*)?`),
}

var userInfoPattern = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@"]+@`)

// minSecretLen keeps redaction of known values from eating ordinary words
// when a caller passes a short, non-secret string by mistake.
const minSecretLen = 6

// sanitize removes secrets from a message: every known secret value, then
// anything shaped like a Vault token, a JWT or URL credentials.
func sanitize(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	for _, re := range secretPatterns {
		msg = re.ReplaceAllString(msg, redacted)
	}
	return userInfoPattern.ReplaceAllString(msg, "${1}"+redacted+"@")
}

// sanitizeAll sanitises each message.
func sanitizeAll(msgs []string, secrets ...string) []string {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = sanitize(m, secrets...)
	}
	return out
}
