package nodetest

import (
	"net"
	"strings"
	"testing"
	"time"
)

// A member whose P2P and HTTP ports another process took after the network
// was made listens on others, and the network still commits.
func TestAMemberWhosePortsAreTakenMovesToOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs two validators")
	}
	nw := New(t, Options{Validators: 2})
	taken := nw.Members[1].Config.P2P.Listen[0] // /ip4/127.0.0.1/tcp/PORT
	port := taken[strings.LastIndex(taken, "/")+1:]
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Skipf("could not take port %s for the test: %v", port, err)
	}
	defer ln.Close()
	takenHTTP := nw.Members[1].Config.HTTP.Listen
	lnHTTP, err := net.Listen("tcp", takenHTTP)
	if err != nil {
		t.Skipf("could not take %s for the test: %v", takenHTTP, err)
	}
	defer lnHTTP.Close()
	nw.StartAll()
	if nw.Members[1].Config.P2P.Listen[0] == taken {
		t.Fatalf("member 1 still listens on %s", taken)
	}
	if nw.Members[1].Config.HTTP.Listen == takenHTTP || nw.Members[1].URL == "http://"+takenHTTP {
		t.Fatalf("member 1's API still on %s", takenHTTP)
	}
	nw.WaitHeight(3, 30*time.Second)
}
