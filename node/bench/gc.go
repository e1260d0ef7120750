package bench

// LoaderGCPercent is the garbage collector's setting (GOGC) of a process
// that loads a network on the machine it measures: qian bench and the side
// by side's cometload alike. A loader shares the cores with the validators,
// so each CPU second it spends is taken from them. The bench's live heap is
// mostly the transactions it signed ahead (a minute at 5,000 tx/s is
// 300,000 of them), which at the default setting (100) the collector marked
// again each time the heap doubled: about 8 % of the bench's CPU one
// transaction per request went to marking and sweeping (docs/benchmarks.md,
// "The bench's footprint"). At 400 a collection waits until the heap is
// five times the live one.
const LoaderGCPercent = 400
