package ops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fields reads one JSON object field by field. It is strict about types in
// that every mismatch is reported as an anomaly, and tolerant in that a value
// whose meaning is unambiguous is still used ("223" where 223 was expected, 5
// where "5" was expected); anything else is treated as absent. Nothing in it
// can panic on hostile input, which the fuzz targets check.
type fields struct {
	prefix    string // "performance." for anomaly messages
	raw       map[string]json.RawMessage
	used      map[string]bool
	anomalies *[]string
}

// newFields decodes raw as an object. ok is false when raw is not an object.
func newFields(raw json.RawMessage, prefix string, anomalies *[]string) (*fields, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, false
	}
	return &fields{prefix: prefix, raw: m, used: map[string]bool{}, anomalies: anomalies}, true
}

// jsonKind names the JSON type of a raw value for anomaly messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a bool"
	case 'n':
		return "null"
	}
	return "a number"
}

// note records an anomaly. Keys and values in it may come from the server,
// so the note is cleaned like any other server text.
func (f *fields) note(key, format string, args ...any) {
	*f.anomalies = append(*f.anomalies, cleanText(f.prefix+key+": "+fmt.Sprintf(format, args...)))
}

// get returns the raw value of key, marking it used. Absent and null are the
// same: Vault leaves fields out or sends null for "none".
func (f *fields) get(key string) (json.RawMessage, bool) {
	raw, ok := f.raw[key]
	if !ok {
		return nil, false
	}
	f.used[key] = true
	if jsonKind(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// str reads a string. A number or bool is accepted as its literal text.
// Every string read from a server passes through asString, which cleans it
// for the terminal (cleanText): this is the one door server text enters by.
func (f *fields) str(key string) (string, bool) {
	raw, ok := f.get(key)
	if !ok {
		return "", false
	}
	return f.asString(key, raw)
}

func (f *fields) asString(key string, raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return cleanText(s), true
	}
	switch kind := jsonKind(raw); kind {
	case "a number", "a bool":
		f.note(key, "expected a string, got %s (used as text)", kind)
		return string(bytes.TrimSpace(raw)), true
	default:
		f.note(key, "expected a string, got %s (ignored)", kind)
	}
	return "", false
}

// number returns the numeric text of a JSON number, or of a string holding
// one (with an anomaly when a number was expected).
func (f *fields) number(key string, raw json.RawMessage, wantString bool) (string, bool) {
	kind := jsonKind(raw)
	switch {
	case kind == "a number":
		if wantString {
			f.note(key, "expected a string, got a number (used)")
		}
		return string(bytes.TrimSpace(raw)), true
	case kind == "a string":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			break
		}
		if !wantString {
			f.note(key, "expected a number, got a string (used)")
		}
		return strings.TrimSpace(s), true
	}
	f.note(key, "expected a number, got %s (ignored)", kind)
	return "", false
}

// u64 reads a non-negative integer (WAL indexes, counters).
func (f *fields) u64(key string) (uint64, bool) {
	raw, ok := f.get(key)
	if !ok {
		return 0, false
	}
	text, ok := f.number(key, raw, false)
	if !ok {
		return 0, false
	}
	if n, err := strconv.ParseUint(text, 10, 64); err == nil {
		return n, true
	}
	// JSON allows 2.23e2 and 223.0; accept them when they are whole.
	if x, err := strconv.ParseFloat(text, 64); err == nil && x >= 0 && x == math.Trunc(x) && x < math.MaxUint64 {
		return uint64(x), true
	}
	f.note(key, "not a non-negative integer: %q (ignored)", truncate(text, 40))
	return 0, false
}

// boolean reads a bool; the strings "true" and "false" are accepted.
func (f *fields) boolean(key string) (bool, bool) {
	raw, ok := f.get(key)
	if !ok {
		return false, false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, err := strconv.ParseBool(s); err == nil {
			f.note(key, "expected a bool, got a string (used)")
			return v, true
		}
	}
	f.note(key, "expected a bool, got %s (ignored)", jsonKind(raw))
	return false, false
}

// strs reads an array of strings; non-string elements are converted or
// dropped like single strings.
func (f *fields) strs(key string) []string {
	items := f.array(key)
	if items == nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		if s, ok := f.asString(fmt.Sprintf("%s[%d]", key, i), it); ok {
			out = append(out, s)
		}
	}
	return out
}

// array reads an array, leaving its elements to the caller; nil when key is
// absent or not an array (an empty array gives an empty, non-nil slice).
func (f *fields) array(key string) []json.RawMessage {
	raw, ok := f.get(key)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		f.note(key, "expected an array, got %s (ignored)", jsonKind(raw))
		return nil
	}
	return items
}

// object reads a nested object, whose anomalies are reported under key. A
// value that is not an object is noted and treated as absent.
func (f *fields) object(key string) (*fields, bool) {
	raw, ok := f.get(key)
	if !ok {
		return nil, false
	}
	sub, ok := newFields(raw, f.prefix+key+".", f.anomalies)
	if !ok {
		f.note(key, "expected an object, got %s (ignored)", jsonKind(raw))
	}
	return sub, ok
}

// goZeroEpoch is Go's zero time in Unix seconds: Vault's "never" for
// last_corruption_check_epoch.
const goZeroEpoch = -62135596800

// epoch reads Unix seconds sent as a string ("1694456090"); "0" and
// "-62135596800" mean never and give the zero time. RFC 3339 text is accepted
// too, since merkle-check reports the same field that way.
func (f *fields) epoch(key string) (time.Time, bool) {
	raw, ok := f.get(key)
	if !ok {
		return time.Time{}, false
	}
	if jsonKind(raw) == "a string" {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t, true
			}
		}
	}
	text, ok := f.number(key, raw, true)
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		x, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || math.Abs(x) > 1e15 {
			f.note(key, "not Unix seconds: %q (ignored)", truncate(text, 40))
			return time.Time{}, false
		}
		n = int64(x)
	}
	if n == 0 || n == goZeroEpoch {
		return time.Time{}, true
	}
	return time.Unix(n, 0).UTC(), true
}

// rfc3339 reads a time string such as "2024-03-04T10:05:56-05:00".
func (f *fields) rfc3339(key string) (time.Time, bool) {
	s, ok := f.str(key)
	if !ok || s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		f.note(key, "not an RFC 3339 time: %q (ignored)", truncate(s, 40))
		return time.Time{}, false
	}
	return t, true
}

// maxMillis keeps a millisecond count inside time.Duration's range.
const maxMillis = float64(math.MaxInt64 / int64(time.Millisecond))

// millis reads a millisecond count: a string in peer objects ("660", "-1"),
// a number in sys/health. wantString says which the reference documents.
func (f *fields) millis(key string, wantString bool) (time.Duration, bool) {
	raw, ok := f.get(key)
	if !ok {
		return 0, false
	}
	text, ok := f.number(key, raw, wantString)
	if !ok {
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && math.Abs(float64(n)) <= maxMillis {
		return time.Duration(n) * time.Millisecond, true
	}
	x, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(x) || math.Abs(x) > maxMillis {
		f.note(key, "not a millisecond count: %q (ignored)", truncate(text, 40))
		return 0, false
	}
	return time.Duration(x * float64(time.Millisecond)), true
}

// extra returns every field not read so far, decoded with json.Number so that
// large integers survive, its keys and strings cleaned (cleanValue); nil when
// there are none.
func (f *fields) extra() map[string]any {
	var keys []string
	for k := range f.raw {
		if !f.used[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		dec := json.NewDecoder(bytes.NewReader(f.raw[k]))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			out[cleanText(k)] = cleanValue(v)
		}
	}
	return out
}
