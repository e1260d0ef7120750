package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/api"
)

func newStatusCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a node's height, last block, app hash, peers, role, versions and planned upgrade",
		Long:  `Read GET /v1/status from the node at --node (QIAN_NODE, or client.node in config.toml).`,
		Args:  args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if c.Node == "" {
				return usagef("no node: give --node URL or set QIAN_NODE")
			}
			var st api.StatusResponse
			raw, err := getJSON(c.Node+"/v1/status", &st)
			if err != nil {
				return err
			}
			if c.JSON {
				_, err := e.stdout.Write(raw)
				return err
			}
			w := e.stdout
			fmt.Fprintf(w, "chain:       %s (genesis %s)\n", st.ChainID, st.Genesis.Short())
			fmt.Fprintf(w, "node:        %s (%s)\n", st.NodeID, st.Role)
			fmt.Fprintf(w, "height:      %d\n", st.Height)
			fmt.Fprintf(w, "last block:  %s at %s\n", st.LastBlockHash, st.LastBlockTime)
			fmt.Fprintf(w, "app hash:    %s\n", st.AppHash)
			fmt.Fprintf(w, "peers:       %d\n", st.Peers)
			if st.Consensus != nil {
				fmt.Fprintf(w, "consensus:   height %d round %d step %s\n", st.Consensus.Height, st.Consensus.Round, st.Consensus.Step)
			}
			if st.Syncing {
				fmt.Fprintln(w, "syncing:     yes")
			}
			fmt.Fprintf(w, "mempool:     %d txs, %d bytes\n", st.Mempool.Txs, st.Mempool.Bytes)
			if p := st.Protocol; p != nil {
				fmt.Fprintf(w, "software:    qian %s (protocol versions up to %d)\n", p.Software, p.Supported)
				fmt.Fprintf(w, "protocol:    %d\n", p.Version)
				if u := p.Planned; u != nil {
					then := "this node stops after committing it: install a qian that knows it"
					if u.Known {
						then = fmt.Sprintf("this node knows it and goes on (protocol %d)", u.Brings)
					}
					fmt.Fprintf(w, "upgrade:     %s at height %d; %s\n", u.Name, u.Height, then)
				}
				for _, a := range p.Applied {
					fmt.Fprintf(w, "upgraded:    %s from height %d\n", a.Name, a.Height)
				}
			}
			return nil
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().Bool("json", false, "print the node's JSON as is")
	return cmd
}

var httpClient = &http.Client{Timeout: 15 * time.Second}

// getJSON fetches url into v, returning the raw body too. A JSON error body
// {code, message} becomes the error.
func getJSON(url string, v any) ([]byte, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return nil, fmt.Errorf("reach the node: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the node's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return body, &apiError{e}
		}
		return body, fmt.Errorf("node answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return body, fmt.Errorf("node's answer is not the expected JSON: %w", err)
	}
	return body, nil
}

// apiError is a node's {code, message} rejection.
type apiError struct{ e api.Error }

func (a *apiError) Error() string { return a.e.Message }
