package sim

// Request bodies and parameters, read the way Vault's framework coerces them:
// strings from numbers and booleans, lists from comma-separated strings,
// durations from "30m" or seconds.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseBody decodes a JSON object body; an empty body or "null" is no data.
func parseBody(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func (q *request) str(key string) string {
	switch v := q.body[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (q *request) has(key string) bool {
	_, ok := q.body[key]
	return ok
}

func (q *request) boolean(key string) (bool, error) {
	switch v := q.body[key].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		return strconv.ParseBool(v)
	case json.Number:
		return v.String() != "0", nil
	}
	return false, fmt.Errorf("cannot parse %q as a boolean", key)
}

func (q *request) strings(key string) []string {
	switch v := q.body[key].(type) {
	case string:
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// duration parses a TTL given as "30m", "1800" or 1800.
func (q *request) duration(key string, def time.Duration) (time.Duration, error) {
	s := q.str(key)
	if s == "" {
		return def, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("invalid duration " + strconv.Quote(s))
	}
	return d, nil
}
