//! The compile benchmark: wall time and peak heap per phase, and wall time and peak
//! resident memory of the whole `topoc build` process, for the three examples and for
//! synthetic topologies of 2, 8, 16 and 32 regions × 10, 100 and 1,000 data classes.
//!
//! `cargo bench --bench compile` prints a Markdown table (the README's Performance
//! section) and the growth exponents: the slope of log(time) and log(memory) against
//! log(output bytes), regions and data classes. Criterion and divan measure time only;
//! this harness also needs the peak heap of each phase, so it counts allocations with a
//! wrapper around mimalloc (the `topoc` binary's allocator) and takes medians itself.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs one small case once,
//! as a smoke test, so CI proves the benchmark still works without paying for it.
//!
//! Options after `--`: `--quick` (one repetition, for a fast look), `--only NAME` (cases
//! whose name contains NAME), `--markdown FILE` (also write the table to FILE),
//! `--save-specs DIR` (write each case's spec to DIR as `NAME.yaml` and stop, to time
//! `topoc build` on them by hand).

use std::alloc::{GlobalAlloc, Layout};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use topoc::source::SourceMap;

/// mimalloc, counting the bytes in use and their high-water mark.
struct CountingAllocator;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// Counting allocations needs a `GlobalAlloc` impl, which is unsafe by definition; it
// only forwards to mimalloc (the allocator the `topoc` binary uses) and updates two counters.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's layout to mimalloc unchanged.
        let pointer = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !pointer.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the pointer came from `alloc` or `realloc` above with this layout.
        unsafe { mimalloc::MiMalloc.dealloc(pointer, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as `GlobalAlloc::realloc`, forwarded to mimalloc.
        let new_pointer = unsafe { mimalloc::MiMalloc.realloc(pointer, layout, new_size) };
        if !new_pointer.is_null() {
            if new_size >= layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new_pointer
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `work`, returning its result, its wall time and the most heap it held at once
/// beyond what was in use when it started.
fn measure<T>(work: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let result = work();
    let elapsed = start.elapsed();
    (result, elapsed, PEAK.load(Ordering::Relaxed) - base)
}

const PHASES: [&str; 7] = ["load", "check", "lower", "policy", "render", "validate", "write"];

struct Case {
    name: String,
    regions: usize,
    data_classes: usize,
    spec: String,
}

fn cases(only: Option<&str>) -> Vec<Case> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cases = Vec::new();
    for example in ["helios-pay", "global-consumer", "eu-resident-saas"] {
        let spec = std::fs::read_to_string(format!("{root}/examples/{example}.yaml")).expect("example");
        let mut source_map = SourceMap::new();
        let file = source_map.add("spec.yaml", spec.clone());
        let topology = topoc::spec::load(&source_map, file).0.topology.expect("example loads");
        cases.push(Case {
            name: example.to_string(),
            regions: topology.regions.len(),
            data_classes: topology.data.len(),
            spec,
        });
    }
    for regions in [2, 8, 16, 32] {
        for data_classes in [10, 100, 1000] {
            cases.push(Case {
                name: format!("synthetic {regions}×{data_classes}"),
                regions,
                data_classes,
                spec: topoc::synthetic::spec(regions, data_classes),
            });
        }
    }
    cases.retain(|case| only.is_none_or(|only| case.name.contains(only)));
    cases
}

/// One in-process compile, phase by phase: times, peak heap beyond the start, and the
/// output's size.
struct PhaseRun {
    times: [Duration; 7],
    peaks: [usize; 7],
    overall_peak: usize,
    output_bytes: usize,
    output_files: usize,
}

fn run_phases(case: &Case, directory: &Path) -> PhaseRun {
    let mut times = [Duration::ZERO; 7];
    let mut peaks = [0; 7];
    let start_in_use = IN_USE.load(Ordering::Relaxed);
    let mut overall_peak = 0;
    let mut track = |index: usize, elapsed: Duration, peak: usize| {
        times[index] = elapsed;
        peaks[index] = peak;
        overall_peak = overall_peak.max(IN_USE.load(Ordering::Relaxed).saturating_sub(start_in_use) + peak);
    };
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", case.spec.clone());
    let ((loaded, diagnostics), elapsed, peak) = measure(|| topoc::spec::load(&source_map, file));
    track(0, elapsed, peak);
    assert!(!topoc::diag::has_errors(&diagnostics), "{}: load errors", case.name);
    let topology = loaded.topology.expect("loaded");
    let (diagnostics, elapsed, peak) = measure(|| topoc::check::run(&topology, &loaded.spans));
    track(1, elapsed, peak);
    assert!(!topoc::diag::has_errors(&diagnostics), "{}: check errors", case.name);
    let (stack_set, elapsed, peak) = measure(|| topoc::ir::lower(&topology, "spec.yaml"));
    track(2, elapsed, peak);
    let (governance, elapsed, peak) = measure(|| topoc::policy::generate(&stack_set.governance));
    track(3, elapsed, peak);
    assert!(
        governance.oversized.is_empty() && governance.slot_problems.is_empty(),
        "{}: policy quota",
        case.name
    );
    let compiled = topoc::Compiled { stack_set, governance };
    let (generated, elapsed, peak) = measure(|| topoc::generate(compiled, "spec.yaml").expect("renders"));
    track(4, elapsed, peak);
    let (errors, elapsed, peak) = measure(|| topoc::validate_generated(&generated));
    track(5, elapsed, peak);
    assert!(errors.is_empty(), "{}: {errors:?}", case.name);
    let tree = topoc::output::with_manifest(generated.rendered.tree());
    let output_bytes = tree.values().map(String::len).sum();
    let output_files = tree.len();
    // Into a fresh folder, as a rebuild of an unchanged tree writes nothing.
    let _ = std::fs::remove_dir_all(directory);
    let (written, elapsed, peak) = measure(|| topoc::output::write_tree(directory, &tree, false));
    track(6, elapsed, peak);
    written.expect("writes");
    PhaseRun {
        times,
        peaks,
        overall_peak,
        output_bytes,
        output_files,
    }
}

/// Runs `topoc build` as its own process and returns its wall time and peak resident
/// memory. A helper process (this binary, re-run with `--measure-process`) spawns it,
/// so the helper's only child is the build and `RUSAGE_CHILDREN` is exactly its peak.
fn run_process(spec: &Path, output: &Path) -> (Duration, u64) {
    let helper = std::env::current_exe().expect("own path");
    let result = Command::new(helper)
        .arg("--measure-process")
        .arg(spec)
        .arg(output)
        .output()
        .expect("helper runs");
    assert!(
        result.status.success(),
        "helper failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = String::from_utf8(result.stdout).expect("utf-8");
    let mut fields = text.split_whitespace();
    let nanos: u64 = fields.next().and_then(|field| field.parse().ok()).expect("nanoseconds");
    let max_rss_kib: u64 = fields.next().and_then(|field| field.parse().ok()).expect("max rss");
    (Duration::from_nanos(nanos), max_rss_kib * 1024)
}

fn measure_process(spec: &str, output: &str) {
    // Into a fresh folder: rebuilding an unchanged tree writes nothing.
    let _ = std::fs::remove_dir_all(output);
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(["build", spec, "-o", output, "--force"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("topoc runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "topoc build {spec} failed");
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    // Linux reports ru_maxrss in KiB.
    println!("{} {}", elapsed.as_nanos(), usage.max_rss());
}

/// `synthetic 32×1000` → `synthetic-32-1000.yaml`.
fn spec_file_name(case: &Case) -> String {
    format!("{}.yaml", case.name.replace([' ', '×'], "-"))
}

fn median<T: Copy + Ord>(values: &mut [T]) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

struct Row {
    name: String,
    regions: usize,
    data_classes: usize,
    output_files: usize,
    output_bytes: usize,
    phase_times: [Duration; 7],
    phase_peaks: [usize; 7],
    in_process_time: Duration,
    in_process_peak: usize,
    process_time: Duration,
    process_rss: u64,
}

fn milliseconds(duration: Duration) -> String {
    let value = duration.as_secs_f64() * 1000.0;
    if value < 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.1}")
    }
}

fn megabytes(bytes: usize) -> String {
    let value = bytes as f64 / (1024.0 * 1024.0);
    if value < 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.1}")
    }
}

/// Least-squares slope of log(y) against log(x).
fn exponent(points: &[(f64, f64)]) -> f64 {
    let logs: Vec<(f64, f64)> = points.iter().map(|(x, y)| (x.ln(), y.ln())).collect();
    let count = logs.len() as f64;
    let mean_x = logs.iter().map(|(x, _)| x).sum::<f64>() / count;
    let mean_y = logs.iter().map(|(_, y)| y).sum::<f64>() / count;
    let covariance: f64 = logs.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = logs.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    covariance / variance
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.first().map(String::as_str) == Some("--measure-process") {
        measure_process(&arguments[1], &arguments[2]);
        return;
    }
    let benchmarking = arguments.iter().any(|argument| argument == "--bench");
    let quick = arguments.iter().any(|argument| argument == "--quick");
    let option = |name: &str| {
        arguments
            .iter()
            .position(|argument| argument == name)
            .and_then(|index| arguments.get(index + 1))
            .cloned()
    };
    let only = option("--only");
    let markdown = option("--markdown");
    if let Some(directory) = option("--save-specs") {
        std::fs::create_dir_all(&directory).expect("spec directory created");
        for case in cases(only.as_deref()) {
            let path = Path::new(&directory).join(spec_file_name(&case));
            std::fs::write(&path, &case.spec).expect("spec written");
            println!("{}", path.display());
        }
        return;
    }
    let scratch = tempfile::tempdir().expect("scratch directory");

    if !benchmarking {
        // Smoke test under `cargo test`: the smallest synthetic case, once, both ways.
        let case = Case {
            name: "synthetic 2×10".to_string(),
            regions: 2,
            data_classes: 10,
            spec: topoc::synthetic::spec(2, 10),
        };
        let run = run_phases(&case, &scratch.path().join("in-process"));
        assert!(run.output_files > 30 && run.times.iter().all(|time| *time > Duration::ZERO));
        let spec_path = scratch.path().join("synthetic.yaml");
        std::fs::write(&spec_path, &case.spec).expect("spec written");
        let (time, rss) = run_process(&spec_path, &scratch.path().join("process"));
        assert!(time > Duration::ZERO && rss > 0);
        println!(
            "benchmark smoke test passed ({} files, {} bytes)",
            run.output_files, run.output_bytes
        );
        return;
    }

    let mut rows = Vec::new();
    for case in cases(only.as_deref()) {
        // Enough repetitions for a stable median: about two seconds per case, 3 to 25 runs.
        let directory = scratch.path().join("in-process");
        let first = run_phases(&case, &directory);
        let single = first.times.iter().sum::<Duration>().max(Duration::from_micros(1));
        let repetitions = if quick {
            1
        } else {
            (Duration::from_secs(2).as_nanos() / single.as_nanos()).clamp(3, 25) as usize
        };
        let mut runs = vec![first];
        for _ in 1..repetitions {
            runs.push(run_phases(&case, &directory));
        }
        let mut phase_times = [Duration::ZERO; 7];
        let mut phase_peaks = [0; 7];
        for phase in 0..PHASES.len() {
            phase_times[phase] = median(&mut runs.iter().map(|run| run.times[phase]).collect::<Vec<_>>());
            phase_peaks[phase] = runs.iter().map(|run| run.peaks[phase]).max().unwrap_or(0);
        }
        let in_process_time = median(
            &mut runs
                .iter()
                .map(|run| run.times.iter().sum::<Duration>())
                .collect::<Vec<_>>(),
        );
        let in_process_peak = runs.iter().map(|run| run.overall_peak).max().unwrap_or(0);

        let spec_path = scratch.path().join(spec_file_name(&case));
        std::fs::write(&spec_path, &case.spec).expect("spec written");
        let process_output = scratch.path().join("process");
        let mut process_times = Vec::new();
        let mut process_rss = 0;
        for _ in 0..repetitions {
            let (time, rss) = run_process(&spec_path, &process_output);
            process_times.push(time);
            process_rss = process_rss.max(rss);
        }
        let process_time = median(&mut process_times);
        eprintln!(
            "{:<22} {:>4} runs  in-process {:>8} ms  process {:>8} ms {:>7} MB",
            case.name,
            repetitions,
            milliseconds(in_process_time),
            milliseconds(process_time),
            megabytes(process_rss as usize)
        );
        rows.push(Row {
            name: case.name,
            regions: case.regions,
            data_classes: case.data_classes,
            output_files: runs[0].output_files,
            output_bytes: runs[0].output_bytes,
            phase_times,
            phase_peaks,
            in_process_time,
            in_process_peak,
            process_time,
            process_rss,
        });
    }

    let mut table = String::new();
    table.push_str("| case | regions | data classes | files | output MB | load | check | lower | policy | render | validate | write | in-process ms | peak heap MB | `topoc build` ms | peak RSS MB |\n");
    table.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for row in &rows {
        let phases: Vec<String> = row.phase_times.iter().map(|time| milliseconds(*time)).collect();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            row.name,
            row.regions,
            row.data_classes,
            row.output_files,
            megabytes(row.output_bytes),
            phases.join(" | "),
            milliseconds(row.in_process_time),
            megabytes(row.in_process_peak),
            format_args!(
                "{} | {}",
                milliseconds(row.process_time),
                megabytes(row.process_rss as usize)
            ),
        ));
    }
    table.push_str("\nPeak heap per phase (MB above what was live when the phase started):\n\n");
    table.push_str("| case | load | check | lower | policy | render | validate | write |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for row in &rows {
        let peaks: Vec<String> = row.phase_peaks.iter().map(|peak| megabytes(*peak)).collect();
        table.push_str(&format!("| {} | {} |\n", row.name, peaks.join(" | ")));
    }

    let synthetic: Vec<&Row> = rows.iter().filter(|row| row.name.starts_with("synthetic")).collect();
    if synthetic.len() >= 3 {
        table.push_str(
            "\nGrowth exponents over the synthetic cases (slope of log–log least squares; 1.0 is linear):\n\n",
        );
        table.push_str("| measure | against output bytes |\n|---|---:|\n");
        let against_output = |value: &dyn Fn(&Row) -> f64| {
            exponent(
                &synthetic
                    .iter()
                    .map(|row| (row.output_bytes as f64, value(row)))
                    .collect::<Vec<_>>(),
            )
        };
        for (index, phase) in PHASES.iter().enumerate() {
            table.push_str(&format!(
                "| {phase} time | {:.2} |\n",
                against_output(&|row| row.phase_times[index].as_secs_f64())
            ));
        }
        table.push_str(&format!(
            "| in-process time | {:.2} |\n",
            against_output(&|row| row.in_process_time.as_secs_f64())
        ));
        table.push_str(&format!(
            "| `topoc build` time | {:.2} |\n",
            against_output(&|row| row.process_time.as_secs_f64())
        ));
        table.push_str(&format!(
            "| peak heap | {:.2} |\n",
            against_output(&|row| row.in_process_peak as f64)
        ));
        table.push_str(&format!(
            "| output bytes against regions × data classes | {:.2} |\n",
            exponent(
                &synthetic
                    .iter()
                    .map(|row| ((row.regions * row.data_classes) as f64, row.output_bytes as f64))
                    .collect::<Vec<_>>()
            )
        ));
    }
    println!("{table}");
    if let Some(path) = markdown {
        std::fs::write(PathBuf::from(path), &table).expect("markdown written");
    }
}
