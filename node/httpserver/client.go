package httpserver

import (
	"net"
	"net/http"
)

// Client returns the key that identifies ip's client for limits: the IPv4
// address (an IPv4-mapped IPv6 address counts as IPv4), or the /64 of an
// IPv6 address, written as its prefix ("2001:db8:1:2::/64"). A nil ip is
// the empty key.
func Client(ip net.IP) string {
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// RemoteIP is the IP of a request's TCP peer. Forwarding headers
// (X-Forwarded-For) are not trusted: behind a proxy, the proxy is the
// client, and limits belong in the proxy.
func RemoteIP(r *http.Request) net.IP { return addrIP(r.RemoteAddr) }

func addrIP(hostport string) net.IP {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return net.ParseIP(host)
}
