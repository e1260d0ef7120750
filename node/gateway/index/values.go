package index

import (
	"encoding/binary"

	"github.com/cockroachdb/pebble/v2"
)

// Values lists the distinct values of a field in byte order, up to limit,
// starting after the value after ("" from the start): the members of the
// top-level resources (/bizSteps, /epcs, ...). more reports that values
// follow.
func (ix *Index) Values(f Field, after string, limit int) (vals []string, more bool, err error) {
	lo := []byte{tValue, byte(f)}
	if after != "" {
		lo = upper(valuePrefix(f, after))
	}
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: []byte{tValue, byte(f) + 1}})
	if err != nil {
		return nil, false, err
	}
	defer it.Close()
	for ok := it.First(); ok; {
		k := it.Key()
		n := int(binary.BigEndian.Uint16(k[2:]))
		if len(vals) == limit {
			return vals, true, it.Error()
		}
		v := string(k[4 : 4+n])
		vals = append(vals, v)
		ok = it.SeekGE(upper(valuePrefix(f, v)))
	}
	return vals, false, it.Error()
}

// Has reports whether any event has field = value.
func (ix *Index) Has(f Field, value string) (bool, error) {
	p := valuePrefix(f, value)
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: p, UpperBound: upper(p)})
	if err != nil {
		return false, err
	}
	defer it.Close()
	return it.First(), it.Error()
}
