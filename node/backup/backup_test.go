package backup_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/backup"
	"github.com/qianchain/qianchain/node/nodetest"
)

func entries(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var be *backup.Error
	if !errors.As(err, &be) || be.Code != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

// A backup taken from a running validator holds the manifest, genesis.json
// and the store, and no key, signer state or WAL; restored into the home
// (its store moved aside) it opens at the backup's height and leaves the
// signer state alone. Restore refuses a home whose store is there, a home
// of another chain and a file with an entry outside the backup's layout.
// A stopped node is backed up from its store directly.
func TestBackupAndRestore(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	m := nw.Members[0]
	home := m.Config.Home
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := nw.Genesis.Save(m.Config.Paths().GenesisFile()); err != nil {
		t.Fatal(err)
	}
	nw.Start(0)
	nw.WaitHeight(3, 30*time.Second)
	file := filepath.Join(t.TempDir(), "b.tar")
	man, err := backup.Create(context.Background(), home, file, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !man.Online || man.Height < 3 || man.GenesisHash != nw.Genesis.Identity().GenesisHash() {
		t.Fatalf("manifest %+v", man)
	}
	names := entries(t, file)
	if names[0] != backup.ManifestName {
		t.Fatalf("first entry %s", names[0])
	}
	for _, n := range names[1:] {
		if n != "genesis.json" && !strings.HasPrefix(n, "data/chain/") {
			t.Fatalf("the backup holds %s", n)
		}
	}
	nw.WaitHeight(man.Height+2, 30*time.Second)
	nw.Stop(0)
	data := m.Config.Paths().DataDir()
	state := filepath.Join(data, node.SignerStateFile)
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}

	_, err = backup.Restore(file, home)
	wantCode(t, err, "restore_target_exists")

	if err := os.Rename(filepath.Join(data, "chain"), filepath.Join(t.TempDir(), "chain.old")); err != nil {
		t.Fatal(err)
	}
	r, err := backup.Restore(file, home)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Wrote) != 0 || len(r.Kept) != 1 {
		t.Fatalf("restore wrote %v kept %v", r.Wrote, r.Kept)
	}
	if after, err := os.ReadFile(state); err != nil || string(after) != string(before) {
		t.Fatalf("the restore changed the signer state (%v)", err)
	}
	st, err := store.Open(filepath.Join(data, "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Height() != man.Height {
		t.Fatalf("restored store at %d, backup at %d", st.Height(), man.Height)
	}
	st.Close()

	// Into an empty home: genesis.json comes from the backup.
	fresh := t.TempDir()
	if r, err = backup.Restore(file, fresh); err != nil || len(r.Wrote) != 1 {
		t.Fatalf("restore into an empty home: %v %+v", err, r)
	}
	if _, err := os.Stat(filepath.Join(fresh, "keys")); err == nil {
		t.Fatal("the restore made a keys directory")
	}

	// Another chain's home.
	other := nodetest.New(t, nodetest.Options{Validators: 1, ChainID: "qian-other"})
	otherHome := t.TempDir()
	if err := other.Genesis.Save(filepath.Join(otherHome, "genesis.json")); err != nil {
		t.Fatal(err)
	}
	_, err = backup.Restore(file, otherHome)
	wantCode(t, err, "backup_wrong_chain")

	// An entry that climbs out of the store directory.
	bad := filepath.Join(t.TempDir(), "bad.tar")
	f, err := os.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	manifest := []byte(`{"format":1,"chain_id":"qian-test","genesis_hash":"` + man.GenesisHash.String() + `","height":1,"software":"x","created":"2026-01-01T00:00:00Z","online":false,"files":null,"excluded":""}`)
	for _, e := range []struct {
		name string
		body []byte
	}{{backup.ManifestName, manifest}, {"data/chain/../../keys/validator.key", []byte("x")}} {
		tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o600, Size: int64(len(e.body)), Typeflag: tar.TypeReg})
		tw.Write(e.body)
	}
	tw.Close()
	f.Close()
	_, err = backup.Restore(bad, t.TempDir())
	wantCode(t, err, "backup_invalid")

	// The node stopped: the store is read directly.
	off := filepath.Join(t.TempDir(), "off.tar")
	if man, err = backup.Create(context.Background(), home, off, "test"); err != nil || man.Online {
		t.Fatalf("offline backup: %v %+v", err, man)
	}
}
