package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ids draws every identifier the lab invents (tokens, accessors, UUIDs,
// request IDs) from one seeded generator, so a seed reproduces a scenario.
// It is only used under the lab's lock.
type ids struct {
	r *rand.Rand
}

func newIDs(seed int64) *ids {
	s := uint64(seed)
	return &ids{r: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))}
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// alnum returns n random base-62 characters, the alphabet of Vault's token
// bodies and accessors.
func (g *ids) alnum(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = base62[g.r.IntN(len(base62))]
	}
	return string(b)
}

// uuid returns a random RFC 4122-looking UUID (Vault's cluster IDs and request
// IDs are random UUIDs without a meaningful version nibble).
func (g *ids) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		uint32(a>>32), uint16(a>>16), uint16(a), uint16(b>>48), b&0xffffffffffff)
}

// token returns a service-token-shaped secret: "hvs." and 24 characters, the
// shape of root tokens since Vault 1.10.
func (g *ids) token() string { return "hvs." + g.alnum(24) }

// serviceToken returns the shape of a service token minted by a login since
// Vault 1.10: "hvs." and the base64url of a protobuf that starts with the
// same bytes every time ("CAESI…"), about 95 characters in all (vault's
// token_store.go GenerateSSCTokenID). Root tokens keep the short shape.
func (g *ids) serviceToken() string { return "hvs.CAESI" + g.alnum(86) }

// batchToken returns the shape of a batch token: "hvb." and a long
// encrypted blob that starts "AAAAAQ" (Vault's batch tokens are not stored;
// the lab keeps them in its token table so that they replicate to DR).
func (g *ids) batchToken() string { return "hvb.AAAAAQ" + g.alnum(132) }

// accessor returns a 24-character token accessor.
func (g *ids) accessor() string { return g.alnum(24) }

// hex returns n random lowercase hex digits.
func (g *ids) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// float returns a number in [0,1).
func (g *ids) float() float64 { return g.r.Float64() }

// poisson returns how many events of a process with the given mean happen in
// one interval: used for background writes, so that a rate of 0.5/s gives
// irregular but reproducible WAL growth.
func (g *ids) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	// Knuth's method is fine for the small means a 250 ms step produces.
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.r.Float64()
		if p <= l {
			return k
		}
		k++
		if k > 10000 {
			return k
		}
	}
}
