package milestones

import (
	"fmt"
	"strings"
)

// The lines the workbook's programs print on stdout, each in one place: the
// checks build what they expect from these, and the tests in package tests
// use them too. The lessons show them at each milestone (the "what to
// expect" blocks of stage1-server/README.md and the others).

// The servers' lines. Every server prints the first two. When a client
// leaves, a server that ends with its one client (Stage 1) prints
// ClosingLine, and one that goes on (Stage 3, and the experiments' servers)
// prints DisconnectedLine.
const (
	ConnectedLine    = "[INFO] Client connected to server"
	MessagePrefix    = "[CLIENT MESSAGE] " // then what the client sent, escaped as logged escapes it
	ClosingLine      = "[INFO] Client disconnected. Closing server"
	DisconnectedLine = "[INFO] Client disconnected"
	DebugLine        = "[DEBUG] Epoll wait"          // before every wait of an event loop
	ShutdownLine     = "[INFO] Server shutting down" // after SIGINT or SIGTERM
	WarnPrefix       = "[WARN] "                     // then why a client was refused or cut off
	AnyWarning       = WarnPrefix + "…"              // any [WARN] line, as MatchLine reads it
)

// The Stage 2 client's lines.
const (
	ClientConnectedLine = "[INFO] Connected to server"
	ServerGoneLine      = "[INFO] Server disconnected. Closing client"
	RefusedLine         = "[ERROR] Failed to connect to server: connection refused" // on stderr
	ServerMessagePrefix = "[SERVER MESSAGE] "                                       // then the reply, escaped as logged escapes it
)

// The Stage 4 proxy's lines. Its listening line names the upstream too
// (ProxyListeningLine), and each client it relays ends with a
// PairGoneLine.
const (
	ProxyConnectedLine    = "[INFO] Client connected to proxy"
	UpstreamConnectedLine = "[INFO] Connected to upstream"
	PairGonePrefix        = "[INFO] Client disconnected (" // then the byte counts: see PairGoneLine
	ProxyShutdownLine     = "[INFO] Proxy shutting down"
)

// ProxyListeningLine returns the line the proxy prints once it listens on
// port, relaying to upstream ("127.0.0.1:3000").
func ProxyListeningLine(port int, upstream string) string {
	return fmt.Sprintf("[INFO] Proxy listening on port %d, upstream %s", port, upstream)
}

// PairGoneLine returns the line the proxy prints when a pair is finished:
// sent is what it wrote to the upstream for the client, received what it
// wrote to the client from the upstream.
func PairGoneLine(sent, received int64) string {
	return fmt.Sprintf("%ssent %d bytes, received %d bytes)", PairGonePrefix, sent, received)
}

// CannotConnectLine returns the [WARN] line the proxy prints when its
// connection to upstream fails for reason, such as "connection refused".
func CannotConnectLine(upstream, reason string) string {
	return fmt.Sprintf("%sCannot connect to upstream %s: %s; closing the client", WarnPrefix, upstream, reason)
}

// ListeningLine returns the line a server prints once it listens on port.
func ListeningLine(port int) string {
	return fmt.Sprintf("[INFO] Server listening on port %d", port)
}

// MessageLine returns the line a server prints for line, a line it
// received: its content, without the terminator, escaped as logged
// escapes it.
func MessageLine(line string) string {
	return MessagePrefix + logged(content(line))
}

// ServerMessageLine returns the line the client prints for reply.
func ServerMessageLine(reply string) string {
	return ServerMessagePrefix + logged(content(reply))
}

func isDebug(s string) bool      { return s == DebugLine }
func isConnected(s string) bool  { return s == ConnectedLine }
func isGone(s string) bool       { return s == DisconnectedLine }
func isWarn(s string) bool       { return strings.HasPrefix(s, WarnPrefix) }
func isConnOrWarn(s string) bool { return isConnected(s) || isWarn(s) }
func isPairGone(s string) bool   { return strings.HasPrefix(s, PairGonePrefix) }

func isProxyConnected(s string) bool    { return s == ProxyConnectedLine }
func isUpstreamConnected(s string) bool { return s == UpstreamConnectedLine }
