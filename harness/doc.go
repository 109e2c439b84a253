// Package harness is actgen's measuring side: it checks the generated package
// out/act against the reference evaluator and draws what it finds. The work is
// in its subpackages (accuracy, plot) and the report command (cmd/report), which
// writes reports/README.md.
package harness
