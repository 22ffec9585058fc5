package ops

import (
	"fmt"
	"time"
)

// unusedTokenReason judges a known secondary that has never connected. A
// token this process generated (issued) and whose TTL has not run out on
// the cluster's clock is pending activation: nothing is wrong, its expiry
// is said. Past its TTL it can no longer be used, and its id stays in
// known_secondaries until revoked: a warning with the revoke command. A
// token of unknown age (generated elsewhere, or before this process
// started) is the same warning, worded for both cases.
//
// clusterNow is now on the primary's clock; off is that clock minus this
// machine's, so that the expiry is shown on the clock the reader looks at.
func unusedTokenReason(clusterNow time.Time, off time.Duration, t ReplicationType, id string, issued []IssuedToken) Reason {
	revoke := "vault write sys/replication/" + t.String() + "/primary/revoke-secondary id=" + id
	offer := Offer{Kind: OfferRevoke, Type: t, SecondaryID: id}
	tok, ok := issuedFor(issued, t, id)
	switch {
	case ok && clusterNow.Before(tok.Expires):
		return Reason{Severity: SeverityOK, Text: fmt.Sprintf("secondary %s: pending activation (expires %s, in %s)",
			id, tok.Expires.Add(-off).Format("15:04"), formatAge(tok.Expires.Sub(clusterNow)))}
	case ok:
		return Reason{Severity: SeverityWarning, Text: fmt.Sprintf("secondary %s: its activation token expired at %s unused; the id stays known until revoked",
			id, tok.Expires.Add(-off).Format("15:04")), Do: revoke, Offer: offer}
	}
	return Reason{Severity: SeverityWarning, Text: neverConnectedText(id),
		Do: "if the token will not be used (or has expired): " + revoke, Offer: offer}
}

// neverConnectedText is the finding of a known secondary of unknown token
// age that never connected.
func neverConnectedText(id string) string {
	return fmt.Sprintf("secondary %s has a token but has never connected", id)
}
