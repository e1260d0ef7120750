package web

import "github.com/qianchain/qianchain/node/view"

// Template functions for what the EPCIS 2.0 event model adds to the pages:
// object kinds beyond lots, associations, error declarations. They join
// the functions of funcs.go.
func init() {
	funcs["kindlabel"] = kindLabel
	funcs["reason"] = declarationReason
	funcs["evlabel"] = eventLabel
}

// kindLabel names an object kind (view.KindName) for a heading: 中文 then
// English.
func kindLabel(kind string) string {
	switch kind {
	case "lot":
		return "批次 Lot"
	case "item":
		return "单品 Serialised item"
	case "container":
		return "物流单元 Logistic unit"
	case "class":
		return "产品类别 Product class"
	case "returnable_asset":
		return "周转资产 Returnable asset"
	case "individual_asset":
		return "资产 Individual asset"
	case "service_relation":
		return "服务关系 Service relation"
	}
	return kind
}

// declarationReason names an errorDeclaration's reason (CBV 2.0 error
// reasons, or the URI a declarant gave).
func declarationReason(r string) string {
	switch r {
	case "did_not_occur":
		return "未发生 Did not occur"
	case "incorrect_data":
		return "数据有误 Incorrect data"
	}
	return r
}

// eventLabel is the timeline dot's character: stepLabel's, and 联 for an
// association.
func eventLabel(step string) string {
	if step == "association" {
		return "联"
	}
	return stepLabel(step)
}

// EventHref links to an event of a declaration's corrective list: to its
// place on this page's timeline when it is there, else to its
// transaction.
func (lp *lotPage) EventHref(l view.EventLink) string {
	if l.Hash == nil {
		return ""
	}
	for _, ev := range lp.Timeline {
		if ev.Hash == *l.Hash {
			return "#ev-" + l.Hash.String()
		}
	}
	return "/explorer/txs/" + l.TxHash.String()
}
