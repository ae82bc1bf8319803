//! The blocking detector's warning names the task that blocked. The warning goes to stderr, so the
//! test runs its scenario in a child process (this same test binary, asked for one test) and reads
//! what the child printed.

use std::process::Command;
use std::time::Duration;

use minimalist_async::Executor;

const CHILD: &str = "MINIMALIST_ASYNC_SLOW_POLL_CHILD";

/// The scenario, run only inside the child process.
#[test]
fn child_a_named_task_spawned_before_the_detector_blocks() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let mut executor = Executor::with_virtual_time();
    let worker = executor.spawn_named("worker", async {
        std::thread::sleep(Duration::from_millis(30));
    });
    executor.set_slow_poll_threshold(Some(Duration::from_millis(5)));
    executor.block_on(worker).unwrap();
}

/// `set_slow_poll_threshold` promises "a warning on stderr naming the task", also for a task spawned
/// before the detector was switched on. (Such a task used to be called "the block_on future": the
/// tools knew only the names of `Spawned` events since they were installed; they now take the names
/// of the tasks already there from the task table.)
#[test]
fn the_warning_names_a_task_spawned_before_the_detector_was_on() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_a_named_task_spawned_before_the_detector_blocks",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stderr}");
    let warning = stderr
        .lines()
        .find(|line| line.contains("blocked the executor"))
        .unwrap_or_else(|| panic!("no warning on stderr:\n{stderr}"));
    assert!(
        warning.starts_with("minimalist-async: Task-1 (worker) blocked the executor"),
        "the warning names the wrong task: {warning}"
    );
}
