package ops

import (
	"bytes"
	"encoding/json"
	"errors"
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
//
// A body is decoded once, into a generic tree whose numbers are json.Number
// (their literal text, so large integers survive); nested objects and arrays
// are read from that tree, never decoded again.
type fields struct {
	prefix    string // "performance." for anomaly messages
	obj       map[string]any
	used      map[string]bool
	anomalies *[]string
}

// decodeTree decodes one JSON value with json.Number for numbers. Its
// errors are json.Unmarshal's, so that a cut-off body reads the same
// ("unexpected end of JSON input") and text after the value is refused.
func decodeTree(raw []byte) (any, error) {
	if v, ok := quickTree(raw); ok {
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && len(bytes.TrimSpace(raw[dec.InputOffset():])) == 0 {
		return v, nil
	}
	// The error path only: json.Unmarshal says what is wrong in its words.
	var x any
	if uerr := json.Unmarshal(raw, &x); uerr != nil {
		return nil, uerr
	}
	if err == nil {
		err = errors.New("invalid JSON")
	}
	return nil, err
}

// newFields decodes raw as an object. ok is false when raw is not an object.
func newFields(raw json.RawMessage, prefix string, anomalies *[]string) (*fields, bool) {
	v, err := decodeTree(raw)
	if err != nil {
		return nil, false
	}
	return treeFields(v, prefix, anomalies)
}

// treeFields reads v, a value of a decoded tree, as an object. ok is false
// when it is not one.
func treeFields(v any, prefix string, anomalies *[]string) (*fields, bool) {
	m, ok := v.(map[string]any)
	if !ok || m == nil {
		return nil, false
	}
	return &fields{prefix: prefix, obj: m, used: make(map[string]bool, len(m)), anomalies: anomalies}, true
}

// has reports whether key is present (null included), without marking it
// used.
func (f *fields) has(key string) bool {
	_, ok := f.obj[key]
	return ok
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

// kindOf names the JSON type of a decoded value, as jsonKind does.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a bool"
	case json.Number, float64:
		return "a number"
	}
	return "nothing"
}

// note records an anomaly. Keys and values in it may come from the server,
// so the note is cleaned like any other server text.
func (f *fields) note(key, format string, args ...any) {
	*f.anomalies = append(*f.anomalies, cleanText(f.prefix+key+": "+fmt.Sprintf(format, args...)))
}

// value returns the decoded value of key, marking it used. Absent and null
// are the same: Vault leaves fields out or sends null for "none".
func (f *fields) value(key string) (any, bool) {
	v, ok := f.obj[key]
	if !ok {
		return nil, false
	}
	f.used[key] = true
	if v == nil {
		return nil, false
	}
	return v, true
}

// rawOf encodes a decoded value back to JSON (json.Number keeps its text).
func rawOf(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// str reads a string. A number or bool is accepted as its literal text.
// Every string read from a server passes through stringOf, which cleans it
// for the terminal (cleanText): this is the one door server text enters by.
func (f *fields) str(key string) (string, bool) {
	v, ok := f.value(key)
	if !ok {
		return "", false
	}
	return f.stringOf(key, v)
}

func (f *fields) stringOf(key string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return cleanText(x), true
	case json.Number:
		f.note(key, "expected a string, got a number (used as text)")
		return string(x), true
	case bool:
		f.note(key, "expected a string, got a bool (used as text)")
		return strconv.FormatBool(x), true
	}
	f.note(key, "expected a string, got %s (ignored)", kindOf(v))
	return "", false
}

// numberOf returns the numeric text of a JSON number, or of a string
// holding one (with an anomaly when a number was expected).
func (f *fields) numberOf(key string, v any, wantString bool) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		if wantString {
			f.note(key, "expected a string, got a number (used)")
		}
		return string(x), true
	case string:
		if !wantString {
			f.note(key, "expected a number, got a string (used)")
		}
		return strings.TrimSpace(x), true
	}
	f.note(key, "expected a number, got %s (ignored)", kindOf(v))
	return "", false
}

// u64 reads a non-negative integer (WAL indexes, counters).
func (f *fields) u64(key string) (uint64, bool) {
	v, ok := f.value(key)
	if !ok {
		return 0, false
	}
	text, ok := f.numberOf(key, v, false)
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
	v, ok := f.value(key)
	if !ok {
		return false, false
	}
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			f.note(key, "expected a bool, got a string (used)")
			return b, true
		}
	}
	f.note(key, "expected a bool, got %s (ignored)", kindOf(v))
	return false, false
}

// strs reads an array of strings; non-string elements are converted or
// dropped like single strings.
func (f *fields) strs(key string) []string {
	items := f.values(key)
	if items == nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		if s, ok := f.stringOf(key+"["+strconv.Itoa(i)+"]", it); ok {
			out = append(out, s)
		}
	}
	return out
}

// values reads an array of decoded values; nil when key is absent or not
// an array (an empty array gives an empty, non-nil slice).
func (f *fields) values(key string) []any {
	v, ok := f.value(key)
	if !ok {
		return nil
	}
	items, isArray := v.([]any)
	if !isArray {
		f.note(key, "expected an array, got %s (ignored)", kindOf(v))
		return nil
	}
	if items == nil {
		items = []any{}
	}
	return items
}

// array is values with each element as raw JSON, for a caller that wants
// the text; nil when key is absent or not an array (an empty array gives an
// empty, non-nil slice). The paths-filter reader uses it.
func (f *fields) array(key string) []json.RawMessage {
	items := f.values(key)
	if items == nil {
		return nil
	}
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		out[i] = rawOf(it)
	}
	return out
}

// object reads a nested object, whose anomalies are reported under key. A
// value that is not an object is noted and treated as absent.
func (f *fields) object(key string) (*fields, bool) {
	v, ok := f.value(key)
	if !ok {
		return nil, false
	}
	sub, ok := treeFields(v, f.prefix+key+".", f.anomalies)
	if !ok {
		f.note(key, "expected an object, got %s (ignored)", kindOf(v))
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
	v, ok := f.value(key)
	if !ok {
		return time.Time{}, false
	}
	if s, isString := v.(string); isString {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
	}
	text, ok := f.numberOf(key, v, true)
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
	v, ok := f.value(key)
	if !ok {
		return 0, false
	}
	text, ok := f.numberOf(key, v, wantString)
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
	for k := range f.obj {
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
		out[cleanText(k)] = cleanValue(f.obj[k])
	}
	return out
}
