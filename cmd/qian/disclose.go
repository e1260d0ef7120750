package main

import (
	"fmt"
	"os"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
)

// readDisclosures reads a disclosure file (disclosure.ParseFile: one form,
// a list).
func readDisclosures(path string) ([]disclosure.Disclosure, error) {
	raw, err := readLimited(path, disclosure.MaxFileBytes)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, err
		}
		return nil, coded(call.ErrDisclosure, err.Error())
	}
	ds, err := disclosure.ParseFile(raw)
	if err != nil {
		return nil, proofErr(fmt.Errorf("%s: %w", path, err))
	}
	return ds, nil
}
