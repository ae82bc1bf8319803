use std::time::{Duration, Instant};

use minimalist_async::{Executor, sleep, spawn};

async fn after(ms: u64, value: u32) -> u32 {
    sleep(Duration::from_millis(ms)).await;
    value
}

fn main() {
    let started = Instant::now();
    let answer = Executor::new().block_on(async {
        let (slow, fast) = (spawn(after(200, 40)), spawn(after(100, 2)));
        // The two tasks sleep at the same time: 0.2 s in all, not 0.3 s.
        slow.await.unwrap() + fast.await.unwrap()
    });
    println!("{answer} in {:.1} s", started.elapsed().as_secs_f64());
}
