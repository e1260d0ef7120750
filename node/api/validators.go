package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/qianchain/qianchain/node/view"
)

// GET /v1/validators?height=H: the validator set of a height (default: the
// next height), from the chain's state, with the changes that made it and
// the approved changes still to take effect (docs/openapi.yaml).
func init() { routeHooks = append(routeHooks, registerValidators) }

func registerValidators(s *Server) { s.mux.HandleFunc("GET /v1/validators", s.validators) }

// ValidatorsResponse is GET /v1/validators.
type ValidatorsResponse = view.Validators

func (s *Server) validators(w http.ResponseWriter, r *http.Request) {
	var h uint64
	if v := r.URL.Query().Get("height"); v != "" {
		var err error
		if h, err = strconv.ParseUint(v, 10, 64); err != nil || h == 0 {
			writeError(w, http.StatusBadRequest, "ERR_BAD_HEIGHT", fmt.Sprintf("height=%q is not a positive integer", v))
			return
		}
	}
	vs, err := s.view.Validators(h)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, vs)
}
