package milestones

import (
	"fmt"
	"strconv"
	"strings"

	"workbook/tests/harness"
)

// A little HTTP/1.1 client on a check's connection, for fetching files
// through a proxy: it sends GET requests and reads their responses, on one
// connection, one after the other (keep-alive), with every byte in the
// transcript.

// getRequest returns a GET request for path, as a client sends it.
func getRequest(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: workbook-check\r\n\r\n"
}

// An httpResponse is a response as readResponse read it.
type httpResponse struct {
	status string // the status line, such as "HTTP/1.1 200 OK"
	body   string // its body, Content-Length bytes
}

// readResponse reads one response from c: the status line, the header
// lines up to the empty one, and a body of Content-Length bytes. It
// returns what arrived, and an error that says where it stopped. Reading
// the body is a busy part of the check (see readAll).
func readResponse(t *T, c *harness.Conn) (httpResponse, error) {
	var r httpResponse
	length := -1
	for first := true; ; first = false {
		line, err := c.ReadLine(waitReply)
		if err != nil {
			return r, &readError{"the response's head ended early", err}
		}
		line = strings.TrimRight(line, "\r\n")
		if first {
			r.status = line
			continue
		}
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return r, fmt.Errorf("bad Content-Length header %q", line)
			}
		}
	}
	if length < 0 {
		return r, fmt.Errorf("the response (%s) has no Content-Length header", r.status)
	}
	body, err := readAll(t, c, length)
	r.body = body
	if err != nil {
		return r, &readError{fmt.Sprintf("the body ended after %d of its %d bytes", len(body), length), err}
	}
	return r, nil
}

// A readError says where a read stopped, and why.
type readError struct {
	where string
	err   error
}

func (e *readError) Error() string { return e.where + " (" + errOrEOF(e.err) + ")" }
func (e *readError) Unwrap() error { return e.err }
