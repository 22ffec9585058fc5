package ops

import (
	"encoding/json"
	"unicode/utf8"
)

// quickTree decodes raw into the tree encoding/json builds with UseNumber
// (map[string]any, []any, string, json.Number, bool, nil), for the bodies
// Vault sends: ASCII JSON without \u escapes. It does not decide what is
// invalid: on anything outside that subset, valid or not (a \u escape, a
// byte above 0x7f, nesting deeper than maxQuickDepth, a syntax error), ok
// is false and decodeTree asks encoding/json, whose tree and error words are
// the reference. Every poll decodes a body or two, and encoding/json's
// reflection over interface values was the largest part of a poll's own
// CPU in the idle dashboard (FuzzQuickTreeMatchesEncodingJSON compares).
func quickTree(raw []byte) (v any, ok bool) {
	d := quickDecoder{raw: raw}
	v, ok = d.value(0)
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.i == len(raw)
}

// maxQuickDepth is the deepest nesting quickTree decodes; encoding/json
// handles (and refuses, past its own limit) anything deeper.
const maxQuickDepth = 64

type quickDecoder struct {
	raw []byte
	i   int
}

func (d *quickDecoder) space() {
	for d.i < len(d.raw) {
		switch d.raw[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *quickDecoder) value(depth int) (any, bool) {
	d.space()
	if d.i >= len(d.raw) || depth > maxQuickDepth {
		return nil, false
	}
	switch c := d.raw[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.strValue()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case c == 't':
		return true, d.word("true")
	case c == 'f':
		return false, d.word("false")
	case c == 'n':
		return nil, d.word("null")
	}
	return nil, false
}

func (d *quickDecoder) word(w string) bool {
	if len(d.raw)-d.i < len(w) || string(d.raw[d.i:d.i+len(w)]) != w {
		return false
	}
	d.i += len(w)
	return true
}

func (d *quickDecoder) object(depth int) (any, bool) {
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.raw) && d.raw[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.raw) || d.raw[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.raw) || d.raw[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated key: the last one wins, as in encoding/json
		if closed, ok := d.after('}'); !ok || closed {
			return m, ok
		}
	}
}

// after reads what follows a member or an element: a comma (another one
// comes) or the closing bracket.
func (d *quickDecoder) after(closer byte) (closed, ok bool) {
	d.space()
	if d.i >= len(d.raw) {
		return false, false
	}
	switch d.raw[d.i] {
	case ',':
		d.i++
		return false, true
	case closer:
		d.i++
		return true, true
	}
	return false, false
}

func (d *quickDecoder) array(depth int) (any, bool) {
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.raw) && d.raw[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if closed, ok := d.after(']'); !ok || closed {
			return a, ok
		}
	}
}

// strValue is str as a tree value: a word of vaultWords is boxed already.
func (d *quickDecoder) strValue() (any, bool) {
	s, ok := d.str()
	if !ok {
		return nil, false
	}
	if w, ok := vaultBoxed[s]; ok {
		return w, true
	}
	return s, true
}

// str reads a string at d.i (its opening quote). Only the escapes that
// stand for one ASCII character are decoded here.
func (d *quickDecoder) str() (string, bool) {
	d.i++ // "
	start := d.i
	for d.i < len(d.raw) {
		c := d.raw[d.i]
		switch {
		case c == '"':
			b := d.raw[start:d.i]
			d.i++
			if w, ok := vaultWords[string(b)]; ok {
				return w, true
			}
			return string(b), true
		case c == '\\':
			return d.escaped(start)
		case c < 0x20 || c >= utf8.RuneSelf:
			return "", false
		}
		d.i++
	}
	return "", false
}

// escaped finishes a string that holds a backslash: d.i is at the first
// one, start where the string's text began.
func (d *quickDecoder) escaped(start int) (string, bool) {
	b := append([]byte(nil), d.raw[start:d.i]...)
	for d.i < len(d.raw) {
		c := d.raw[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), true
		case c == '\\':
			if d.i+1 >= len(d.raw) {
				return "", false
			}
			var r byte
			switch d.raw[d.i+1] {
			case '"', '\\', '/':
				r = d.raw[d.i+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default: // \u and anything invalid
				return "", false
			}
			b = append(b, r)
			d.i += 2
			continue
		case c < 0x20 || c >= utf8.RuneSelf:
			return "", false
		}
		b = append(b, c)
		d.i++
	}
	return "", false
}

// number reads a number with JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *quickDecoder) number() (any, bool) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.raw) && d.raw[d.i] >= '0' && d.raw[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.raw[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.raw) && d.raw[d.i] == '0':
		d.i++
	case digits() == 0:
		return nil, false
	}
	if d.i < len(d.raw) && d.raw[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.raw) && (d.raw[d.i] == 'e' || d.raw[d.i] == 'E') {
		d.i++
		if d.i < len(d.raw) && (d.raw[d.i] == '+' || d.raw[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.raw[start:d.i]), true
}

// vaultWords are the field names and the common values of Vault's health
// and replication status bodies. A decoded string that is one of them is
// this copy: a poll's body repeats them for every peer, and each was a
// string allocated anew. vaultBoxed holds the same words boxed as tree
// values. Both are only read after init, by any number of reads at once.
var vaultWords, vaultBoxed = func() (map[string]string, map[string]any) {
	words := []string{
		// field names
		"mode", "data", "cluster_id", "wrap_info", "warnings", "request_id", "renewable", "lease_id",
		"lease_duration", "auth", "primary_cluster_addr", "mount_type", "performance", "dr", "state",
		"merkle_root", "last_wal", "replication_primary_canary_age_ms", "last_heartbeat", "errors",
		"connection_status", "cluster_address", "clock_skew_ms", "api_address", "known_secondaries",
		"version", "standby", "server_time_utc", "secondary_id", "sealed", "replication_performance_mode",
		"replication_dr_mode", "performance_standby", "known_primary_cluster_addrs", "initialized",
		"ssct_generation_counter", "last_remote_wal", "last_reindex_epoch", "last_corruption_check_epoch",
		"corrupted_merkle_tree", "cluster_name", "secondaries", "node_id", "last_heartbeat_duration_ms",
		"enterprise", "primaries", "echo_duration_ms", "connection_state", "terminated", "license",
		"last_start", "expiry_time", "last_performance_wal", "last_dr_wal", "sync_progress",
		"sync_total_keys", "merkle_sync_progress", "reindex_stage", "reindex_in_progress",
		"reindex_building_total", "reindex_building_progress",
		// values
		"", "disabled", "primary", "secondary", "connected", "disconnected", "stream-wals", "ready",
		"unknown", "running", "idle", "none", "system",
	}
	w, b := make(map[string]string, len(words)), make(map[string]any, len(words))
	for _, s := range words {
		w[s], b[s] = s, s
	}
	return w, b
}()
