package devnet

import (
	"errors"

	"github.com/qianchain/qianchain/node/mempool"
)

func codeOf(err error) string {
	var e *mempool.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
