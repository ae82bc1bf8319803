//! The machine the run happened on, and glibc's heap trimming turned off by re-executing.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// What the report says about where and when it ran.
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    /// UTC, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// `GLIBC_TUNABLES` as the run saw it.
    pub glibc_tunables: Option<String>,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            date: utc_now(),
            glibc_tunables: std::env::var("GLIBC_TUNABLES").ok(),
        }
    }

    pub fn one_line(&self) -> String {
        format!("{} CPUs ({})", self.cpus, self.cpu_model)
    }
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC` (civil-from-days, so no date crate is needed).
fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days_from_civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rest / 3_600, rest % 3_600 / 60)
}

/// glibc gives freed memory back to the kernel when the top of the heap holds more than
/// `trim_threshold` free bytes, and serves big blocks with `mmap` above a threshold that moves with
/// what was freed. Either way, a round that follows a big round finds a heap of a different shape, which
/// moves big-n figures by up to a quarter depending on which executor ran before. Fixing both
/// thresholds high makes every round start from the heap the previous one left.
pub const TUNABLES: &str =
    "glibc.malloc.trim_threshold=17179869184:glibc.malloc.mmap_threshold=33554432";

/// Set in the re-executed process, so that it does not announce the tunables a second time.
const REEXECUTED: &str = "COMPARE_REEXECUTED";

/// Replaces this process with itself plus `GLIBC_TUNABLES`, unless the variable is already set (the
/// re-executed child, or a user's own choice). Returns only when it did not re-execute.
pub fn reexec_without_heap_trimming() {
    if std::env::var_os(REEXECUTED).is_some() {
        return; // the child of the re-execution below: the parent already said so
    }
    if let Ok(set) = std::env::var("GLIBC_TUNABLES") {
        eprintln!("compare: GLIBC_TUNABLES={set} set already: not re-executing");
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => {
            eprintln!(
                "compare: cannot find own executable ({error}); running with heap trimming on"
            );
            return;
        }
    };
    eprintln!("compare: re-executing with GLIBC_TUNABLES={TUNABLES} (glibc heap trimming off)");
    use std::os::unix::process::CommandExt;
    let error = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", TUNABLES)
        .env(REEXECUTED, "1")
        .exec();
    eprintln!("compare: re-exec failed ({error}); running with heap trimming on");
}
