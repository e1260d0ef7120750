// Package httpserver is the node's public HTTP server around the handler
// node/api builds: what a slow or hostile client may hold, and who a
// client is.
//
// Every node serves consumer pages to whoever scans a package's QR code,
// so it faces the open internet. The server therefore bounds:
//   - time: a request's headers within ReadHeaderTimeout, the whole request
//     (body included) within ReadTimeout, the response within WriteTimeout,
//     an idle keep-alive connection within IdleTimeout. A handler that
//     streams (the event stream) clears the deadlines net/http set for it
//     and sets its own per write (http.ResponseController);
//   - connections: at most MaxConns in all and MaxConnsPerClient from one
//     client (Listener); a connection beyond either is closed as soon as it
//     is accepted, so a client holding its share cannot make the next
//     client wait;
//   - header size: 64 KiB.
//
// The server (Server) has a lane in front of net/http for the one request
// clients send thousands of times a second, a single transaction's POST:
// a request of exactly that plain shape (parseHead) is read and answered
// by the lane, through the same handler, with the same timeouts; a
// connection's first request of any other shape hands the connection to
// net/http, which serves it from then on. The lane takes nothing net/http
// would read differently (FuzzParseHeadAgreesWithNetHTTP) and answers as
// net/http does (TestLaneAnswersAsNetHTTP).
//
// A client is an IPv4 address or an IPv6 /64 (Client): a single IPv6 host
// is routinely given a whole /64, so counting full addresses would give one
// machine 2^64 identities. The API's rate limits and stream caps count
// clients the same way. Clients on the node's own host (loopback) are
// exempt from the per-client caps unless LimitLoopback is set, so local
// tools and `qian bench` are never throttled.
package httpserver
