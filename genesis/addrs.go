package genesis

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Limits of a node's addresses in genesis.
const (
	MaxAddresses    = 8
	MaxAddressBytes = 256
)

// ValidateAddress checks one address where a node is dialled: a libp2p
// multiaddr in its canonical text form, over TCP or QUIC v1, without a
// /p2p/ part (genesis names the peer id beside it).
func ValidateAddress(s string) error {
	if len(s) > MaxAddressBytes {
		return fmt.Errorf("address of %d bytes, at most %d", len(s), MaxAddressBytes)
	}
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		return fmt.Errorf("%q is not a multiaddr: %v", s, err)
	}
	if a.String() != s {
		return fmt.Errorf("%q must be written in its canonical form %s", s, a)
	}
	if _, err := a.ValueForProtocol(ma.P_P2P); err == nil {
		return fmt.Errorf("%q must not name a peer id (/p2p/...): the node's peer_id says it", s)
	}
	_, noTCP := a.ValueForProtocol(ma.P_TCP)
	_, noQUIC := a.ValueForProtocol(ma.P_QUIC_V1)
	if noTCP != nil && noQUIC != nil {
		return fmt.Errorf("%q is neither a TCP nor a QUIC v1 address, such as /ip4/203.0.113.7/tcp/26656", s)
	}
	return nil
}

func validateAddresses(field string, addrs []string) error {
	if len(addrs) > MaxAddresses {
		return fieldErr(field, "%d addresses, at most %d", len(addrs), MaxAddresses)
	}
	seen := map[string]int{}
	for k, s := range addrs {
		f := fmt.Sprintf("%s[%d]", field, k)
		if err := ValidateAddress(s); err != nil {
			return fieldErr(f, "%v", err)
		}
		if j, dup := seen[s]; dup {
			return fieldErr(f, "repeats %s[%d]", field, j)
		}
		seen[s] = k
	}
	return nil
}

// Peers says, for the node whose peer id is self, what genesis alone says
// of the network: the validators' and the observers' nodes, and whom to
// dial (every other validator with addresses, at them). A node adds its
// config's p2p.peers and p2p.allowed_peers to these, and follows the
// validator set as governance changes it.
func (d *Doc) Peers(self peer.ID) (validators, observers []peer.ID, dial []peer.AddrInfo) {
	for _, v := range d.Validators {
		validators = append(validators, v.PeerID)
		if v.PeerID == self || len(v.Addresses) == 0 {
			continue
		}
		info := peer.AddrInfo{ID: v.PeerID}
		for _, s := range v.Addresses {
			if a, err := ma.NewMultiaddr(s); err == nil { // validated: always
				info.Addrs = append(info.Addrs, a)
			}
		}
		dial = append(dial, info)
	}
	for _, o := range d.Observers {
		observers = append(observers, o.PeerID)
	}
	return validators, observers, dial
}
