package gateway

import (
	"encoding/json"
	"net/http"
)

// Problem is GS1's error shape: an RFC 7807 problem whose type names an
// EPCIS exception (epcisException:QueryParameterException, ...). Qianchain
// adds its stable code and, for a captured event, which event it was.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Code is Qianchain's stable code (docs/bad-input.md).
	Code string `json:"qian:code,omitempty"`
	// Event is the event's position in the captured document, from 0.
	Event *int `json:"qian:event,omitempty"`
}

// The EPCIS exceptions the gateway answers (EPCIS 2.0 §8.2.7, REST bindings).
const (
	exSecurity       = "epcisException:SecurityException"
	exNotFound       = "epcisException:NoSuchNameException"
	exQueryParameter = "epcisException:QueryParameterException"
	exValidation     = "epcisException:ValidationException"
	exImplementation = "epcisException:ImplementationException"
	exCaptureLimit   = "epcisException:CaptureLimitExceededException"
	exNotAcceptable  = "epcisException:NotAcceptableException"
	exUnsupportedMT  = "epcisException:UnsupportedMediaTypeException"
	exExists         = "epcisException:ResourceAlreadyExistsException"
	exNoSuchName     = "epcisException:NoSuchNameException"
	exSubscription   = "epcisException:SubscriptionControlsException"
	exTooComplex     = "epcisException:QueryTooComplexException"
	exURITooLong     = "epcisException:URITooLongException"
)

func writeProblem(w http.ResponseWriter, status int, typ, title, detail, code string) {
	writeProblemAs(w, "application/problem+json", status, typ, title, detail, code)
}

// writeProblemAs is writeProblem with another media type: GS1's OpenAPI
// gives subscription errors as application/json.
func writeProblemAs(w http.ResponseWriter, mediaType string, status int, typ, title, detail, code string) {
	p := Problem{Type: typ, Title: title, Status: status, Detail: detail, Code: code}
	if status == http.StatusConflict {
		// GS1's OpenAPI pins the status member of its 409 answer to 406
		// (an error in the description); status is optional in RFC 7807,
		// so the member is left out rather than answer a wrong number.
		p.Status = 0
	}
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, exImplementation, "Internal error", err.Error(), "ERR_INTERNAL")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func notFound(w http.ResponseWriter, detail string) {
	writeProblem(w, http.StatusNotFound, exNotFound, "Resource not found", detail, "ERR_NOT_FOUND")
}

func badParam(w http.ResponseWriter, detail string) {
	writeProblem(w, http.StatusBadRequest, exQueryParameter, "Invalid query parameter", detail, "ERR_QUERY_PARAMETER")
}

func notImplemented(w http.ResponseWriter, detail string) {
	writeProblem(w, http.StatusNotImplemented, exImplementation, "Functionality not supported by server", detail, "ERR_NOT_IMPLEMENTED")
}

func internal(w http.ResponseWriter, err error) {
	writeProblem(w, http.StatusInternalServerError, exImplementation, "Internal error", err.Error(), "ERR_INTERNAL")
}
