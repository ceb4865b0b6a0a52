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
