package api

import "github.com/qianchain/qianchain/node/config"

// OptionsFrom returns the API's limits set by a node's http.* keys. A rate
// of 0 in the file means no limit (0 tokens per second would refuse
// everything), as a negative one does.
func OptionsFrom(h config.HTTP) Options {
	rate := func(r int64) float64 {
		if r <= 0 {
			return -1
		}
		return float64(r)
	}
	return Options{
		Limit: LimitConfig{Rate: rate(h.SubmitRate), Burst: int(h.SubmitBurst), LimitLoopback: h.SubmitLimitLoopback},
		Read:  LimitConfig{Rate: rate(h.ReadRate), Burst: int(h.ReadBurst), LimitLoopback: h.LimitLoopback},
		Streams: StreamLimits{Max: h.MaxStreams, PerClient: h.MaxStreamsPerClient, LimitLoopback: h.LimitLoopback,
			WriteTimeout: h.WriteTimeout},
	}
}
