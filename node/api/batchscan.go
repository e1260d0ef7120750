package api

// scanBatch reads the body every gateway sends to POST /v1/txs/batch,
// {"txs":["<hex>",...]} with any JSON white space, without encoding/json,
// which validates the whole body in one pass (checkValid) and decodes it in a
// second, through reflection: 3 % of a validator's CPU at 8,000 tx/s. It
// reports false for anything else — another key, a duplicate "txs", escapes
// or non-hex bytes in a string, null — and decodeBatch then hands the body
// to encoding/json, whose answer (or error) is the API's. So scanBatch
// decides nothing: it only returns early what json.Unmarshal would return
// (TestScanBatchAgreesWithJSON, FuzzScanBatch).
func scanBatch(body []byte) (BatchRequest, bool) {
	var req BatchRequest
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return req, false
	}
	i = skipSpace(body, i+1)
	for _, want := range []byte(`"txs"`) {
		if i >= len(body) || body[i] != want {
			return req, false
		}
		i++
	}
	if i = skipSpace(body, i); i >= len(body) || body[i] != ':' {
		return req, false
	}
	if i = skipSpace(body, i+1); i >= len(body) || body[i] != '[' {
		return req, false
	}
	req.Txs = []string{}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == ']' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return req, false
			}
			j := i + 1
			for j < len(body) && isHex(body[j]) {
				j++
			}
			if j >= len(body) || body[j] != '"' {
				return req, false
			}
			req.Txs = append(req.Txs, string(body[i+1:j]))
			if i = skipSpace(body, j+1); i >= len(body) {
				return req, false
			}
			if body[i] == ']' {
				i++
				break
			}
			if body[i] != ',' {
				return req, false
			}
			i = skipSpace(body, i+1)
		}
	}
	if i = skipSpace(body, i); i >= len(body) || body[i] != '}' {
		return req, false
	}
	return req, skipSpace(body, i+1) == len(body)
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
