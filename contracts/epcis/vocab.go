package epcis

import "strings"

// CBV 2.0 short names, as the GS1 EPCIS 2.0 JSON schema enumerates them.
var (
	bizSteps = words("accepting arriving assembling collecting commissioning consigning creating_class_instance " +
		"cycle_counting decommissioning departing destroying disassembling dispensing encoding entering_exiting " +
		"holding inspecting installing killing loading other packing picking receiving removing repackaging " +
		"repairing replacing reserving retail_selling shipping staging_outbound stock_taking stocking storing " +
		"transporting unloading unpacking void_shipping sensor_reporting sampling")
	dispositions = words("active container_closed damaged destroyed dispensed disposed encoded expired in_progress " +
		"in_transit inactive no_pedigree_match non_sellable_other partially_dispensed recalled reserved retail_sold " +
		"returned sellable_accessible sellable_not_accessible stolen unknown available completeness_verified " +
		"completeness_inferred conformant container_open mismatch_instance mismatch_class mismatch_quantity " +
		"needs_replacement non_conformant unavailable")
	bizTransactionTypes = words("bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt")
	sourceDestTypes     = words("owning_party possessing_party location")

	sensorMetadataFields = words("time deviceID deviceMetadata rawData startTime endTime dataProcessingMethod bizRules")
	sensorReportFields   = words("type exception deviceID deviceMetadata rawData dataProcessingMethod bizRules time " +
		"microorganism chemicalSubstance coordinateReferenceSystem value component stringValue booleanValue " +
		"hexBinaryValue uriValue minValue maxValue meanValue sDev percRank percValue uom")
)

// sensorNumberFields are the sensor report fields whose values are numbers;
// booleanValue is the one boolean; every other standard field is a string.
var sensorNumberFields = words("value minValue maxValue meanValue sDev percRank percValue")

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Standard JSON-LD context of EPCIS 2.0, which every document names.
const StandardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// cbvURI reports whether s is in a namespace the schema reserves for CBV
// terms, which must be written as short names.
func cbvURI(s string) bool {
	return strings.HasPrefix(s, "urn:epcglobal:cbv") || strings.HasPrefix(s, "http://ns.gs1.org/cbv/") ||
		strings.HasPrefix(s, "https://ns.gs1.org/cbv/")
}

// vocabOK reports whether s is a CBV short name from list or a URI outside
// the CBV namespaces.
func vocabOK(s string, list map[string]bool) bool {
	if list[s] {
		return true
	}
	return validURI(s) && !cbvURI(s)
}

// validURI is a syntax check in the spirit of RFC 3986: a scheme, a colon,
// and then printable ASCII without spaces or the characters RFC 3986
// excludes.
func validURI(s string) bool {
	if len(s) == 0 || len(s) > MaxURILen {
		return false
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`<>"{}|\^`+"`", c) >= 0 {
			return false
		}
	}
	return true
}
