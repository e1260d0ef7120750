package index

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
)

// ParamError is a query parameter the gateway refuses: Unsupported when it
// is a standard parameter it does not implement (GS1's 501
// ImplementationException), otherwise a bad value or an unknown name (400
// QueryParameterException).
type ParamError struct {
	Param       string
	Unsupported bool
	Reason      string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Reason }

// Paging parameters, read by the caller, not by Parse.
var paging = map[string]bool{"perPage": true, "nextPageToken": true}

// Unimplemented lists GS1's standard query parameters the gateway answers
// with 501 (docs/gateway.md has the coverage table).
var Unimplemented = []string{
	"EQ_persistentDisposition_set", "EQ_persistentDisposition_unset", "WD_readPoint", "WD_bizLocation",
	"EQ_transformationID", "MATCH_inputEPCClass", "MATCH_outputEPCClass", "EQ_quantity", "GT_quantity",
	"GE_quantity", "LT_quantity", "LE_quantity", "EXISTS_errorDeclaration", "GE_errorDeclarationTime",
	"LT_errorDeclarationTime", "EQ_errorReason", "EQ_correctiveEventID", "eventCountLimit", "maxEventCount",
	"GE_startTime", "LT_startTime", "GE_endTime", "LT_endTime", "EQ_type", "EQ_deviceID",
	"EQ_dataProcessingMethod", "EQ_microorganism", "EQ_chemicalSubstance", "EQ_bizRules", "EQ_stringValue",
	"EQ_hexBinaryValue", "EQ_uriValue", "EQ_booleanValue",
}

// Supported lists the query parameters Parse implements.
var Supported = []string{
	"eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_action", "EQ_bizStep",
	"EQ_disposition", "EQ_readPoint", "EQ_bizLocation", "MATCH_epc", "MATCH_parentID", "MATCH_inputEPC",
	"MATCH_outputEPC", "MATCH_anyEPC", "MATCH_epcClass", "MATCH_anyEPCClass", "EQ_eventID", "eventID",
	"orderBy", "orderDirection",
}

// Parse reads a SimpleEventQuery from query parameters (or a named query's
// definition). A list parameter's values may be repeated or separated by
// '|' (the REST bindings' pipeDelimited style).
func Parse(params map[string][]string) (*Query, error) {
	q := &Query{}
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names) // the first bad parameter reported is always the same
	orderDir := ""
	for _, name := range names {
		if paging[name] {
			continue
		}
		var vals []string
		for _, v := range params[name] {
			for _, s := range strings.Split(v, "|") {
				if s = strings.TrimSpace(s); s != "" {
					vals = append(vals, s)
				}
			}
		}
		if len(vals) == 0 {
			return nil, &ParamError{Param: name, Reason: "has no value"}
		}
		var err error
		switch name {
		case "eventType":
			for _, v := range vals {
				switch v {
				case "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent":
				default:
					if !strings.Contains(v, ":") {
						return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q is not an EPCIS event type", v)}
					}
				}
			}
			q.EventTypes = vals
		case "EQ_action":
			for _, v := range vals {
				if v != "ADD" && v != "OBSERVE" && v != "DELETE" {
					return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q is not ADD, OBSERVE or DELETE", v)}
				}
			}
			q.Actions = vals
		case "EQ_bizStep":
			q.BizSteps = vocab(vals, "bizstep", "BizStep-")
		case "EQ_disposition":
			q.Dispositions = vocab(vals, "disp", "Disp-")
		case "EQ_readPoint":
			q.ReadPoints, err = locations(name, vals)
		case "EQ_bizLocation":
			q.BizLocations, err = locations(name, vals)
		case "MATCH_epc":
			q.MatchEPC, err = objects(name, vals)
		case "MATCH_anyEPC":
			q.MatchAnyEPC, err = objects(name, vals)
		case "MATCH_parentID":
			q.MatchParentID, err = objects(name, vals)
		case "MATCH_inputEPC":
			q.MatchInput, err = objects(name, vals)
		case "MATCH_outputEPC":
			q.MatchOutput, err = objects(name, vals)
		case "MATCH_epcClass":
			q.MatchEPCClass, err = objects(name, vals)
		case "MATCH_anyEPCClass":
			q.MatchAnyClass, err = objects(name, vals)
		case "EQ_eventID", "eventID":
			q.EventIDs = append(q.EventIDs, vals...)
		case "GE_eventTime":
			q.GEEventTime, err = timeParam(name, vals)
		case "LT_eventTime":
			q.LTEventTime, err = timeParam(name, vals)
		case "GE_recordTime":
			q.GERecordTime, err = timeParam(name, vals)
		case "LT_recordTime":
			q.LTRecordTime, err = timeParam(name, vals)
		case "orderBy":
			switch vals[0] {
			case "eventTime":
				q.ByEventTime = true
			case "recordTime":
			default:
				return nil, &ParamError{Param: name, Unsupported: strings.Contains(vals[0], ":"), Reason: fmt.Sprintf("ordering by %q is not supported: use eventTime or recordTime", vals[0])}
			}
			if orderDir == "" {
				orderDir = "DESC" // the standard's default once orderBy is given
			}
		case "orderDirection":
			if vals[0] != "ASC" && vals[0] != "DESC" {
				return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q is not ASC or DESC", vals[0])}
			}
			orderDir = vals[0]
		default:
			for _, u := range Unimplemented {
				if u == name {
					return nil, &ParamError{Param: name, Unsupported: true, Reason: "this standard query parameter is not implemented by the gateway"}
				}
			}
			if strings.HasPrefix(name, "EQ_") || strings.HasPrefix(name, "GT_") || strings.HasPrefix(name, "GE_") ||
				strings.HasPrefix(name, "LT_") || strings.HasPrefix(name, "LE_") || strings.HasPrefix(name, "EXISTS_") ||
				strings.HasPrefix(name, "HASATTR_") || strings.HasPrefix(name, "EQATTR_") || strings.HasPrefix(name, "EQ_INNER_") {
				return nil, &ParamError{Param: name, Unsupported: true, Reason: "queries on extension and ILMD fields are not implemented by the gateway"}
			}
			return nil, &ParamError{Param: name, Reason: "is not an EPCIS 2.0 query parameter"}
		}
		if err != nil {
			return nil, err
		}
	}
	q.Desc = orderDir == "DESC"
	if orderDir == "" && (q.GEEventTime != nil || q.LTEventTime != nil) && len(q.EventIDs)+len(q.MatchEPC)+len(q.MatchAnyEPC)+
		len(q.MatchParentID)+len(q.MatchInput)+len(q.MatchOutput)+len(q.MatchEPCClass)+len(q.MatchAnyClass)+len(q.BizLocations)+len(q.ReadPoints) == 0 {
		// Without orderBy the order is the implementation's (EPCIS 2.0
		// §8.2.7.1): an eventTime window is read from the eventTime index
		// instead of filtering the whole chain.
		q.ByEventTime = true
	}
	return q, nil
}

// vocab turns CBV URIs into the short names events are recorded with.
func vocab(vals []string, urn, web string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if t, ok := strings.CutPrefix(v, "urn:epcglobal:cbv:"+urn+":"); ok {
			v = t
		} else if t, ok := strings.CutPrefix(v, "https://ref.gs1.org/cbv/"+web); ok {
			v = t
		}
		out[i] = v
	}
	return out
}

func locations(name string, vals []string) ([]string, error) {
	out := make([]string, len(vals))
	for i, v := range vals {
		c, err := epcis.CanonicalIdentifier(v)
		if err != nil {
			return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q: %v", v, err)}
		}
		out[i] = c
	}
	return out, nil
}

// objects canonicalises EPC and EPC class URIs (URN or Digital Link) to the
// Digital Link form events are recorded with. Patterns (idpat, '*') are
// not implemented.
func objects(name string, vals []string) ([]string, error) {
	out := make([]string, len(vals))
	for i, v := range vals {
		if strings.Contains(v, ":idpat:") || strings.Contains(v, "*") {
			return nil, &ParamError{Param: name, Unsupported: true, Reason: fmt.Sprintf("%q is a pattern; the gateway matches exact identifiers only", v)}
		}
		o, err := gs1.ParseObjectID(v)
		switch {
		case errors.Is(err, gs1.ErrNotGS1):
			out[i] = v // not a key Qianchain records: it matches nothing
		case err != nil:
			return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q: %v", v, err)}
		default:
			out[i] = o.URI()
		}
	}
	return out, nil
}

func timeParam(name string, vals []string) (*int64, error) {
	if len(vals) != 1 {
		return nil, &ParamError{Param: name, Reason: "takes one time"}
	}
	t, err := time.Parse(time.RFC3339Nano, vals[0])
	if err != nil {
		return nil, &ParamError{Param: name, Reason: fmt.Sprintf("%q is not an RFC 3339 date-time", vals[0])}
	}
	ns := t.UnixNano()
	return &ns, nil
}
