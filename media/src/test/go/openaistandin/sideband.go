package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"wavoice.dev/peerkit"
)

var upgrader = websocket.Upgrader{
	// The tests' clients are not browsers; there is no origin to check.
	CheckOrigin: func(*http.Request) bool { return true },
}

// wsConn is one accepted sideband socket and the close code we sent on it, if
// we were the side that closed.
type wsConn struct {
	conn      *websocket.Conn
	closeSent atomic.Int64
	readDone  chan struct{}
}

// sideband is a call's current socket. gorilla allows one writer at a time:
// every write goes through mu.
type sideband struct {
	mu  sync.Mutex
	cur *wsConn
}

func (sb *sideband) attach(ws *wsConn) *wsConn {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	old := sb.cur
	sb.cur = ws
	return old
}

func (sb *sideband) detach(ws *wsConn) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.cur == ws {
		sb.cur = nil
	}
}

// write sends one text message; false when no socket is open.
func (sb *sideband) write(b []byte) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.cur == nil {
		return false
	}
	_ = sb.cur.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return sb.cur.conn.WriteMessage(websocket.TextMessage, b) == nil
}

// closeWith sends a close frame on the current socket and closes it once the
// client has answered (or after a second).
func (sb *sideband) closeWith(code int, reason string) {
	sb.mu.Lock()
	ws := sb.cur
	sb.cur = nil
	sb.mu.Unlock()
	closeSocket(ws, code, reason)
}

func closeSocket(ws *wsConn, code int, reason string) {
	if ws == nil {
		return
	}
	ws.closeSent.Store(int64(code))
	_ = ws.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
		time.Now().Add(time.Second))
	go func() {
		select {
		case <-ws.readDone:
		case <-time.After(time.Second):
		}
		_ = ws.conn.Close()
	}()
}

// handleSideband is GET /v1/realtime?call_id=rtc_…: the key and the call are
// checked before the upgrade, so a client sees 401 or 404 as HTTP statuses.
func (s *server) handleSideband(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.URL.Query().Get("call_id")
	if id == "" {
		apiError(w, r, http.StatusBadRequest, "invalid_request_error", "missing_required_parameter",
			"Missing required parameter: 'call_id'. (The stand-in only serves a WebRTC call's sideband.)", "call_id")
		return
	}
	c := s.call(id)
	if c == nil || c.isEnded() {
		apiError(w, r, http.StatusNotFound, "invalid_request_error", "call_not_found",
			fmt.Sprintf("Call '%s' not found.", id), "call_id")
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		peerkit.Emit("error", "call_id", id, "message", "sideband upgrade: "+err.Error())
		return
	}
	c.runSideband(&wsConn{conn: conn, readDone: make(chan struct{})})
}

func (c *call) runSideband(ws *wsConn) {
	defer close(ws.readDone)
	if old := c.side.attach(ws); old != nil {
		closeSocket(old, websocket.CloseNormalClosure, "replaced by a newer sideband connection")
	}
	peerkit.Emit("sideband_open", "call_id", c.id)
	c.conv.Lock()
	c.send("session.created", "session", c.session)
	c.conv.Unlock()
	if c.isEnded() { // ended between the lookup and the attach
		c.side.closeWith(websocket.CloseNormalClosure, "call ended")
	}

	code := websocket.CloseAbnormalClosure
	for {
		kind, data, err := ws.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if sent := ws.closeSent.Load(); sent != 0 {
				code = int(sent)
			} else if errors.As(err, &ce) {
				code = ce.Code
			}
			break
		}
		if kind == websocket.TextMessage {
			c.onClientEvent(data)
		}
	}
	c.side.detach(ws)
	_ = ws.conn.Close()
	peerkit.Emit("sideband_closed", "call_id", c.id, "code", code)
}

// send writes one server event, {"type":…,"event_id":…,fields…}. Call with
// conv held, so that events leave in the order the conversation made them.
func (c *call) send(typ string, fields ...interface{}) {
	ev := append(obj{{"type", typ}, {"event_id", newID("event_", 22)}}, jo(fields...)...)
	delivered := c.side.write(peerkit.Marshal(ev))
	peerkit.Emit("server_event", "call_id", c.id, "type", typ, "delivered", delivered)
}

// sendError is OpenAI's "error" server event, naming the client event at fault.
func (c *call) sendError(typ string, code interface{}, message string, param interface{}, clientEventID interface{}) {
	c.send("error", "error", jo("type", typ, "code", code, "message", message, "param", param,
		"event_id", clientEventID))
}

// onClientEvent answers one client event from the sideband.
func (c *call) onClientEvent(data []byte) {
	c.clientEvents.Add(1)
	var ev map[string]interface{}
	if err := json.Unmarshal(data, &ev); err != nil || ev == nil {
		peerkit.Emit("client_event", "call_id", c.id, "type", "", "raw", string(data))
		c.conv.Lock()
		c.sendError("invalid_request_error", "invalid_json",
			"The client event could not be parsed as a JSON object.", nil, nil)
		c.conv.Unlock()
		return
	}
	typ, _ := ev["type"].(string)
	eventID := ev["event_id"]
	peerkit.Emit("client_event", "call_id", c.id, "type", typ, "json", json.RawMessage(data))

	c.conv.Lock()
	defer c.conv.Unlock()
	switch typ {
	case "session.update":
		sess, ok := ev["session"].(map[string]interface{})
		if !ok {
			c.sendError("invalid_request_error", "missing_required_parameter",
				"Missing required parameter: 'session'.", "session", eventID)
			return
		}
		if err := checkSessionType(sess, "session.type"); err != nil {
			ae := err.(*apiErr)
			c.sendError("invalid_request_error", ae.code, ae.message, ae.param, eventID)
			return
		}
		mergeInto(c.session, sess)
		c.send("session.updated", "session", c.session)
	case "response.create":
		if c.active != nil {
			c.sendError("invalid_request_error", "conversation_already_has_active_response",
				"Conversation already has an active response in progress: "+c.active.id+
					". Wait until the response is finished before creating a new one.", nil, eventID)
			return
		}
		if c.toolOutput {
			c.toolOutput, c.toolCallID = false, ""
			c.startResponse("reply")
		} else {
			c.startResponse("greeting")
		}
	case "response.cancel":
		if c.active == nil {
			c.sendError("invalid_request_error", "response_cancel_not_active",
				"Cancellation failed: no active response found", nil, eventID)
			return
		}
		c.cancelActive("client_cancelled")
	case "output_audio_buffer.clear":
		if c.active != nil {
			c.cancelActive("client_cancelled")
		} else {
			c.send("output_audio_buffer.cleared", "response_id", nil)
		}
	case "input_audio_buffer.clear":
		c.send("input_audio_buffer.cleared")
	case "conversation.item.create":
		c.itemCreate(ev, eventID)
	default:
		// Unknown or unimplemented types are only printed (client_event line).
	}
}

func (c *call) itemCreate(ev map[string]interface{}, eventID interface{}) {
	item, ok := ev["item"].(map[string]interface{})
	if !ok {
		c.sendError("invalid_request_error", "missing_required_parameter",
			"Missing required parameter: 'item'.", "item", eventID)
		return
	}
	if item["type"] == "function_call_output" {
		if _, ok := item["call_id"].(string); !ok {
			c.sendError("invalid_request_error", "missing_required_parameter",
				"Missing required parameter: 'item.call_id'.", "item.call_id", eventID)
			return
		}
	}
	if _, ok := item["id"].(string); !ok {
		item["id"] = newID("item_", 22)
	}
	if _, ok := item["status"]; !ok {
		item["status"] = "completed"
	}
	item["object"] = "realtime.item"
	prev := ev["previous_item_id"]
	if prev == nil && c.lastItemID != "" {
		prev = c.lastItemID
	}
	c.send("conversation.item.added", "previous_item_id", prev, "item", item)
	c.send("conversation.item.done", "previous_item_id", prev, "item", item)
	c.lastItemID = item["id"].(string)
	if item["type"] == "function_call_output" {
		callID := item["call_id"].(string)
		matches := c.toolCallID != "" && callID == c.toolCallID
		c.toolOutput = true
		peerkit.Emit("tool_output", "call_id", c.id, "tool_call_id", callID, "output", item["output"], "matches", matches)
	}
}

// defaultSession is the GA session object OpenAI reports before any update.
func defaultSession(model string) map[string]interface{} {
	pcm := func() map[string]interface{} { return map[string]interface{}{"type": "audio/pcm", "rate": 24000} }
	return map[string]interface{}{
		"type":              "realtime",
		"object":            "realtime.session",
		"id":                newID("sess_", 22),
		"model":             model,
		"output_modalities": []interface{}{"audio"},
		"instructions":      "",
		"tools":             []interface{}{},
		"tool_choice":       "auto",
		"max_output_tokens": "inf",
		"tracing":           nil,
		"prompt":            nil,
		"truncation":        "auto",
		"include":           nil,
		"expires_at":        time.Now().Add(time.Hour).Unix(),
		"audio": map[string]interface{}{
			"input": map[string]interface{}{
				"format":          pcm(),
				"transcription":   nil,
				"noise_reduction": nil,
				"turn_detection": map[string]interface{}{
					"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
					"silence_duration_ms": 300, "idle_timeout_ms": nil,
					"create_response": true, "interrupt_response": true,
				},
			},
			"output": map[string]interface{}{"format": pcm(), "voice": "alloy", "speed": 1.0},
		},
	}
}

// mergeInto applies an update the way session.update does: objects merge key
// by key, anything else replaces.
func mergeInto(dst, src map[string]interface{}) {
	for k, v := range src {
		if sv, ok := v.(map[string]interface{}); ok {
			if dv, ok := dst[k].(map[string]interface{}); ok {
				mergeInto(dv, sv)
				continue
			}
			cp := map[string]interface{}{}
			mergeInto(cp, sv)
			dst[k] = cp
			continue
		}
		dst[k] = v
	}
}
