package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/gateway"
)

// gatewayConfigFile holds the gateway's settings in its home; flags and
// QIAN_GATEWAY_* variables override it.
const gatewayConfigFile = "gateway.toml"

func newGatewayCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Run an organisation's EPCIS 2.0 gateway (GS1 REST bindings) in front of a node",
		Long: `Run the organisation's gateway: GS1's EPCIS 2.0 REST bindings (POST /capture,
GET /events, /queries, subscriptions, ...) for the organisation's own systems. It
signs captured events with --key from --keyring (the key never leaves this process)
and submits them to --node; it answers queries from its own index of the chain,
built from blocks whose certificates it checks against --genesis, so it trusts no
node. Its jobs, index and subscriptions live in --home.

Clients authenticate with an API key (Authorization: Bearer KEY; keys one a line in
--api-key-file, or api_keys in HOME/gateway.toml) or, with --tls-client-ca, a client
certificate; anything else is answered 401. docs/gateway.md is the manual.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := config.ResolveHome(cmd.Flags())
			v, err := gatewayConfig(cmd, home)
			if err != nil {
				return err
			}
			auth := gateway.Auth{APIKeys: v.GetStringSlice("api_keys")}
			if f := v.GetString("api_key_file"); f != "" {
				keys, err := gateway.LoadAPIKeys(f)
				if err != nil {
					return fmt.Errorf("--api-key-file: %w", err)
				}
				auth.APIKeys = append(auth.APIKeys, keys...)
			}
			tlsCfg, err := gatewayTLS(v)
			if err != nil {
				return err
			}
			auth.MutualTLS = tlsCfg != nil && tlsCfg.ClientCAs != nil
			if !auth.Enabled() {
				return usagef("the gateway would refuse everyone: give --api-key-file, api_keys in %s, or --tls-client-ca", gatewayConfigFile)
			}
			c, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if c.Node == "" {
				return usagef("no node: give --node URL or set QIAN_NODE")
			}
			genPath := v.GetString("genesis")
			if genPath == "" {
				genPath = filepath.Join(home, config.GenesisFileName)
			}
			doc, err := genesis.Load(genPath)
			if err != nil {
				return fmt.Errorf("genesis (--genesis): %w", err)
			}
			var schema *epcis.Schema
			if p := epcisSchemaPath(v.GetString("schema")); p != "" {
				raw, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				if schema, err = epcis.NewSchema(raw); err != nil {
					return err
				}
			}
			key, err := unlockSigner(e, c)
			if err != nil {
				return err
			}
			logCfg := config.Log{Format: "text", Level: v.GetString("log_level")}
			g, err := gateway.Open(gateway.Options{Home: home, NodeURL: c.Node, Genesis: doc, Key: key, Auth: auth, Schema: schema,
				CaptureLimit: v.GetInt("capture_limit"), FileSizeLimit: v.GetInt64("file_size_limit"), Log: logCfg.NewLogger(e.stderr)})
			if err != nil {
				return err
			}
			defer g.Close()
			ln, err := net.Listen("tcp", v.GetString("listen"))
			if err != nil {
				return err
			}
			scheme := "http"
			if tlsCfg != nil {
				ln, scheme = tls.NewListener(ln, tlsCfg), "https"
			}
			srv := &http.Server{Handler: g.Handler(), ReadHeaderTimeout: 10 * time.Second}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			errc := make(chan error, 2)
			go func() { errc <- g.Run(ctx) }()
			go func() { errc <- srv.Serve(ln) }()
			fmt.Fprintf(e.stdout, "gateway of %s listening on %s://%s, following %s (chain %s, indexed to height %d)\n",
				key.PublicKey().Short(), scheme, ln.Addr(), c.Node, doc.ChainID, g.Height())
			var runErr error
			select {
			case <-ctx.Done():
			case runErr = <-errc:
			}
			stop()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			for i := 0; i < 2 && runErr == nil; i++ {
				if err := <-errc; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
					runErr = err
				}
			}
			if errors.Is(runErr, http.ErrServerClosed) || errors.Is(runErr, context.Canceled) {
				runErr = nil
			}
			return runErr
		},
	}
	addClientFlags(cmd, false)
	f := cmd.Flags()
	f.String("listen", "127.0.0.1:8090", "address of the gateway's REST API, host:port [QIAN_GATEWAY_LISTEN]")
	f.String("genesis", "", "the chain's genesis.json, which blocks are checked against (default HOME/genesis.json) [QIAN_GATEWAY_GENESIS]")
	f.String("api-key-file", "", "API keys, one a line (mode 600) [QIAN_GATEWAY_API_KEY_FILE]")
	f.String("tls-cert", "", "serve HTTPS with this certificate (PEM) [QIAN_GATEWAY_TLS_CERT]")
	f.String("tls-key", "", "the certificate's private key (PEM) [QIAN_GATEWAY_TLS_KEY]")
	f.String("tls-client-ca", "", "accept clients whose certificate this CA (PEM) signed: mutual TLS [QIAN_GATEWAY_TLS_CLIENT_CA]")
	f.Int("capture-limit", gateway.DefaultCaptureLimit, "most events one POST /capture may hold [QIAN_GATEWAY_CAPTURE_LIMIT]")
	f.Int64("file-size-limit", gateway.DefaultFileSizeLimit, "most bytes one POST /capture may hold [QIAN_GATEWAY_FILE_SIZE_LIMIT]")
	f.String("schema", "", "GS1 EPCIS-JSON-Schema.json to validate captured documents against [QIAN_GATEWAY_SCHEMA]")
	f.String("log-level", "info", "log level: debug, info, warn or error [QIAN_GATEWAY_LOG_LEVEL]")
	return cmd
}

// gatewayConfig merges HOME/gateway.toml, QIAN_GATEWAY_* and the flags
// (a flag beats the environment, which beats the file).
func gatewayConfig(cmd *cobra.Command, home string) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("QIAN_GATEWAY")
	v.AutomaticEnv()
	for _, name := range []string{"listen", "genesis", "api-key-file", "tls-cert", "tls-key", "tls-client-ca", "capture-limit", "file-size-limit", "schema", "log-level"} {
		k := underscore(name)
		if err := v.BindPFlag(k, cmd.Flags().Lookup(name)); err != nil {
			return nil, err
		}
	}
	v.SetDefault("api_keys", []string{})
	p := filepath.Join(home, gatewayConfigFile)
	if _, err := os.Stat(p); err == nil {
		v.SetConfigFile(p)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(v.GetStringSlice("api_keys")) > 0 {
			if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
				return nil, fmt.Errorf("%s holds API keys and is readable by others (mode %v): chmod 600 it", p, st.Mode().Perm())
			}
		}
	}
	return v, nil
}

func underscore(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// gatewayTLS is the server's TLS configuration, nil for plain HTTP. With a
// client CA, a client may present a certificate it signed (mutual TLS);
// one without a certificate still reaches the API-key check, so it gets
// 401 rather than a failed handshake.
func gatewayTLS(v *viper.Viper) (*tls.Config, error) {
	cert, key, ca := v.GetString("tls_cert"), v.GetString("tls_key"), v.GetString("tls_client_ca")
	if cert == "" && key == "" {
		if ca != "" {
			return nil, usagef("--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS)")
		}
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca %s holds no PEM certificate", ca)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}
