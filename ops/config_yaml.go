package ops

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The configuration file is decoded through yaml.Node rather than straight
// into structs so that every error can name the file, the line and the field
// path (clusters[1].tls.ca_cert), and so that unknown and duplicate fields
// are errors: a typo must not silently drop a setting such as read_only.

// handler decodes the value node of one field.
type handler func(n *yaml.Node, field string) error

type configParser struct {
	file    string
	dir     string
	private bool // the file is 0600 or stricter: an inline token is allowed
}

// maxConfigBytes bounds the file: a cluster list is a few KiB at most.
const maxConfigBytes = 1 << 20

// parseConfig decodes and validates the file's contents.
func parseConfig(path string, data []byte, private bool) (Config, error) {
	cfg := Config{Path: path, Lines: map[string]int{}}
	if len(data) > maxConfigBytes {
		return cfg, configError(path, 0, "", fmt.Sprintf("file is larger than %d bytes", maxConfigBytes), nil)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, configError(path, 0, "", strings.TrimPrefix(err.Error(), "yaml: "), err)
	}
	if len(doc.Content) == 0 {
		return cfg, nil // an empty file configures nothing
	}
	p := &configParser{file: path, dir: filepath.Dir(path), private: private}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cfg, nil
	}
	at := func(h handler) handler {
		return func(n *yaml.Node, field string) error { cfg.Lines[field] = n.Line; return h(n, field) }
	}
	err := p.mapping(root, "", map[string]handler{
		"read_only":  at(p.boolField(&cfg.ReadOnly)),
		"interval":   at(p.minDurationField(&cfg.Interval, MinPollInterval)),
		"timeout":    at(p.durationField(&cfg.Timeout)),
		"theme":      at(p.stringField(&cfg.Theme)),
		"clusters":   at(p.clusters(&cfg.Clusters)),
		"thresholds": at(p.thresholds(&cfg.Thresholds)),
	})
	if err != nil {
		return Config{Path: path}, err
	}
	return cfg, nil
}

// resolveAlias follows a YAML alias (*name) to its anchor.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func (p *configParser) errAt(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return configError(p.file, line, field, fmt.Sprintf(format, args...), nil)
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// mapping walks a mapping node, calling the handler of each key. Unknown and
// duplicate keys are errors.
func (p *configParser) mapping(n *yaml.Node, field string, handlers map[string]handler) error {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, field, "expected a mapping of fields, got %s", describeNode(n))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		f := joinField(field, k.Value)
		if first, dup := seen[k.Value]; dup {
			return p.errAt(k, f, "duplicate field (first set at line %d)", first)
		}
		seen[k.Value] = k.Line
		h, ok := handlers[k.Value]
		if !ok {
			return p.errAt(k, f, "unknown field%s", suggest(k.Value, handlers))
		}
		if err := h(v, f); err != nil {
			return err
		}
	}
	return nil
}

// suggest proposes the known field closest to a misspelt one.
func suggest(key string, handlers map[string]handler) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(handlers))
	for name := range handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if d := editDistance(key, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance, for short field names only.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return "a " + strings.TrimPrefix(n.ShortTag(), "!!") + " value"
	}
	return "something else"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// scalar returns a scalar's text; any scalar type is accepted for text
// fields (a label of 2024 is fine), null is "".
func (p *configParser) scalar(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errAt(n, field, "expected a single value, got %s", describeNode(n))
	}
	if isNull(n) {
		return "", nil
	}
	return n.Value, nil
}

func (p *configParser) stringField(dst *string) handler {
	return func(n *yaml.Node, field string) error {
		s, err := p.scalar(n, field)
		*dst = strings.TrimSpace(s)
		return err
	}
}

func (p *configParser) boolField(dst *bool) handler {
	return func(n *yaml.Node, field string) error {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return p.errAt(n, field, "expected true or false, got %s", describeNode(n))
		}
		v, err := strconv.ParseBool(n.Value)
		if err != nil {
			return p.errAt(n, field, "expected true or false")
		}
		*dst = v
		return nil
	}
}

func (p *configParser) durationField(dst *time.Duration) handler {
	return func(n *yaml.Node, field string) error {
		s, err := p.scalar(n, field)
		if err != nil || s == "" {
			return err
		}
		d, perr := time.ParseDuration(s)
		if perr != nil || d <= 0 {
			return p.errAt(n, field, "expected a positive duration such as 2s or 500ms, got %q", truncate(s, 40))
		}
		*dst = d
		return nil
	}
}

// minDurationField is durationField with a lower bound.
func (p *configParser) minDurationField(dst *time.Duration, least time.Duration) handler {
	plain := p.durationField(dst)
	return func(n *yaml.Node, field string) error {
		if err := plain(n, field); err != nil {
			return err
		}
		if *dst != 0 && *dst < least {
			return p.errAt(n, field, "%s is too short: the least is %s", *dst, least)
		}
		return nil
	}
}

func (p *configParser) pathField(dst *string) handler {
	return func(n *yaml.Node, field string) error {
		s, err := p.scalar(n, field)
		if err != nil {
			return err
		}
		if i := strings.IndexFunc(s, isControl); i >= 0 {
			return p.errAt(n, field, "the path contains a control character (%s at byte %d)", cleanText(string(s[i])), i)
		}
		*dst = expandPath(strings.TrimSpace(s), p.dir)
		return nil
	}
}

// isControl reports a C0 or C1 control character or DEL: never part of a
// path, a name or a token, and a terminal escape when printed.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }

// stringsField reads a list of single values.
func (p *configParser) stringsField(dst *[]string, nodes *[]*yaml.Node) handler {
	return func(n *yaml.Node, field string) error {
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return p.errAt(n, field, "expected a list, got %s", describeNode(n))
		}
		for i, item := range n.Content {
			item = resolveAlias(item)
			s, err := p.scalar(item, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return err
			}
			*dst = append(*dst, strings.TrimSpace(s))
			*nodes = append(*nodes, item)
		}
		return nil
	}
}

func (p *configParser) clusters(dst *[]ClusterConfig) handler {
	return func(n *yaml.Node, field string) error {
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return p.errAt(n, field, "expected a list of clusters, got %s", describeNode(n))
		}
		names := map[string]int{}
		for i, item := range n.Content {
			f := fmt.Sprintf("%s[%d]", field, i)
			c, err := p.cluster(resolveAlias(item), f, names)
			if err != nil {
				return err
			}
			*dst = append(*dst, c)
		}
		return nil
	}
}

// clusterNodes remembers where some fields were, for validation errors.
type clusterNodes struct {
	name, address, token, tokenFile *yaml.Node
	sources                         []*yaml.Node
	redirects                       []*yaml.Node
}

func (p *configParser) cluster(n *yaml.Node, field string, names map[string]int) (ClusterConfig, error) {
	var c ClusterConfig
	var at clusterNodes
	track := func(dst **yaml.Node, h handler) handler {
		return func(v *yaml.Node, f string) error { *dst = v; return h(v, f) }
	}
	// A token source counts as set unless it is null or false, so that
	// "token_helper: false" beside token_env is not a conflict.
	source := func(h handler) handler {
		return func(v *yaml.Node, f string) error {
			if !isNull(v) && (v.ShortTag() != "!!bool" || v.Value != "false") {
				at.sources = append(at.sources, v)
			}
			return h(v, f)
		}
	}
	err := p.mapping(n, field, map[string]handler{
		"name":           track(&at.name, p.stringField(&c.Name)),
		"address":        track(&at.address, p.stringField(&c.Address)),
		"label":          p.stringField(&c.Label),
		"namespace":      p.stringField(&c.Namespace),
		"token_env":      source(p.stringField(&c.Token.Env)),
		"token_file":     source(track(&at.tokenFile, p.pathField(&c.Token.File))),
		"token_helper":   source(p.boolField(&c.Token.Helper)),
		"token":          source(track(&at.token, p.secretField(&c.Token.Inline))),
		"tls":            p.tls(&c.TLS),
		"read_only":      p.boolField(&c.ReadOnly),
		"protected":      p.boolField(&c.Protected),
		"redirect_hosts": p.stringsField(&c.RedirectHosts, &at.redirects),
	})
	if err != nil {
		return c, err
	}
	if at.tokenFile != nil {
		// Resolve reads the file later, when the client is built: its
		// errors name the place in this file that set it.
		c.Token.Where = fmt.Sprintf("%s:%d: %s", p.file, at.tokenFile.Line, joinField(field, "token_file"))
	}
	return c, p.validateCluster(n, field, c, at, names)
}

// secretField reads the inline token without ever echoing it.
func (p *configParser) secretField(dst *string) handler {
	return func(n *yaml.Node, field string) error {
		if n.Kind != yaml.ScalarNode {
			return p.errAt(n, field, "expected the token as a single value, got %s", describeNode(n))
		}
		if !isNull(n) {
			*dst = strings.TrimSpace(n.Value)
		}
		return nil
	}
}

func (p *configParser) tls(dst *TLSConfig) handler {
	return func(n *yaml.Node, field string) error {
		if isNull(n) {
			return nil
		}
		return p.mapping(n, field, map[string]handler{
			"ca_cert":     p.pathField(&dst.CACert),
			"ca_path":     p.pathField(&dst.CAPath),
			"client_cert": p.pathField(&dst.ClientCert),
			"client_key":  p.pathField(&dst.ClientKey),
			"server_name": p.stringField(&dst.ServerName),
			"insecure":    p.boolField(&dst.Insecure),
		})
	}
}

func (p *configParser) validateCluster(n *yaml.Node, field string, c ClusterConfig, at clusterNodes, names map[string]int) error {
	nameNode := n
	if at.name != nil {
		nameNode = at.name
	}
	if err := ValidateClusterName(c.Name); err != nil {
		return p.errAt(nameNode, joinField(field, "name"), "%v", err)
	}
	if first, dup := names[c.Name]; dup {
		return p.errAt(nameNode, joinField(field, "name"), "name %q is already used at line %d", c.Name, first)
	}
	names[c.Name] = nameNode.Line
	addrNode := n
	if at.address != nil {
		addrNode = at.address
	}
	if c.Address == "" {
		return p.errAt(addrNode, joinField(field, "address"), "address is required (e.g. https://vault.example.com:8200)")
	}
	if err := ValidateAddress(c.Address); err != nil {
		return p.errAt(addrNode, joinField(field, "address"), "%v", err)
	}
	u, _ := url.Parse(c.Address)
	for i, h := range c.RedirectHosts {
		if _, err := RedirectOrigin(h, u.Scheme); err != nil {
			return p.errAt(at.redirects[i], fmt.Sprintf("%s[%d]", joinField(field, "redirect_hosts"), i), "%v", err)
		}
	}
	return p.validateCredentials(n, field, c, at)
}

func (p *configParser) validateCredentials(n *yaml.Node, field string, c ClusterConfig, at clusterNodes) error {
	if len(at.sources) > 1 {
		return p.errAt(at.sources[1], field, "set only one of token_env, token_file, token_helper and token")
	}
	if c.Token.Inline != "" && !p.private {
		return p.errAt(at.token, joinField(field, "token"),
			"an inline token needs a private config file: run chmod 600 %s (or use token_env, token_file or token_helper)", p.file)
	}
	if (c.TLS.ClientCert == "") != (c.TLS.ClientKey == "") {
		return p.errAt(n, joinField(field, "tls"), "client_cert and client_key go together: set both or neither")
	}
	return nil
}
