package httpserver

import "bytes"

// laneHead is what the lane needs of a request's head.
type laneHead struct {
	size          int // bytes of the head, its blank line included; 0: not the lane's
	path          string
	host          []byte // into the parsed bytes: copy before reading on
	contentType   []byte
	contentLength int64
	err           error // readHead: the connection failed
}

// parseHead reads the request head at the start of b. It is the lane's
// (size > 0) only when it is exactly one of lines ("POST <path>
// HTTP/1.1\r\n"), then header lines each ending in CRLF, then a blank
// line; its header names are all among Host and Content-Length (each once,
// both present), Content-Type (at most once), Connection: keep-alive, and
// headers the handler never reads (User-Agent, Accept, Accept-Encoding,
// Accept-Language); values are visible ASCII; Host is a plain host[:port];
// Content-Length is decimal digits up to maxBody. Anything else — another
// method, path, query or version, Transfer-Encoding, Expect, a folded or
// bare-LF line, Connection: close, a duplicate — is not the lane's, and
// net/http, which knows every form, serves it. more reports that b holds no
// whole head yet and that more bytes could make it the lane's.
//
// The shape is narrow on purpose: whatever the lane accepts, net/http would
// read as the same request (FuzzParseHeadAgreesWithNetHTTP).
func parseHead(b []byte, lines [][]byte, paths []string, maxBody int64) (h laneHead, more bool) {
	at := -1
	for i, l := range lines {
		if len(b) < len(l) {
			if bytes.HasPrefix(l, b) {
				more = true
			}
			continue
		}
		if bytes.HasPrefix(b, l) {
			at = i
			break
		}
	}
	if at < 0 {
		return laneHead{}, more
	}
	h.path = paths[at]
	pos := len(lines[at])
	var hosts, lengths, types int
	for {
		end := bytes.IndexByte(b[pos:], '\n')
		if end < 0 {
			return laneHead{}, true
		}
		line := b[pos : pos+end+1]
		pos += end + 1
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return laneHead{}, false
		}
		line = line[:len(line)-2]
		if len(line) == 0 {
			if hosts != 1 || lengths != 1 {
				return laneHead{}, false
			}
			h.size = pos
			return h, false
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return laneHead{}, false
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		if !visible(value) {
			return laneHead{}, false
		}
		switch {
		case fold(name, "host"):
			hosts++
			if hosts > 1 || !plainHost(value) {
				return laneHead{}, false
			}
			h.host = value
		case fold(name, "content-length"):
			lengths++
			n, ok := decimal(value, maxBody)
			if lengths > 1 || !ok {
				return laneHead{}, false
			}
			h.contentLength = n
		case fold(name, "content-type"):
			types++
			if types > 1 || len(value) == 0 {
				return laneHead{}, false
			}
			h.contentType = value
		case fold(name, "connection"):
			if !fold(value, "keep-alive") {
				return laneHead{}, false
			}
		case fold(name, "user-agent"), fold(name, "accept"), fold(name, "accept-encoding"), fold(name, "accept-language"):
		default:
			return laneHead{}, false
		}
	}
}

// fold reports whether b is lower (ASCII lower case) in any case.
func fold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// trimOWS trims the spaces and tabs around a header value.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// visible reports whether b is visible ASCII, spaces and tabs.
func visible(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// plainHost reports whether b is a non-empty host[:port] of letters,
// digits and . - _ : [ ] only.
func plainHost(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']':
		default:
			return false
		}
	}
	return len(b) > 0
}

// decimal parses 1 to 9 decimal digits no greater than max.
func decimal(b []byte, max int64) (int64, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n <= max
}
