package harness

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// TestWaitReadWaitsForThePeersRead has the other end read with a plain
// net.Conn, so that only what it reads leaves its receive queue.
func TestWaitReadWaitsForThePeersRead(t *testing.T) {
	tr := NewTranscript()
	ln, err := Listen(tr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", ln.Port()))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	server, err := ln.Accept(5*time.Second, "server")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	if err := server.WaitRead(time.Second); err != nil {
		t.Fatalf("with nothing sent, WaitRead = %v", err)
	}
	server.Send("ol")
	if err := server.WaitRead(100 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("with 2 bytes unread, WaitRead = %v; want ErrTimeout", err)
	}
	buf := make([]byte, 2)
	if _, err := io.ReadFull(peer, buf); err != nil {
		t.Fatal(err)
	}
	if err := server.WaitRead(5 * time.Second); err != nil {
		t.Fatalf("once the 2 bytes are read, WaitRead = %v", err)
	}
}
