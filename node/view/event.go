package view

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

// Event is one recorded EPCIS event as pages and the API show it.
type Event struct {
	Hash ledger.Hash `json:"hash"` // the event's id on chain (trace record hash)
	// Prev is the previous event on the object whose history this is
	// (zero for its first event); set in a lot's history, where it forms
	// the hash chain.
	Prev *ledger.Hash `json:"prev,omitempty"`
	// About is the object whose history the event was found in (on a
	// lot's timeline: an input lot or a container of it).
	About       *ObjectRef  `json:"about,omitempty"`
	Type        string      `json:"type"`   // ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent
	Action      string      `json:"action"` // ADD, OBSERVE, DELETE or ""
	BizStep     string      `json:"biz_step"`
	Disposition string      `json:"disposition"`
	Step        string      `json:"step"` // harvest, processing, inspection, packing, shipping, receiving, transport, unpacking, sale, recall, association, declaration, other
	TitleZH     string      `json:"title_zh"`
	TitleEN     string      `json:"title_en"`
	Time        string      `json:"time"` // event time, RFC 3339 in the event's own offset
	TimeUnixNs  int64       `json:"time_unix_ns"`
	RecordTime  string      `json:"record_time"` // block time, UTC
	Place       *Place      `json:"place,omitempty"`
	ReadPoint   *Place      `json:"read_point,omitempty"`
	Org         *OrgRef     `json:"org"` // who recorded it
	Height      uint64      `json:"height"`
	TxHash      ledger.Hash `json:"tx_hash"`
	Objects     []Amount    `json:"objects"` // what the event is about (epcList, quantityList)
	Inputs      []Amount    `json:"inputs,omitempty"`
	Outputs     []Amount    `json:"outputs,omitempty"`
	Parent      *ObjectRef  `json:"parent,omitempty"`
	Children    []Amount    `json:"children,omitempty"`
	Destination []Party     `json:"destinations,omitempty"`
	// Certificates are certificationInfo URIs (ni:///sha-256;{hex} names
	// a document by its SHA-256).
	Certificates []string  `json:"certificates,omitempty"`
	Readings     []Reading `json:"readings,omitempty"`
	// Details are ILMD and extension fields, flattened to name and value.
	Details []Detail `json:"details,omitempty"`
	// PersonalData lists fields recorded only as salted commitments.
	PersonalData []string `json:"personal_data,omitempty"`
	// Declared is set when a later event declared this one erroneous: it
	// stays recorded and provable, and the object's state, custody and
	// timeline follow the corrected history (docs/traceability.md,
	// Corrections).
	Declared *Declaration `json:"declared,omitempty"`
	// Declares is set on an error declaration itself: the event it
	// declares erroneous. A declaration is in an object's history (its
	// hash chain) but not on a timeline.
	Declares *ledger.Hash `json:"declares,omitempty"`
	// Header is the sender and receiver of the EPCIS document the event
	// was captured in, when it had them.
	Sender   string `json:"document_sender,omitempty"`
	Receiver string `json:"document_receiver,omitempty"`
	// EPCIS is the event in EPCIS 2.0 JSON-LD, as the GS1 schema defines it.
	EPCIS json.RawMessage `json:"epcis"`
}

// Declaration is an EPCIS errorDeclaration as pages show it: who declared
// the event erroneous, when, why, and the corrective events it names.
type Declaration struct {
	Hash       ledger.Hash `json:"hash"` // the declaration's own record (in the same histories)
	TxHash     ledger.Hash `json:"tx_hash"`
	Height     uint64      `json:"height"`
	Org        *OrgRef     `json:"org"`         // who declared it
	Time       string      `json:"time"`        // declarationTime, in its own offset
	RecordTime string      `json:"record_time"` // block time of the declaration, UTC
	// Reason is did_not_occur, incorrect_data, another URI, or "".
	Reason     string      `json:"reason,omitempty"`
	Corrective []EventLink `json:"corrective"`
}

// EventLink names an event by its EPCIS eventID and, when the chain has
// recorded it, by its record and transaction.
type EventLink struct {
	EventID string       `json:"event_id"`
	Hash    *ledger.Hash `json:"hash,omitempty"`
	TxHash  *ledger.Hash `json:"tx_hash,omitempty"`
}

// Amount is an object with an optional quantity.
type Amount struct {
	Object   ObjectRef `json:"object"`
	Quantity string    `json:"quantity,omitempty"` // exact decimal
	UOM      string    `json:"uom,omitempty"`      // UN/CEFACT code, e.g. KGM
}

// Party is a source or destination.
type Party struct {
	Type string  `json:"type"`
	ID   string  `json:"id"`
	Org  *OrgRef `json:"org,omitempty"`
}

// Detail is one ILMD or extension field.
type Detail struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Reading is one sensor report.
type Reading struct {
	Time   string `json:"time"` // as the sensor metadata gives it
	Type   string `json:"type"` // Temperature, RelativeHumidity, ...
	Value  string `json:"value"`
	UOM    string `json:"uom,omitempty"`
	Device string `json:"device,omitempty"`
}

// caches shared while assembling one view.
type caches struct {
	names map[string]string
	orgs  map[string]*OrgRef
}

func newCaches() *caches { return &caches{names: map[string]string{}, orgs: map[string]*OrgRef{}} }

// event converts a record.
func (r *Reader) event(rec *trace.Record, c *caches) (*Event, error) {
	ev, err := rec.Event()
	if err != nil {
		return nil, err
	}
	h := rec.Hash()
	out := &Event{
		Hash: h, Type: ev.Type.String(), Action: ev.Action.String(), BizStep: ev.BizStep, Disposition: ev.Disposition,
		Time: FormatTime(ev.EventTime, int(ev.TimeZoneOffset)), TimeUnixNs: ev.EventTime, RecordTime: blockTime(rec.Time),
		Place: r.place(ev.BizLocation), ReadPoint: r.place(ev.ReadPoint), Org: r.orgRef(rec.Org, c.orgs),
		Height: rec.Height, TxHash: rec.TxHash, Certificates: ev.CertificationInfo,
	}
	if out.Place == nil {
		out.Place = out.ReadPoint
	}
	amounts := func(os []gs1.ObjectID, qs []epcis.Quantity) []Amount {
		var list []Amount
		for _, o := range os {
			list = append(list, Amount{Object: r.ref(o, c.names)})
		}
		for _, q := range qs {
			a := Amount{Object: r.ref(q.Class, c.names), UOM: q.UOM}
			if q.HasQuantity {
				a.Quantity = q.Quantity.String()
			}
			list = append(list, a)
		}
		return list
	}
	out.Objects = amounts(ev.EPCList, ev.QuantityList)
	if out.Objects == nil {
		out.Objects = []Amount{}
	}
	out.Inputs = amounts(ev.InputEPCList, ev.InputQuantityList)
	out.Outputs = amounts(ev.OutputEPCList, ev.OutputQuantityList)
	out.Children = amounts(ev.ChildEPCs, ev.ChildQuantityList)
	if ev.ParentID != nil {
		p := r.ref(*ev.ParentID, c.names)
		out.Parent = &p
	}
	for _, d := range ev.Destinations {
		p := Party{Type: d.Type, ID: d.ID}
		if gln, err := gs1.ParsePartyGLN(d.ID); err == nil {
			if pl := r.place(gs1.PartyURI(gln)); pl != nil && pl.Org != "" {
				p.Org = r.orgRef(pl.Org, c.orgs)
			}
		}
		out.Destination = append(out.Destination, p)
	}
	out.Readings = readings(ev)
	out.Details = append(details(ev.ILMD), details(ev.Extensions)...)
	for _, pd := range ev.PersonalData {
		out.PersonalData = append(out.PersonalData, pd.Field)
	}
	out.Sender, out.Receiver = ev.Header.Sender, ev.Header.Receiver
	rcd := epcis.Recorded{Event: ev, Hash: h, RecordTime: rec.Time, Org: rec.Org, Height: rec.Height, TxHash: rec.TxHash}
	if ev.ErrorDeclaration != nil {
		if d, ok, err := trace.FindEvent(r.st, ev.EventID); err != nil {
			return nil, err
		} else if ok {
			out.Declares = &d
		}
	} else if d, ok, err := trace.DeclaredBy(r.st, h); err != nil {
		return nil, err
	} else if ok {
		drec, err := trace.GetRecord(r.st, d)
		if err != nil {
			return nil, err
		}
		if drec != nil {
			if out.Declared, err = r.declaration(drec, c); err != nil {
				return nil, err
			}
			dev, _ := drec.Event()
			rcd.Declared = &epcis.Recorded{Event: dev, Hash: d, Org: drec.Org, Height: drec.Height, TxHash: drec.TxHash}
		}
	}
	ej := epcis.EventJSON(&rcd)
	out.EPCIS, _ = ej.MarshalJSON()
	out.Step, out.TitleZH, out.TitleEN = classify(ev, out.Org)
	return out, nil
}

// declaration describes the error declaration recorded as rec, resolving
// the corrective events it names.
func (r *Reader) declaration(rec *trace.Record, c *caches) (*Declaration, error) {
	ev, err := rec.Event()
	if err != nil {
		return nil, err
	}
	ed := ev.ErrorDeclaration
	if ed == nil {
		return nil, fmt.Errorf("view: record %s declares an event erroneous but has no errorDeclaration", rec.Hash())
	}
	d := &Declaration{Hash: rec.Hash(), TxHash: rec.TxHash, Height: rec.Height, Org: r.orgRef(rec.Org, c.orgs),
		Time: FormatTime(ed.Time, int(ed.TimeZoneOffset)), RecordTime: blockTime(rec.Time), Reason: ed.Reason, Corrective: []EventLink{}}
	for _, id := range ed.CorrectiveIDs {
		link := EventLink{EventID: id}
		h, ok, err := trace.FindEvent(r.st, id)
		if err != nil {
			return nil, err
		}
		if ok {
			cr, err := trace.GetRecord(r.st, h)
			if err != nil {
				return nil, err
			}
			if cr != nil {
				link.Hash, link.TxHash = &h, &cr.TxHash
			}
		}
		d.Corrective = append(d.Corrective, link)
	}
	return d, nil
}

// classify names what an event means to a consumer.
func classify(ev *epcis.Event, org *OrgRef) (step, zh, en string) {
	switch {
	case ev.ErrorDeclaration != nil:
		return "declaration", "错误声明", "Error declaration"
	case ev.Disposition == "recalled":
		return "recall", "召回", "Recall"
	case ev.Type == epcis.AssociationEvent:
		switch ev.Action {
		case epcis.Delete:
			return "association", "解除关联", "Disassociated"
		case epcis.Observe:
			return "association", "关联核对", "Association checked"
		}
		return "association", "关联设备", "Associated"
	case ev.Type == epcis.TransformationEvent:
		if org.Has("cooperative") {
			return "processing", "摊青分级", "Spreading and grading"
		}
		return "processing", "加工制茶", "Processing"
	case ev.Type == epcis.ObjectEvent && ev.Action == epcis.Add && (ev.BizStep == "commissioning" || ev.BizStep == ""):
		if org.Has("farm") {
			return "harvest", "采摘", "Harvest"
		}
		return "harvest", "登记", "Commissioned"
	}
	switch ev.BizStep {
	case "inspecting":
		if ev.Disposition == "non_conformant" {
			return "inspection", "抽检不合格", "Inspection failed"
		}
		return "inspection", "质量检测", "Inspection"
	case "packing":
		return "packing", "装箱", "Packing"
	case "unpacking":
		return "unpacking", "拆箱上架", "Unpacking"
	case "shipping":
		return "shipping", "发运", "Shipping"
	case "receiving":
		return "receiving", "收货", "Receiving"
	case "transporting":
		return "transport", "冷链运输", "Cold-chain transport"
	case "retail_selling":
		return "sale", "销售", "Sale"
	case "holding":
		return "other", "暂扣", "Holding"
	case "cycle_counting", "stock_taking":
		return "other", "盘点", "Stock count"
	}
	if ev.BizStep == "" {
		return "other", "记录", "Event"
	}
	return "other", ev.BizStep, ev.BizStep
}

// readings extracts the sensor reports of an event.
func readings(ev *epcis.Event) []Reading {
	var out []Reading
	for _, s := range ev.SensorElements {
		var t, dev string
		if v := s.Metadata.Get("time"); v != nil && v.Kind == epcis.KindString {
			t = v.Str
		}
		if v := s.Metadata.Get("deviceID"); v != nil && v.Kind == epcis.KindString {
			dev = v.Str
		}
		for i := range s.Reports {
			rep := &s.Reports[i]
			rd := Reading{Time: t, Device: dev}
			if v := rep.Get("time"); v != nil && v.Kind == epcis.KindString {
				rd.Time = v.Str
			}
			if v := rep.Get("type"); v != nil && v.Kind == epcis.KindString {
				rd.Type = strings.TrimPrefix(v.Str, "gs1:")
			}
			if v := rep.Get("value"); v != nil && v.Kind == epcis.KindNumber {
				rd.Value = v.Num.String()
			} else {
				continue
			}
			if v := rep.Get("uom"); v != nil && v.Kind == epcis.KindString {
				rd.UOM = v.Str
			}
			out = append(out, rd)
		}
	}
	return out
}

// details flattens an ILMD or extensions object one level deep.
func details(v epcis.Value) []Detail {
	if v.Kind != epcis.KindObject {
		return nil
	}
	var out []Detail
	for _, f := range v.Fields {
		out = append(out, Detail{Name: f.Name, Value: scalar(f.Value)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func scalar(v epcis.Value) string {
	switch v.Kind {
	case epcis.KindString:
		return v.Str
	case epcis.KindNumber:
		return v.Num.String()
	case epcis.KindBool:
		if v.Bool {
			return "true"
		}
		return "false"
	}
	b, _ := v.MarshalJSON()
	return string(b)
}
