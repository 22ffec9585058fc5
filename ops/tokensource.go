package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl"
)

// Vault CLI settings the token helper lookup follows (as the vault CLI does).
const (
	envVaultConfigPath = "VAULT_CONFIG_PATH" // the CLI config file, default ~/.vault
	vaultTokenFile     = ".vault-token"      // the internal helper's file in $HOME
	helperTimeout      = 10 * time.Second
	maxTokenFileBytes  = 64 << 10
)

// Resolve returns the token the source yields ("" when none does: the
// cluster is then read without a token). Errors never contain the token.
func (s TokenSource) Resolve(ctx context.Context) (string, error) {
	if s.Inline != "" {
		tok := strings.TrimSpace(s.Inline)
		if err := checkTokenText(tok); err != nil {
			return "", fmt.Errorf("inline token: %w", err)
		}
		return tok, nil
	}
	if s.Env != "" {
		if v := strings.TrimSpace(os.Getenv(s.Env)); v != "" {
			if err := checkTokenText(v); err != nil {
				return "", fmt.Errorf("token_env %s: %w", s.Env, err)
			}
			return v, nil
		}
	}
	if s.File != "" {
		tok, err := readTokenFile(s.File)
		if err != nil && s.Where != "" {
			err = fmt.Errorf("%s: %w", s.Where, err)
		}
		if err != nil || tok != "" {
			return tok, err
		}
	}
	if s.Helper {
		return helperToken(ctx)
	}
	return "", nil
}

// readTokenFile reads a token file. A configured file that is missing is an
// error: the operator named it, so silence would hide a typo.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limitReader{r: f, n: maxTokenFileBytes}); err != nil {
		return "", fmt.Errorf("token_file %s: %w", path, err)
	}
	tok := strings.TrimSpace(buf.String())
	if err := checkTokenText(tok); err != nil {
		return "", fmt.Errorf("token_file %s: %w", path, err)
	}
	return tok, nil
}

// checkTokenText refuses a token that cannot be sent as an X-Vault-Token
// header: a control character (a stray escape, a CR from a Windows editor
// mid-line) or a non-ASCII character. Go's HTTP client would refuse it too,
// but per request and with a message that names no file. The token itself
// is never quoted.
func checkTokenText(tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x20 || c >= 0x7f {
			return fmt.Errorf("the token contains a control or non-ASCII byte (%#02x at byte %d of %d)", c, i, len(tok))
		}
	}
	return nil
}

// limitReader fails (rather than truncating) past n bytes: a token file that
// large is a wrong path, not a token.
type limitReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file too large to be a token")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// helperToken asks Vault's token helper, as the vault CLI does: the external
// helper named by token_helper in ~/.vault (or $VAULT_CONFIG_PATH), run as
// "<helper> get", else the internal helper's file ~/.vault-token. A missing
// ~/.vault-token is not an error: nobody has logged in yet.
func helperToken(ctx context.Context) (string, error) {
	helper, err := configuredHelper()
	if err != nil {
		return "", err
	}
	if helper == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("token helper: %w", err)
		}
		tok, err := readTokenFile(filepath.Join(home, vaultTokenFile))
		if err != nil && errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
		return tok, err
	}
	ctx, cancel := context.WithTimeout(ctx, helperTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, helper, "get")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		// stderr is the helper's, not the token; it is bounded and sanitised
		// all the same.
		return "", fmt.Errorf("token helper %s get: %w: %s", helper, err, redactSecrets(truncate(strings.TrimSpace(stderr.String()), 200)))
	}
	return strings.TrimSpace(out.String()), nil
}

// configuredHelper returns the token_helper set in the vault CLI config
// file, "" when none is set or the file does not exist.
func configuredHelper() (string, error) {
	path := os.Getenv(envVaultConfigPath)
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", nil
		}
		path = filepath.Join(home, ".vault")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("vault CLI config %s: %w", path, err)
	}
	var conf struct {
		TokenHelper string `hcl:"token_helper"`
	}
	if err := hcl.Decode(&conf, string(data)); err != nil {
		return "", fmt.Errorf("vault CLI config %s: %w", path, err)
	}
	helper := expandPath(conf.TokenHelper, "")
	if helper != "" && !filepath.IsAbs(helper) {
		// The vault CLI requires an absolute path too: a relative one would
		// depend on the current directory.
		return "", fmt.Errorf("vault CLI config %s: token_helper %q must be an absolute path", path, helper)
	}
	return helper, nil
}
