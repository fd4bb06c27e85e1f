package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"wavoice.dev/peerkit"
)

// server holds every call, in creation order, and the shared media files.
type server struct {
	o        options
	greeting [][]byte
	reply    [][]byte

	mu    sync.Mutex
	calls map[string]*call
	order []*call
	posts int // POSTs that passed the key check; -fail-first counts these
}

func newServer(o options) (*server, error) {
	s := &server{o: o, calls: map[string]*call{}}
	var err error
	if o.greetingOpusFile != "" {
		if s.greeting, err = peerkit.ReadOpusFile(o.greetingOpusFile); err != nil {
			return nil, fmt.Errorf("-greeting-opus-file: %w", err)
		}
	}
	if o.replyOpusFile != "" {
		if s.reply, err = peerkit.ReadOpusFile(o.replyOpusFile); err != nil {
			return nil, fmt.Errorf("-reply-opus-file: %w", err)
		}
	}
	return s, nil
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/realtime/calls", s.handleCreateCall)
	mux.HandleFunc("/v1/realtime/calls/", s.handleCallAction)
	mux.HandleFunc("/v1/realtime", s.handleSideband)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, r, http.StatusNotFound, "invalid_request_error", nil,
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), nil)
	})
	return mux
}

// apiError writes OpenAI's error body: {"error":{"message","type","param","code"}}.
// code and param are JSON null when nil.
func apiError(w http.ResponseWriter, r *http.Request, status int, typ string, code interface{}, message string, param interface{}) {
	peerkit.Emit("http_error", "method", r.Method, "path", r.URL.Path, "status", status, "type", typ, "code", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(peerkit.Marshal(jo("error", jo("message", message, "type", typ, "param", param, "code", code))))
	_, _ = w.Write([]byte("\n"))
}

// authorized checks "Authorization: Bearer KEY" the way OpenAI answers it:
// no key at all and a wrong key are both 401, with different messages.
func (s *server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.o.key == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || strings.TrimSpace(h[len("Bearer "):]) == "" {
		apiError(w, r, http.StatusUnauthorized, "invalid_request_error", nil,
			"You didn't provide an API key. You need to provide your API key in an Authorization header "+
				"using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", nil)
		return false
	}
	if got := strings.TrimSpace(h[len("Bearer "):]); got != s.o.key {
		apiError(w, r, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Incorrect API key provided: "+maskKey(got)+". You can find your API key at "+
				"https://platform.openai.com/account/api-keys.", nil)
		return false
	}
	return true
}

// maskKey shows a key as OpenAI's errors do: its start and its last four.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

// failPost answers with the configured -fail-status, shaped as OpenAI's.
func (s *server) failPost(w http.ResponseWriter, r *http.Request) {
	switch st := s.o.failStatus; {
	case st == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		apiError(w, r, st, "requests", "rate_limit_exceeded",
			"Rate limit reached for gpt-realtime on requests per min (RPM): Limit 100, Used 100, Requested 1. "+
				"Please try again in 600ms.", nil)
	case st >= 500:
		apiError(w, r, st, "server_error", nil,
			"The server had an error while processing your request. Sorry about that!", nil)
	default:
		apiError(w, r, st, "invalid_request_error", nil,
			fmt.Sprintf("Invalid request (the stand-in was told to answer %d).", st), nil)
	}
}

// handleCreateCall is POST /v1/realtime/calls.
func (s *server) handleCreateCall(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		apiError(w, r, http.StatusMethodNotAllowed, "invalid_request_error", nil,
			fmt.Sprintf("Invalid method for URL (%s %s)", r.Method, r.URL.Path), nil)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	s.posts++
	n := s.posts
	s.mu.Unlock()
	peerkit.Emit("post", "n", n, "content_type", r.Header.Get("Content-Type"))

	if s.o.answerDelay > 0 {
		select {
		case <-time.After(s.o.answerDelay):
		case <-r.Context().Done():
			peerkit.Emit("post_abandoned", "n", n, "reason", "client went away during -answer-delay")
			return
		}
	}
	if s.o.failStatus != 0 && (s.o.failFirst == 0 || n <= s.o.failFirst) {
		s.failPost(w, r)
		return
	}

	offer, session, err := readCallRequest(r)
	if err != nil {
		var ae *apiErr
		if errors.As(err, &ae) {
			apiError(w, r, http.StatusBadRequest, "invalid_request_error", ae.code, ae.message, ae.param)
		} else {
			apiError(w, r, http.StatusBadRequest, "invalid_request_error", nil, err.Error(), nil)
		}
		return
	}
	model := ""
	if session != nil {
		if m, ok := session["model"].(string); ok {
			model = m
		}
	}
	if model == "" {
		model = r.URL.Query().Get("model")
	}
	if model != "" && !contains(s.o.models, model) {
		apiError(w, r, http.StatusBadRequest, "invalid_request_error", "model_not_found",
			fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), nil)
		return
	}
	if model == "" {
		model = s.o.models[0]
	}

	id := newCallID()
	if s.o.badSDP {
		// A body a careless client might still hand to its SDP parser.
		peerkit.Emit("call_created", "call_id", id, "session", session, "answer", "bad-sdp")
		w.Header().Set("Content-Type", "application/sdp")
		w.Header().Set("Location", "/v1/realtime/calls/"+id)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "v=0\r\nthis is not sdp\r\n")
		return
	}

	c, answer, err := newCall(s, id, model, session, offer)
	if err != nil {
		var ae *apiErr
		if errors.As(err, &ae) {
			apiError(w, r, http.StatusBadRequest, "invalid_request_error", ae.code, ae.message, ae.param)
		} else {
			apiError(w, r, http.StatusInternalServerError, "server_error", nil, err.Error(), nil)
		}
		return
	}
	if s.o.noOpus {
		answer = pcmuOnly(answer)
	}
	s.mu.Lock()
	s.calls[id] = c
	s.order = append(s.order, c)
	s.mu.Unlock()

	var sessionOut interface{}
	if session != nil {
		sessionOut = session
	}
	peerkit.Emit("call_created", "call_id", id, "session", sessionOut, "model", model)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/v1/realtime/calls/"+id)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// handleCallAction is POST /v1/realtime/calls/{call_id}/hangup.
func (s *server) handleCallAction(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/realtime/calls/")
	parts := strings.Split(rest, "/")
	if len(parts) != 2 || parts[1] != "hangup" || r.Method != http.MethodPost {
		apiError(w, r, http.StatusNotFound, "invalid_request_error", nil,
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), nil)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	c := s.call(parts[0])
	if c == nil {
		apiError(w, r, http.StatusNotFound, "invalid_request_error", "call_not_found",
			fmt.Sprintf("Call '%s' not found.", parts[0]), nil)
		return
	}
	peerkit.Emit("hangup", "call_id", c.id)
	c.end("hangup", websocket.CloseNormalClosure)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "{}\n")
}

func (s *server) call(id string) *call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// apiErr is a 400 with OpenAI's code and param.
type apiErr struct {
	code    interface{}
	param   interface{}
	message string
}

func (e *apiErr) Error() string { return e.message }

func badRequest(message string, code, param interface{}) error {
	return &apiErr{code: code, param: param, message: message}
}

// readCallRequest takes the offer and the optional session out of either
// request shape OpenAI accepts: multipart/form-data (parts "sdp", "session")
// or a bare application/sdp body.
func readCallRequest(r *http.Request) (string, map[string]interface{}, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", nil, badRequest("Invalid Content-Type header ("+r.Header.Get("Content-Type")+
			"): expected multipart/form-data or application/sdp.", nil, nil)
	}
	switch mediaType {
	case "application/sdp":
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return "", nil, err
		}
		if strings.TrimSpace(string(body)) == "" {
			return "", nil, badRequest("Missing required parameter: 'sdp'.", "missing_required_parameter", "sdp")
		}
		return string(body), nil, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(4 << 20); err != nil {
			return "", nil, badRequest("Could not parse multipart form: "+err.Error(), nil, nil)
		}
		sdp := formPart(r, "sdp")
		if strings.TrimSpace(sdp) == "" {
			return "", nil, badRequest("Missing required parameter: 'sdp'.", "missing_required_parameter", "sdp")
		}
		raw := formPart(r, "session")
		if strings.TrimSpace(raw) == "" {
			return sdp, nil, nil
		}
		var session map[string]interface{}
		if err := json.Unmarshal([]byte(raw), &session); err != nil || session == nil {
			return "", nil, badRequest("Invalid 'session': expected a JSON object.", "invalid_value", "session")
		}
		if err := checkSessionType(session, "session.type"); err != nil {
			return "", nil, err
		}
		return sdp, session, nil
	default:
		return "", nil, badRequest("Unsupported Content-Type "+mediaType+
			": expected multipart/form-data or application/sdp.", nil, nil)
	}
}

// checkSessionType enforces what the GA API does: a session object names its
// type, "realtime" here (transcription sessions are not stood in for).
func checkSessionType(session map[string]interface{}, param string) error {
	t, present := session["type"]
	if !present {
		return badRequest("Missing required parameter: '"+param+"'.", "missing_required_parameter", param)
	}
	if t != "realtime" {
		return badRequest(fmt.Sprintf("Invalid value: '%v'. Supported values are: 'realtime'.", t), "invalid_value", param)
	}
	return nil
}

// formPart reads a multipart part sent either as a plain field or as a file.
func formPart(r *http.Request, name string) string {
	if v := r.MultipartForm.Value[name]; len(v) > 0 {
		return v[0]
	}
	if f := r.MultipartForm.File[name]; len(f) > 0 {
		fh, err := f[0].Open()
		if err != nil {
			return ""
		}
		defer fh.Close()
		b, _ := io.ReadAll(io.LimitReader(fh, 1<<20))
		return string(b)
	}
	return ""
}

// dropByID drops a call's legs on request from stdin ("" = the first live call).
func (s *server) dropByID(id string) {
	s.mu.Lock()
	var c *call
	if id != "" {
		c = s.calls[id]
	} else {
		for _, x := range s.order {
			if !x.isEnded() {
				c = x
				break
			}
		}
	}
	s.mu.Unlock()
	if c == nil {
		peerkit.Emit("error", "message", "drop: no such live call "+id)
		return
	}
	c.drop()
}

func (s *server) shutdown() {
	s.mu.Lock()
	calls := append([]*call(nil), s.order...)
	s.mu.Unlock()
	for _, c := range calls {
		c.end("shutdown", websocket.CloseGoingAway)
	}
	// Let every PeerConnection send its DTLS close_notify before we exit.
	deadline := time.After(3 * time.Second)
	for _, c := range calls {
		select {
		case <-c.pcClosed:
		case <-deadline:
			return
		}
	}
}

func (s *server) summary() {
	s.mu.Lock()
	calls := append([]*call(nil), s.order...)
	posts := s.posts
	s.mu.Unlock()
	per := make([]obj, 0, len(calls))
	for _, c := range calls {
		per = append(per, c.stats())
	}
	peerkit.Emit("summary", "calls", len(calls), "posts", posts, "per_call", per)
}
