// Package testenv is what tests need from outside the repository, and the
// one way they skip when it is absent. It is for tests only.
//
// Two things live outside the repository:
//
//   - Reference files in ../shared/fixtures beside the repository (Fixture):
//     GS1's EPCIS 2.0 examples and JSON schema (epcis/, from github.com/gs1/EPCIS
//     at commit 2b888be; also the OpenAPI description of the REST bindings,
//     epcis/EPCIS-REST-openapi.json, which node/gateway's tests validate
//     answers against), GS1 check digits and Digital Link examples
//     (gs1/digital-link.json) and RFC 6962 Merkle vectors
//     (merkle/rfc6962-vectors.json, from transparency-dev/merkle). They are
//     not shipped with Qianchain (GS1's files carry no licence to
//     redistribute them), so a fresh clone lacks them. The conformance tests
//     that check Qianchain against them skip there; the rules themselves
//     are tested anywhere, with the project's own fixtures (the testdata/
//     of the packages that use them) and events built in the tests, and
//     every error code is reached on any machine.
//   - A Chromium (or Chrome) binary for the browser tests of the pages
//     (Chromium): QIAN_CHROMIUM, or chromium, chromium-browser,
//     google-chrome or google-chrome-stable on PATH.
//
// A test that skips for want of one of them says so with a message that
// starts "SKIP(no ../shared/fixtures): " or "SKIP(no chromium): ", and
// says how to get it. When the environment variable QIAN_SKIP_LOG names a
// file, the skip is also appended to it as one line of five tab-separated
// fields — what is missing, the kind of tests that need it ("conformance
// tests"), how to get it, the package directory relative to the repository
// root, the test's name — so that scripts/test.sh, which sets it, can end
// the run with a summary of everything that did not run and why. A passing
// run that skipped them is a pass on this machine, not a check of what
// they check.
package testenv
