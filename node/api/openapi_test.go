package api_test

import "net/http"

func recordResponse(method, path string, resp *http.Response, raw []byte) {}
