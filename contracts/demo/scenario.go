package demo

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

// Keys are the founding organisations' admin private keys, by role.
type Keys map[membership.Role]ledger.PrivateKey

// Step is one transaction of the story.
type Step struct {
	Org    string // acting organisation id
	Note   string // 中文 — English
	Tx     *ledger.Tx
	Expect string // call.OK, or the code the story expects (one deliberate rejection)
}

// Story is the scenario's transactions in order, and what the farm keeps
// off chain: the disclosures of its personal-data commitments.
type Story struct {
	Steps       []Step
	Disclosures []disclosure.Disclosure
	// CertificateDoc and DatasetDoc stand for the documents whose SHA-256
	// the story anchors (the residue test report, the dataset).
	CertificateDoc []byte
	DatasetDoc     []byte
}

// Derive makes a story key from an admin key and a label: the farm's
// operator key and farm2's admin key. It is as secret as the admin key.
func Derive(admin ledger.PrivateKey, label string) ledger.PrivateKey {
	for i := 0; ; i++ {
		seed := sha256.Sum256(append(append(admin.Bytes(), label...), byte(i)))
		if k, err := ledger.PrivateKeyFromBytes(seed[:]); err == nil {
			return k
		}
	}
}

// saltReader yields deterministic salts derived from the farm's key, so
// the story is the same every time.
type saltReader struct {
	seed [32]byte
	n    int
}

func (r *saltReader) Read(p []byte) (int, error) {
	for i := range p {
		if r.n%32 == 0 {
			r.seed = sha256.Sum256(r.seed[:])
		}
		p[i] = r.seed[r.n%32]
		r.n++
	}
	return len(p), nil
}

type builder struct {
	chainID string
	nonces  map[ledger.PublicKey]uint64
	story   *Story
	err     error
}

func (b *builder) add(org string, k ledger.PrivateKey, note, contract, method string, payload []byte, expect string) {
	if b.err != nil {
		return
	}
	pub := k.PublicKey()
	tx := &ledger.Tx{ChainID: b.chainID, Sender: pub, Nonce: b.nonces[pub], Contract: contract, Method: method, Payload: payload}
	b.nonces[pub]++
	if err := tx.Sign(k); err != nil {
		b.err = err
		return
	}
	b.story.Steps = append(b.story.Steps, Step{Org: org, Note: note, Tx: tx, Expect: expect})
}

func (b *builder) event(org string, k ledger.PrivateKey, note string, ev *epcis.Event, expect string) {
	if err := ev.Validate(); err != nil && b.err == nil {
		b.err = fmt.Errorf("demo event %q: %w", note, err)
	}
	b.add(org, k, note, trace.Contract, trace.MethodCapture, ev.Encode(), expect)
}

// at parses a Beijing-time timestamp of the story.
func at(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err) // the story's literals are valid
	}
	return t.Add(-8 * time.Hour).UnixNano()
}

const cst = 8 * 60 // UTC+08:00, China Standard Time

func lot(gtin, l string) gs1.ObjectID { return gs1.ObjectID{Kind: gs1.Lot, Key: gtin, Ext: l} }

func kg(o gs1.ObjectID, amount string) epcis.Quantity {
	d, err := epcis.ParseDecimal(amount)
	if err != nil {
		panic(err)
	}
	return epcis.Quantity{Class: o, HasQuantity: true, Quantity: d, UOM: "KGM"}
}

func site(gln string) string  { return gs1.Location{GLN: gln}.URI() }
func party(gln string) string { return gs1.PartyURI(gln) }

func str(s string) epcis.Value { return epcis.StringValue(s) }

func num(s string) epcis.Value {
	d, err := epcis.ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return epcis.Value{Kind: epcis.KindNumber, Num: d}
}

func object(fields ...any) epcis.Value {
	v := epcis.Value{Kind: epcis.KindObject}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Fields = append(v.Fields, epcis.Field{Name: fields[i].(string), Value: fields[i+1].(epcis.Value)})
	}
	epcis.SortObject(&v)
	return v
}

func shipTo(gln string) []epcis.Party {
	return []epcis.Party{{Type: "possessing_party", ID: party(gln)}, {Type: "owning_party", ID: party(gln)}}
}

func obs(t string, step, disp, readPoint string) *epcis.Event {
	return &epcis.Event{Type: epcis.ObjectEvent, EventTime: at(t), TimeZoneOffset: cst, Action: epcis.Observe,
		BizStep: step, Disposition: disp, ReadPoint: site(readPoint), BizLocation: site(readPoint)}
}

// sha256Ref is an RFC 6920 named-information URI for a document hash, the
// form certificationInfo uses for "the SHA-256 of the certificate".
func sha256Ref(doc []byte) string {
	h := sha256.Sum256(doc)
	return fmt.Sprintf("ni:///sha-256;%x", h)
}

// Scenario builds the story for chainID from the founding admin keys (all
// eight roles are needed).
func Scenario(chainID string, keys Keys) (*Story, error) {
	for _, o := range Founding {
		if keys[o.Role].IsZero() {
			return nil, fmt.Errorf("demo: no admin key for role %s", o.Role)
		}
	}
	st := &Story{
		CertificateDoc: []byte("黔南州茶叶质量检测中心 检测报告 QNTC-2025-0412: 都匀毛尖 DYMJ20250325A/B, GB 2763-2021 农药残留 54 项 未检出 (54 pesticide residues per GB 2763-2021: none detected)\n"),
		DatasetDoc:     []byte("date,lot,product,kg,store\n2025-04-02,DYMJ20250325A,都匀毛尖特级,2.5,观山湖店\n"),
	}
	b := &builder{chainID: chainID, nonces: map[ledger.PublicKey]uint64{}, story: st}
	farm, coop, proc := keys[membership.Farm], keys[membership.Cooperative], keys[membership.Processor]
	logi, shop, insp := keys[membership.Logistics], keys[membership.Retailer], keys[membership.Inspector]
	reg, dx := keys[membership.Regulator], keys[membership.DataExchange]
	farmOp := Derive(farm, "demo operator: harvest clerk")
	farm2 := Derive(farm, "demo farm2 admin")
	ok := call.OK

	// 1. Keys and products.
	b.add("farm", farm, "茶园管理员为采茶登记员添加操作员密钥 — the farm's admin adds an operator key for its harvest clerk",
		membership.Contract, membership.MethodAddAccount,
		(&membership.AddAccount{Key: farmOp.PublicKey(), Role: membership.Operator, Label: "采茶登记员 harvest clerk"}).Encode(), ok)
	products := []struct {
		org  string
		k    ledger.PrivateKey
		gtin string
		name string
	}{
		{"farm", farm, GTINFreshLeaves, "都匀毛尖鲜叶 一芽一叶 (Duyun Maojian fresh leaves, one bud one leaf)"},
		{"cooperative", coop, GTINGradedLeaves, "合作社分级鲜叶 (co-op graded fresh leaves)"},
		{"processor", proc, GTINMaojianSpecial, "都匀毛尖 特级 250克罐装 (Duyun Maojian green tea, special grade, 250 g tin)"},
		{"processor", proc, GTINMaojianFirst, "都匀毛尖 一级 500克袋装 (Duyun Maojian green tea, first grade, 500 g bag)"},
	}
	for _, p := range products {
		b.add(p.org, p.k, "登记产品 — register product "+p.gtin, trace.Contract, trace.MethodRegisterProduct,
			(&trace.RegisterProduct{GTIN: p.gtin, Name: p.name, Description: "产地 黔南州都匀市 (origin: Duyun, Qiannan, Guizhou)"}).Encode(), ok)
	}

	// 2. Governance: the regulator proposes a second farm; five more
	// founding organisations approve (6 of 8 > 2/3).
	prop := &membership.Propose{Kind: membership.AddOrg, Org: Farm2.Spec(Farm2ID, farm2.PublicKey()),
		Reason: "摆桑茶场申请加入黔链 — Baisang Tea Farm applies to join Qianchain"}
	if err := prop.Org.Normalize(); err != nil {
		return nil, err
	}
	b.add("regulator", reg, "市场监管局提议接纳摆桑茶场 — the regulator proposes adding Baisang Tea Farm",
		membership.Contract, membership.MethodPropose, prop.Encode(), ok)
	if b.err == nil {
		pid := b.story.Steps[len(b.story.Steps)-1].Tx.Hash()
		for _, v := range []struct {
			org string
			k   ledger.PrivateKey
		}{{"farm", farm}, {"cooperative", coop}, {"processor", proc}, {"logistics", logi}, {"retailer", shop}} {
			b.add(v.org, v.k, "赞成接纳摆桑茶场 — approves adding Baisang Tea Farm", membership.Contract, membership.MethodApprove,
				(&membership.Approve{Proposal: pid}).Encode(), ok)
		}
	}

	// 3. Harvest (清明前春茶, pre-Qingming spring tea).
	f1, f2 := lot(GTINFreshLeaves, LotFarm), lot(GTINFreshLeaves2, LotFarm2)
	harvest := &epcis.Event{Type: epcis.ObjectEvent, EventTime: at("2025-03-24 09:30"), TimeZoneOffset: cst, Action: epcis.Add,
		BizStep: "commissioning", Disposition: "active", ReadPoint: site(Farm.SiteGLN), BizLocation: site(Farm.SiteGLN),
		QuantityList: []epcis.Quantity{kg(f1, "120.5")},
		ILMD: object("qian:variety", str("黔南小叶种 (Qiannan small-leaf cultivar)"), "qian:pluckingStandard", str("一芽一叶初展 (one bud, one opening leaf)"),
			"qian:altitudeMetres", num("1180")),
		Context: object("qian", str(epcis.QianIRI))}
	sr := &saltReader{seed: sha256.Sum256(append(farm.Bytes(), "demo salts"...))}
	for _, f := range []struct{ field, value string }{{"farmerName", "王秀英"}, {"farmerPhone", "13985400217"}} {
		d, c, err := disclosure.New(f.field, f.value, sr)
		if err != nil {
			return nil, err
		}
		st.Disclosures = append(st.Disclosures, d)
		harvest.PersonalData = append(harvest.PersonalData, epcis.Commitment{Field: f.field, Hash: c})
	}
	b.event("farm", farmOp, "螺丝壳茶园采摘鲜叶 120.5 公斤 — Luosike garden harvests 120.5 kg of fresh leaves (picker's name and phone as commitments)", harvest, ok)
	b.add(Farm2ID, farm2, "摆桑茶场登记产品 — Baisang registers its fresh leaves", trace.Contract, trace.MethodRegisterProduct,
		(&trace.RegisterProduct{GTIN: GTINFreshLeaves2, Name: "摆桑茶场 鲜叶 (Baisang fresh leaves)"}).Encode(), ok)
	harvest2 := &epcis.Event{Type: epcis.ObjectEvent, EventTime: at("2025-03-24 10:15"), TimeZoneOffset: cst, Action: epcis.Add,
		BizStep: "commissioning", Disposition: "active", ReadPoint: site(Farm2.SiteGLN), BizLocation: site(Farm2.SiteGLN),
		QuantityList: []epcis.Quantity{kg(f2, "86")}}
	b.event(Farm2ID, farm2, "摆桑茶场采摘鲜叶 86 公斤 — Baisang harvests 86 kg of fresh leaves", harvest2, ok)

	// 4. The co-op gathers both harvests.
	ship := obs("2025-03-24 14:00", "shipping", "in_transit", Farm.SiteGLN)
	ship.QuantityList, ship.Destinations = []epcis.Quantity{kg(f1, "120.5")}, shipTo(Cooperative.PartyGLN)
	b.event("farm", farmOp, "鲜叶运往合作社 — fresh leaves leave for the co-op", ship, ok)
	ship2 := obs("2025-03-24 14:30", "shipping", "in_transit", Farm2.SiteGLN)
	ship2.QuantityList, ship2.Destinations = []epcis.Quantity{kg(f2, "86")}, shipTo(Cooperative.PartyGLN)
	b.event(Farm2ID, farm2, "摆桑鲜叶运往合作社 — Baisang's leaves leave for the co-op", ship2, ok)
	recv := obs("2025-03-24 15:10", "receiving", "in_progress", Cooperative.SiteGLN)
	recv.QuantityList = []epcis.Quantity{kg(f1, "120.5"), kg(f2, "86")}
	b.event("cooperative", coop, "合作社收购点收到两批鲜叶 — the co-op's collection station receives both lots", recv, ok)
	c1, c2 := lot(GTINGradedLeaves, LotCoop1), lot(GTINGradedLeaves, LotCoop2)
	for i, pair := range [][2]gs1.ObjectID{{f1, c1}, {f2, c2}} {
		amount := []string{"118", "84.5"}[i]
		tr := &epcis.Event{Type: epcis.TransformationEvent, EventTime: at("2025-03-24 16:00"), TimeZoneOffset: cst,
			BizStep: "commissioning", Disposition: "active", ReadPoint: site(Cooperative.SiteGLN),
			InputQuantityList: []epcis.Quantity{kg(pair[0], []string{"120.5", "86"}[i])}, OutputQuantityList: []epcis.Quantity{kg(pair[1], amount)}}
		b.event("cooperative", coop, "合作社摊青分级 — the co-op spreads and grades the leaves into lot "+pair[1].Ext, tr, ok)
	}
	ship3 := obs("2025-03-24 18:00", "shipping", "in_transit", Cooperative.SiteGLN)
	ship3.QuantityList, ship3.Destinations = []epcis.Quantity{kg(c1, "118"), kg(c2, "84.5")}, shipTo(Processor.PartyGLN)
	b.event("cooperative", coop, "分级鲜叶运往加工厂 — graded leaves go to the factory", ship3, ok)
	recv3 := obs("2025-03-24 19:20", "receiving", "in_progress", Processor.SiteGLN)
	recv3.QuantityList = []epcis.Quantity{kg(c1, "118"), kg(c2, "84.5")}
	b.event("processor", proc, "加工厂收到鲜叶 — the factory receives the leaves", recv3, ok)

	// 5. Processing: 杀青、揉捻、搓团提毫、烘干 (fixing, rolling, shaping, drying).
	a, lb := lot(GTINMaojianSpecial, LotMaojian), lot(GTINMaojianFirst, LotMaojianB)
	for i, pair := range [][2]gs1.ObjectID{{c1, a}, {c2, lb}} {
		tr := &epcis.Event{Type: epcis.TransformationEvent, EventTime: at("2025-03-25 06:00"), TimeZoneOffset: cst,
			BizStep: "commissioning", Disposition: "active", ReadPoint: site(Processor.SiteGLN), BizLocation: site(Processor.SiteGLN),
			InputQuantityList:  []epcis.Quantity{kg(pair[0], []string{"118", "84.5"}[i])},
			OutputQuantityList: []epcis.Quantity{kg(pair[1], []string{"26.5", "19"}[i])},
			ILMD: object("cbvmda:bestBeforeDate", str("2026-09-25"), "qian:grade", str([]string{"特级 (special)", "一级 (first)"}[i]),
				"qian:process", str("杀青、揉捻、搓团提毫、烘干 (fixing, rolling, shaping, drying)")),
			Context: object("qian", str(epcis.QianIRI))}
		b.event("processor", proc, "制成都匀毛尖 "+pair[1].Ext+" — processed into Duyun Maojian lot "+pair[1].Ext, tr, ok)
	}

	// 6. The inspector certifies the pesticide-residue tests.
	cert := sha256Ref(st.CertificateDoc)
	for _, l := range []gs1.ObjectID{a, lb} {
		in := obs("2025-03-26 10:00", "inspecting", "conformant", Inspector.SiteGLN)
		in.QuantityList = []epcis.Quantity{{Class: l}}
		in.CertificationInfo = []string{cert}
		in.Extensions = object("qian:test", str("农药残留 54 项 (54 pesticide residues, GB 2763-2021)"), "qian:result", str("未检出 (none detected)"))
		in.Context = object("qian", str(epcis.QianIRI))
		b.event("inspector", insp, "检测中心出具农残检测合格证书 "+l.Ext+" — the testing centre certifies lot "+l.Ext+" (certificate hash on chain)", in, ok)
	}
	certHash := sha256.Sum256(st.CertificateDoc)
	b.add("inspector", insp, "检测中心存证检测报告 — the testing centre anchors its report as evidence", notary.Contract, notary.MethodAnchor,
		(&notary.Anchor{Hash: certHash, Kind: notary.Evidence, Name: "检测报告 QNTC-2025-0412.pdf (residue test report)", MediaType: "application/pdf"}).Encode(), ok)

	// 7. Packing and cold-chain transport.
	pallet := Pallet
	pack := &epcis.Event{Type: epcis.AggregationEvent, EventTime: at("2025-03-27 08:00"), TimeZoneOffset: cst, Action: epcis.Add,
		BizStep: "packing", Disposition: "container_closed", ReadPoint: site(Processor.SiteGLN), ParentID: &pallet,
		ChildQuantityList: []epcis.Quantity{kg(a, "26.5"), kg(lb, "19")}}
	b.event("processor", proc, "两批茶装上托盘 — both lots are packed on one pallet", pack, ok)
	ship4 := obs("2025-03-27 09:00", "shipping", "in_transit", Processor.SiteGLN)
	ship4.EPCList, ship4.Destinations = []gs1.ObjectID{pallet}, shipTo(Logistics.PartyGLN)
	b.event("processor", proc, "托盘交冷链承运 — the pallet is handed to the cold-chain carrier", ship4, ok)
	recv4 := obs("2025-03-27 09:20", "receiving", "in_progress", Logistics.SiteGLN)
	recv4.EPCList = []gs1.ObjectID{pallet}
	b.event("logistics", logi, "承运商接收托盘 — the carrier takes the pallet", recv4, ok)
	move := obs("2025-03-27 13:40", "transporting", "in_transit", Logistics.SiteGLN)
	move.BizLocation = ""
	move.EPCList = []gs1.ObjectID{pallet}
	for _, reading := range []struct{ t, c, rh string }{{"2025-03-27T10:00:00+08:00", "3.8", "52"}, {"2025-03-27T11:30:00+08:00", "4.1", "54"}, {"2025-03-27T13:00:00+08:00", "4.6", "55"}} {
		move.SensorElements = append(move.SensorElements, epcis.SensorElement{
			Metadata: object("time", str(reading.t), "deviceID", str("urn:epc:id:giai:6923104.TL0007")),
			Reports: []epcis.Value{
				object("type", str("Temperature"), "value", num(reading.c), "uom", str("CEL")),
				object("type", str("RelativeHumidity"), "value", num(reading.rh), "uom", str("P1")),
			},
			Extra: epcis.Value{Kind: epcis.KindObject}})
	}
	b.event("logistics", logi, "都匀至贵阳冷链运输 2-6℃ 温度记录 — cold-chain run Duyun to Guiyang with temperature readings", move, ok)
	// The carrier's clerk first records the delivery against the co-op's
	// warehouse, the last destination typed; the carrier declares that
	// record erroneous (EPCIS errorDeclaration) and records the shipment
	// to the store as its correction. The wrong record stays on the chain,
	// marked; custody follows the correction.
	ship5 := obs("2025-03-27 13:50", "shipping", "in_transit", Logistics.SiteGLN)
	ship5.BizLocation, ship5.EventID = "", CorrectedShipmentID
	ship5.EPCList, ship5.Destinations = []gs1.ObjectID{pallet}, shipTo(Retailer.PartyGLN)
	wrong := obs("2025-03-27 13:45", "shipping", "in_transit", Logistics.SiteGLN)
	wrong.BizLocation, wrong.EventID = "", WrongShipmentID
	wrong.EPCList, wrong.Destinations = []gs1.ObjectID{pallet}, shipTo(Cooperative.PartyGLN)
	b.event("logistics", logi, "承运商误录托盘运往合作社仓库 — the carrier's clerk records the pallet as shipped to the co-op's warehouse by mistake", wrong, ok)
	declared := *wrong
	declared.ErrorDeclaration = &epcis.ErrorDeclaration{Time: at("2025-03-27 13:48"), TimeZoneOffset: cst, Reason: "incorrect_data",
		CorrectiveIDs: []string{CorrectedShipmentID}}
	b.event("logistics", logi, "承运商声明该记录有误，并以发往门店的记录更正 — the carrier declares that record erroneous and corrects it with the shipment to the store", &declared, ok)
	b.event("logistics", logi, "送达贵阳门店 — delivery to the Guiyang store", ship5, ok)
	recv5 := obs("2025-03-27 14:05", "receiving", "in_progress", Retailer.SiteGLN)
	recv5.EPCList = []gs1.ObjectID{pallet}
	b.event("retailer", shop, "观山湖店收货 — the Guanshanhu store receives the pallet", recv5, ok)
	unpack := &epcis.Event{Type: epcis.AggregationEvent, EventTime: at("2025-03-27 15:00"), TimeZoneOffset: cst, Action: epcis.Delete,
		BizStep: "unpacking", ReadPoint: site(Retailer.SiteGLN), ParentID: &pallet}
	b.event("retailer", shop, "拆托上架 — the pallet is unpacked onto the shelves", unpack, ok)

	// 8. Sales, then the recall.
	sell := obs("2025-04-02 11:20", "retail_selling", "retail_sold", Retailer.SiteGLN)
	sell.QuantityList = []epcis.Quantity{kg(a, "2.5")}
	b.event("retailer", shop, "售出特级都匀毛尖 10 罐 — ten tins of special-grade Maojian sold", sell, ok)
	sellB := obs("2025-04-02 11:40", "retail_selling", "retail_sold", Retailer.SiteGLN)
	sellB.QuantityList = []epcis.Quantity{kg(lb, "1")}
	b.event("retailer", shop, "售出一级都匀毛尖 2 袋 — two bags of first-grade Maojian sold", sellB, ok)
	spot := obs("2025-04-08 09:00", "inspecting", "non_conformant", Farm2.SiteGLN)
	spot.QuantityList = []epcis.Quantity{{Class: f2}}
	spot.Extensions = object("qian:test", str("联苯菊酯 (bifenthrin)"), "qian:result", str("超标 (above the GB 2763-2021 limit)"))
	spot.Context = object("qian", str(epcis.QianIRI))
	b.event("inspector", insp, "抽检发现摆桑鲜叶联苯菊酯超标 — a spot check finds bifenthrin above the limit in Baisang's leaves", spot, ok)
	recall := obs("2025-04-08 16:00", "holding", "recalled", Regulator.SiteGLN)
	recall.BizLocation = ""
	recall.QuantityList = []epcis.Quantity{{Class: f2}}
	recall.Extensions = object("qian:recallNotice", str("黔南市监〔2025〕召字第 7 号 (Qiannan recall notice 2025 No. 7)"))
	recall.Context = object("qian", str(epcis.QianIRI))
	b.event("regulator", reg, "市场监管局召回摆桑鲜叶及其全部衍生批次 — the regulator recalls Baisang's lot and everything made from it", recall, ok)
	sellB2 := obs("2025-04-09 10:00", "retail_selling", "retail_sold", Retailer.SiteGLN)
	sellB2.QuantityList = []epcis.Quantity{kg(lb, "1")}
	b.event("retailer", shop, "召回后再售一级茶被拒绝 — selling the recalled first-grade lot is refused", sellB2, call.ErrRecalled)
	sell2 := obs("2025-04-09 10:05", "retail_selling", "retail_sold", Retailer.SiteGLN)
	sell2.QuantityList = []epcis.Quantity{kg(a, "1.25")}
	b.event("retailer", shop, "特级茶未受召回影响，继续销售 — the special grade is unaffected and still sells", sell2, ok)

	// 9. The data exchange notarizes the sale of a dataset.
	dsHash := sha256.Sum256(st.DatasetDoc)
	b.add("data_exchange", dx, "交易所为数据产品存证 — the exchange anchors the data product", notary.Contract, notary.MethodAnchor,
		(&notary.Anchor{Hash: dsHash, Kind: notary.DataProduct, Name: DatasetName, MediaType: "text/csv", Size: uint64(len(st.DatasetDoc)),
			Attrs: []notary.Attr{{Key: "listing", Value: DatasetProductID}}}).Encode(), ok)
	terms := sha256.Sum256([]byte("数据产品交易合同 GBDEX-2025-04-0017 (data product sale contract)"))
	b.add("data_exchange", dx, "交易所记录数据交易 — the exchange records the sale of the dataset", notary.Contract, notary.MethodRecordTrade,
		(&notary.TradePayload{ProductHash: dsHash, Seller: Processor.Name, Buyer: "黔货出山电商平台 (Qianhuo Chushan e-commerce platform)",
			ProductID: DatasetProductID, TermsHash: terms, Reference: TradeReference, Time: at("2025-04-10 15:30")}).Encode(), ok)
	if b.err != nil {
		return nil, b.err
	}
	return st, nil
}
