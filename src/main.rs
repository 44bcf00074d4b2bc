//! The `topoc` binary: hands over to the CLI layer, which owns all I/O.

mod cli;

/// mimalloc rather than the system allocator: rendering and validation build and drop
/// many small strings and syntax-tree nodes, and with glibc's allocator a small build
/// spent a fifth of its CPU time in malloc and free and took five times the page
/// faults (`perf stat` on `topoc build examples/helios-pay.yaml`). It is built with
/// `no_thp`: asking for transparent huge pages made a 32-region × 1,000-class build
/// hold about 40 MB more and, when the kernel had to compact memory for them, take
/// 0.6 s instead of 0.35 s (`cargo bench --bench compile`, README "Performance").
#[global_allocator]
static GLOBAL_ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
