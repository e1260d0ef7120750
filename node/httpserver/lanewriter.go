package httpserver

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// laneWriter is the http.ResponseWriter of a lane request: it keeps the
// answer and writes it whole, head and body in one write (finish), as
// net/http does for an answer that fits its buffer. Headers count as
// written at WriteHeader (or the first Write), as in net/http.
type laneWriter struct {
	conn   net.Conn
	header http.Header

	status int    // 0 until WriteHeader
	head   []byte // the handler's header lines, from WriteHeader
	// What the handler's header already says.
	hasType, hasDate, saysClose bool
	body                        []byte
	// close: the connection closes after this answer (the handler said
	// Connection: close, or the request's body could not be drained).
	close bool
	// cut: the handler wrote more than maxLaneAnswer; the connection
	// closes without an answer.
	cut bool
}

// maxLaneAnswer bounds a lane answer, which is held whole before it is
// written: the lane is for handlers with short answers.
const maxLaneAnswer = 1 << 20

var errLaneAnswer = errors.New("httpserver: a lane answer is limited to 1 MiB")

func (w *laneWriter) Header() http.Header { return w.header }

// WriteHeader fixes the status and the header. Informational (1xx)
// statuses are not sent: no lane handler uses them.
func (w *laneWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return
	}
	w.status = code
	keys := make([]string, 0, len(w.header))
	for k := range w.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "Content-Type":
			w.hasType = true
		case "Content-Length", "Transfer-Encoding":
			// The lane frames the answer itself, by its length: a
			// handler's own framing could disagree with the body.
			continue
		case "Date":
			w.hasDate = true // a nil value keeps net/http's Date out too
		case "Connection":
			for _, v := range w.header[k] {
				if strings.EqualFold(strings.TrimSpace(v), "close") {
					w.saysClose, w.close = true, true
				}
			}
		}
		if !validHeaderName(k) {
			continue
		}
		for _, v := range w.header[k] {
			w.head = append(w.head, k...)
			w.head = append(w.head, ": "...)
			w.head = appendHeaderValue(w.head, v)
			w.head = append(w.head, "\r\n"...)
		}
	}
}

func (w *laneWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if len(w.body)+len(p) > maxLaneAnswer {
		w.cut = true
		return 0, errLaneAnswer
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// SetWriteDeadline lets http.ResponseController move the answer's deadline.
func (w *laneWriter) SetWriteDeadline(t time.Time) error { return w.conn.SetWriteDeadline(t) }

// SetReadDeadline lets http.ResponseController move the body's deadline.
func (w *laneWriter) SetReadDeadline(t time.Time) error { return w.conn.SetReadDeadline(t) }

// finish writes the answer: the status line, the handler's header, then
// what net/http adds — a sniffed Content-Type, Content-Length, Date and,
// when the connection closes, Connection: close — and the body.
func (w *laneWriter) finish() error {
	if w.cut {
		return errLaneAnswer
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	out := make([]byte, 0, 160+len(w.head)+len(w.body))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(w.status), 10)
	out = append(out, ' ')
	if text := http.StatusText(w.status); text != "" {
		out = append(out, text...)
	} else {
		out = append(out, "status code "...)
		out = strconv.AppendInt(out, int64(w.status), 10)
	}
	out = append(out, "\r\n"...)
	out = append(out, w.head...)
	if bodyAllowed(w.status) {
		if !w.hasType && len(w.body) > 0 {
			out = append(out, "Content-Type: "...)
			out = append(out, http.DetectContentType(w.body)...)
			out = append(out, "\r\n"...)
		}
		out = append(out, "Content-Length: "...)
		out = strconv.AppendInt(out, int64(len(w.body)), 10)
		out = append(out, "\r\n"...)
	}
	if !w.hasDate {
		out = append(out, "Date: "...)
		out = time.Now().UTC().AppendFormat(out, http.TimeFormat)
		out = append(out, "\r\n"...)
	}
	if w.close && !w.saysClose {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	out = append(out, w.body...)
	_, err := w.conn.Write(out)
	return err
}

// bodyAllowed reports whether a response with status may have a body (RFC
// 9110 §6.4.1), as net/http's.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// validHeaderName reports whether k is an RFC 9110 token, as net/http
// requires of the names it writes.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendHeaderValue appends v with CR and LF turned to spaces and the
// white space around it trimmed, as net/http writes header values.
func appendHeaderValue(b []byte, v string) []byte {
	v = strings.Trim(v, " \t\r\n")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}
