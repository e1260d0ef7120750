package procnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildQian builds ./cmd/qian of the module that holds the working
// directory into dir and returns the binary's path.
func BuildQian(ctx context.Context, dir string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "qian")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/qian")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/qian: %v\n%s", err, b)
	}
	return bin, nil
}

// ModuleRoot is the directory of the qianchain module that holds the
// working directory.
func ModuleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/qianchain/qianchain\n") {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("not inside the qianchain module (run from the repository, or pass --bin)")
		}
		d = up
	}
}
