package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ACL policies. The lab needs real authorisation because the lessons depend on
// it: a token without sudo cannot mint an activation token, the operator's
// token works through a replicated policy on a secondary, and a perf
// secondary's old root token stops working. The parser understands the part
// of Vault's policy language that replication work uses: path blocks with
// capabilities (or the legacy policy = "write" shorthand), in HCL or JSON.
// Parameter constraints are parsed over and ignored.

const (
	capCreate = "create"
	capRead   = "read"
	capUpdate = "update"
	capPatch  = "patch"
	capDelete = "delete"
	capList   = "list"
	capSudo   = "sudo"
	capDeny   = "deny"
	capRoot   = "root"
)

var validCaps = []string{capCreate, capRead, capUpdate, capPatch, capDelete, capList, capSudo, capDeny}

type pathRule struct {
	pattern string
	caps    []string
}

type acl struct {
	rules []pathRule
}

// parsePolicy parses HCL or JSON policy text.
func parsePolicy(text string) (*acl, error) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "{") {
		return parseJSONPolicy(t)
	}
	toks, err := lexHCL(t)
	if err != nil {
		return nil, err
	}
	p := &hclParser{toks: toks}
	return p.policy()
}

func parseJSONPolicy(t string) (*acl, error) {
	var doc struct {
		Path map[string]struct {
			Capabilities []string `json:"capabilities"`
			Policy       string   `json:"policy"`
		} `json:"path"`
	}
	if err := json.Unmarshal([]byte(t), &doc); err != nil {
		return nil, err
	}
	a := &acl{}
	for pat, body := range doc.Path {
		caps, err := normaliseCaps(body.Capabilities, body.Policy)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", pat, err)
		}
		a.rules = append(a.rules, pathRule{pattern: pat, caps: caps})
	}
	sort.Slice(a.rules, func(i, j int) bool { return a.rules[i].pattern < a.rules[j].pattern })
	return a, nil
}

func normaliseCaps(caps []string, legacy string) ([]string, error) {
	out := slices.Clone(caps)
	switch legacy {
	case "":
	case "deny":
		out = append(out, capDeny)
	case "read":
		out = append(out, capRead, capList)
	case "write":
		out = append(out, capCreate, capRead, capUpdate, capDelete, capList)
	case "sudo":
		out = append(out, capCreate, capRead, capUpdate, capDelete, capList, capSudo)
	default:
		return nil, fmt.Errorf("invalid policy %q", legacy)
	}
	for _, c := range out {
		if !slices.Contains(validCaps, c) {
			return nil, fmt.Errorf("invalid capability %q", c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

type hclTok struct {
	kind byte // 's' string, 'i' identifier or number, or the punctuation itself
	text string
}

func lexHCL(s string) ([]hclTok, error) {
	var toks []hclTok
	isWord := func(c byte) bool {
		return c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',':
			toks = append(toks, hclTok{kind: ','})
			i++
		case c == '#' || strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			i += 2 + end + 2
		case c == '"':
			var b strings.Builder
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			i++
			toks = append(toks, hclTok{kind: 's', text: b.String()})
		case strings.IndexByte("{}[]=", c) >= 0:
			toks = append(toks, hclTok{kind: c})
			i++
		case isWord(c):
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			toks = append(toks, hclTok{kind: 'i', text: s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q", c)
		}
	}
	return toks, nil
}

type hclParser struct {
	toks []hclTok
	pos  int
}

func (p *hclParser) next() (hclTok, bool) {
	if p.pos >= len(p.toks) {
		return hclTok{}, false
	}
	t := p.toks[p.pos]
	p.pos++
	return t, true
}

func (p *hclParser) expect(kind byte) (hclTok, error) {
	t, ok := p.next()
	if !ok || t.kind != kind {
		return t, fmt.Errorf("expected %q at token %d", kind, p.pos)
	}
	return t, nil
}

func (p *hclParser) policy() (*acl, error) {
	a := &acl{}
	for p.pos < len(p.toks) {
		t, _ := p.next()
		if t.kind != 'i' {
			return nil, fmt.Errorf("expected a block name at token %d", p.pos)
		}
		if t.text != "path" {
			// Other top-level keys (name = "...") are accepted and ignored.
			if err := p.skipAssignmentOrBlock(); err != nil {
				return nil, err
			}
			continue
		}
		pat, err := p.expect('s')
		if err != nil {
			return nil, err
		}
		if _, err := p.expect('{'); err != nil {
			return nil, err
		}
		var caps []string
		var legacy string
		for {
			t, ok := p.next()
			if !ok {
				return nil, fmt.Errorf("unterminated path block %q", pat.text)
			}
			if t.kind == '}' {
				break
			}
			if t.kind != 'i' {
				return nil, fmt.Errorf("unexpected token in path %q", pat.text)
			}
			switch t.text {
			case "capabilities":
				if _, err := p.expect('='); err != nil {
					return nil, err
				}
				list, err := p.stringList()
				if err != nil {
					return nil, err
				}
				caps = append(caps, list...)
			case "policy":
				if _, err := p.expect('='); err != nil {
					return nil, err
				}
				v, err := p.expect('s')
				if err != nil {
					return nil, err
				}
				legacy = v.text
			default:
				if err := p.skipAssignmentOrBlock(); err != nil {
					return nil, err
				}
			}
		}
		norm, err := normaliseCaps(caps, legacy)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", pat.text, err)
		}
		a.rules = append(a.rules, pathRule{pattern: pat.text, caps: norm})
	}
	return a, nil
}

func (p *hclParser) stringList() ([]string, error) {
	if _, err := p.expect('['); err != nil {
		return nil, err
	}
	var out []string
	for {
		t, ok := p.next()
		if !ok {
			return nil, fmt.Errorf("unterminated list")
		}
		switch t.kind {
		case ']':
			return out, nil
		case ',':
		case 's':
			out = append(out, t.text)
		default:
			return nil, fmt.Errorf("expected a string in list")
		}
	}
}

// skipAssignmentOrBlock skips `= value` or `{ … }` (allowed_parameters and
// friends), balancing brackets.
func (p *hclParser) skipAssignmentOrBlock() error {
	t, ok := p.next()
	if !ok {
		return fmt.Errorf("unexpected end of policy")
	}
	if t.kind == '=' {
		t, ok = p.next()
		if !ok {
			return fmt.Errorf("unexpected end of policy")
		}
	}
	if t.kind != '{' && t.kind != '[' {
		return nil
	}
	depth := 1
	for depth > 0 {
		t, ok = p.next()
		if !ok {
			return fmt.Errorf("unbalanced brackets")
		}
		switch t.kind {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return nil
}

// capabilities returns what a set of policies grants on path, Vault-style:
// rules for the same pattern merge across policies (deny wins), and the most
// specific matching pattern decides. The result is sorted, as Vault returns it;
// a path nothing grants yields ["deny"].
func capabilities(policies []*acl, path string) []string {
	merged := map[string][]string{}
	for _, p := range policies {
		for _, r := range p.rules {
			merged[r.pattern] = append(merged[r.pattern], r.caps...)
		}
	}
	best, found := "", false
	for pat := range merged {
		if !globMatch(pat, path) {
			continue
		}
		if !found || moreSpecific(pat, best) {
			best, found = pat, true
		}
	}
	if !found {
		return []string{capDeny}
	}
	caps := slices.Clone(merged[best])
	if slices.Contains(caps, capDeny) {
		return []string{capDeny}
	}
	slices.Sort(caps)
	caps = slices.Compact(caps)
	if len(caps) == 0 {
		return []string{capDeny}
	}
	return caps
}

// globMatch implements Vault's path globs: a trailing * matches any suffix and
// a + matches exactly one path segment.
func globMatch(pattern, path string) bool {
	prefix := strings.HasSuffix(pattern, "*")
	pattern = strings.TrimSuffix(pattern, "*")
	if !strings.Contains(pattern, "+") {
		if prefix {
			return strings.HasPrefix(path, pattern)
		}
		return path == pattern
	}
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(xs) < len(ps) || (!prefix && len(xs) != len(ps)) {
		return false
	}
	for i, seg := range ps {
		last := i == len(ps)-1
		switch {
		case seg == "+":
			if xs[i] == "" && !last {
				return false
			}
		case last && prefix:
			if !strings.HasPrefix(strings.Join(xs[i:], "/"), seg) {
				return false
			}
		case seg != xs[i]:
			return false
		}
	}
	return true
}

// moreSpecific approximates Vault's priority rules: no glob beats a glob, a
// later first wildcard beats an earlier one, fewer + segments win, and then the
// longer pattern wins.
func moreSpecific(a, b string) bool {
	wa, wb := firstWildcard(a), firstWildcard(b)
	if wa != wb {
		return wa > wb
	}
	ga, gb := strings.HasSuffix(a, "*"), strings.HasSuffix(b, "*")
	if ga != gb {
		return !ga
	}
	pa, pb := strings.Count(a, "+"), strings.Count(b, "+")
	if pa != pb {
		return pa < pb
	}
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a < b
}

func firstWildcard(p string) int {
	i := strings.IndexAny(p, "+*")
	if i < 0 {
		return len(p) + 1 // exact patterns rank above every glob
	}
	return i
}
