package config

import (
	"io"
	"log/slog"
)

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

func (l Log) validate() error {
	if l.Format != "text" && l.Format != "json" {
		return keyErr("log.format", "%q must be text or json", l.Format)
	}
	if _, ok := logLevels[l.Level]; !ok {
		return keyErr("log.level", "%q must be debug, info, warn or error", l.Level)
	}
	return nil
}

// NewLogger returns a structured logger writing to w in the configured
// format and level. l must have been validated (Load does).
func (l Log) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevels[l.Level]}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
