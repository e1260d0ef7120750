package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/node/gateway/index"
)

func (g *Gateway) captureOptions(w http.ResponseWriter, r *http.Request) {
	g.discoveryHeaders(w, "OPTIONS, POST, GET")
	h := w.Header()
	h.Set("GS1-EPCIS-Capture-Limit", strconv.Itoa(g.opt.CaptureLimit))
	h.Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(g.opt.FileSizeLimit, 10))
	h.Set("GS1-Capture-Error-Behaviour", Rollback+", "+Proceed)
	w.WriteHeader(http.StatusNoContent)
}

// readBody reads a JSON request body within the file size limit.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/ld+json") {
			writeProblem(w, http.StatusUnsupportedMediaType, exUnsupportedMT, "Unsupported media type",
				fmt.Sprintf("Content-Type %q: the gateway reads JSON-LD (application/json or application/ld+json); XML is not supported", ct), "ERR_UNSUPPORTED_MEDIA_TYPE")
			return nil, false
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.opt.FileSizeLimit+1))
	if err != nil {
		writeProblem(w, http.StatusBadRequest, exValidation, "Unreadable request", err.Error(), "ERR_BAD_REQUEST")
		return nil, false
	}
	if int64(len(body)) > g.opt.FileSizeLimit {
		writeProblem(w, http.StatusRequestEntityTooLarge, exCaptureLimit, "Capture payload too large",
			fmt.Sprintf("the body is over %d bytes (GS1-EPCIS-Capture-File-Size-Limit)", g.opt.FileSizeLimit), "ERR_BODY_TOO_LARGE")
		return nil, false
	}
	return body, true
}

func behaviour(w http.ResponseWriter, r *http.Request) (string, bool) {
	switch v := strings.ToLower(strings.TrimSpace(r.Header.Get("GS1-Capture-Error-Behaviour"))); v {
	case "", Rollback, "all":
		// "all" is in the header's enum of GS1's OpenAPI description but
		// not in the capture job's: taken as all or nothing.
		return Rollback, true
	case Proceed:
		return Proceed, true
	default:
		writeProblem(w, http.StatusBadRequest, exValidation, "Unsupported capture error behaviour",
			fmt.Sprintf("GS1-Capture-Error-Behaviour %q: the gateway supports rollback (the default) and proceed", v), "ERR_CAPTURE_BEHAVIOUR")
		return "", false
	}
}

// postCapture is POST /capture: 202 and the job's Location once the job is
// durable; the events are then signed and sent in the background.
func (g *Gateway) postCapture(w http.ResponseWriter, r *http.Request) {
	beh, ok := behaviour(w, r)
	if !ok {
		return
	}
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	j, ok := g.capture(w, body, beh)
	if !ok {
		return
	}
	w.Header().Set("Location", "/capture/"+j.ID)
	w.WriteHeader(http.StatusAccepted)
}

func (g *Gateway) capture(w http.ResponseWriter, body []byte, beh string) (*job, bool) {
	p, err := g.prepare(body)
	var de *docError
	if errors.As(err, &de) {
		writeProblem(w, de.status, de.typ, "Capture refused", de.detail, de.code)
		return nil, false
	}
	if err != nil {
		internal(w, err)
		return nil, false
	}
	j, err := g.cap.start(p, beh)
	if err != nil {
		internal(w, err)
		return nil, false
	}
	return j, true
}

func (g *Gateway) getCapture(w http.ResponseWriter, r *http.Request) {
	v, _, err := g.cap.get(r.PathValue("captureID"))
	if err != nil {
		internal(w, err)
		return
	}
	if v == nil {
		notFound(w, "no capture job "+r.PathValue("captureID"))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// listCaptures is GET /capture: the jobs, newest first, perPage at a time.
func (g *Gateway) listCaptures(w http.ResponseWriter, r *http.Request) {
	n, ok := perPage(w, r)
	if !ok {
		return
	}
	after := r.URL.Query().Get("nextPageToken")
	var all []*job
	err := scanJSON(g.db, []byte{tJob}, func(_ []byte, j *job) bool {
		all = append(all, j)
		return true
	})
	if err != nil {
		internal(w, err)
		return
	}
	sortJobsNewestFirst(all)
	out := []*JobView{}
	start := 0
	if after != "" {
		start = -1
		for i, j := range all {
			if j.ID == after {
				start = i + 1
			}
		}
		if start < 0 {
			badParam(w, "nextPageToken names no capture job")
			return
		}
	}
	for i := start; i < len(all) && len(out) < n; i++ {
		v, _, _ := g.cap.get(all[i].ID) // the running ones from memory
		if v != nil {
			out = append(out, v)
		}
	}
	if start+len(out) < len(all) && len(out) > 0 {
		w.Header().Set("Link", fmt.Sprintf(`</capture?perPage=%d&nextPageToken=%s>; rel="next"`, n, out[len(out)-1].CaptureID))
	}
	writeJSON(w, http.StatusOK, out)
}

func sortJobsNewestFirst(js []*job) {
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && js[k].CreatedAt.After(js[k-1].CreatedAt); k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
}

// SingleEventWait is how long POST /events waits for its event's block
// before answering 202 with the capture job instead of 201.
const SingleEventWait = 60 * time.Second

// postEvent is POST /events: one event, captured like a one-event
// document; 201 with the event's Location once it is in a verified block.
func (g *Gateway) postEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	v, err := epcis.ParseJSON(body)
	if err != nil || v.Kind != epcis.KindObject {
		writeProblem(w, http.StatusBadRequest, exValidation, "Capture refused", "the body is not a JSON object (one EPCIS event)", "ERR_EPCIS_INVALID")
		return
	}
	ctx := []byte(`"` + epcis.StandardContext + `"`)
	if c := v.Get("@context"); c != nil {
		if ctx, err = c.MarshalJSON(); err != nil {
			internal(w, err)
			return
		}
		v.Fields = removeField(v.Fields, "@context")
	}
	ev, err := v.MarshalJSON()
	if err != nil {
		internal(w, err)
		return
	}
	doc := fmt.Appendf(nil, `{"@context":%s,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":%q,"epcisBody":{"eventList":[%s]}}`,
		ctx, time.Now().UTC().Format(time.RFC3339), ev)
	j, ok := g.capture(w, doc, Rollback)
	if !ok {
		return
	}
	wctx, cancel := context.WithTimeout(r.Context(), SingleEventWait)
	defer cancel()
	for {
		jv, changed, err := g.cap.get(j.ID)
		if err != nil {
			internal(w, err)
			return
		}
		if !jv.Running {
			switch {
			case len(jv.Errors) > 0:
				p := jv.Errors[0]
				writeProblem(w, http.StatusBadRequest, p.Type, p.Title, p.Detail, p.Code)
			case len(jv.Skipped) > 0:
				writeProblem(w, http.StatusConflict, exExists, "Event already captured", "an event with this eventID (or content) was captured before", "ERR_DUPLICATE_EVENT")
			default:
				e, err := g.capturedEvent(j)
				if err != nil || e == nil {
					internal(w, fmt.Errorf("the captured event is not in the index: %v", err))
					return
				}
				v, err := g.eventValue(e)
				if err != nil {
					internal(w, err)
					return
				}
				w.Header().Set("Location", "/events/"+pathEscape(e.EventID()))
				writeJSON(w, http.StatusCreated, v)
			}
			return
		}
		select {
		case <-wctx.Done():
			w.Header().Set("Location", "/capture/"+j.ID)
			w.WriteHeader(http.StatusAccepted)
			return
		case <-changed:
		}
	}
}

func removeField(fs []epcis.Field, name string) []epcis.Field {
	out := fs[:0]
	for _, f := range fs {
		if f.Name != name {
			out = append(out, f)
		}
	}
	return out
}

// capturedEvent is a finished one-event job's event as the index holds
// it (the job ends in the batch that indexes its block).
func (g *Gateway) capturedEvent(j *job) (*index.Entry, error) {
	var stored job
	if _, err := getJSON(g.db, key(tJob, j.ID), &stored); err != nil || len(stored.Chunks) == 0 {
		return nil, err
	}
	es, err := g.ix.ByTx(stored.Chunks[len(stored.Chunks)-1].Hash)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return es[0], nil
}
