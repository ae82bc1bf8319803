"""The tutorial's first demo: start every task, then await them one by one.

The results print IN THE ORDER OF THE AWAITS, even when a later task finished first. Run it from
python/minimalist_package:

  python3 -m minimalist_package.minimalist_async.async_await_example --seed 7

minimalist-async's Rust port prints the same bytes for the same flags:

  cargo run --example async_await_example -- --seed 7
"""
import asyncio
from typing import List

from minimalist_package.minimalist_async import run_main, unlikely_to_return


async def async_main(tags: List[str], likelihood: float = 0.1, blocking: bool = False) -> None:
    tasks: List[asyncio.Task] = []

    # Create every task before awaiting any: a task only starts running once this coroutine gives the
    # loop a turn, at its first await. Awaiting each one as it is created would run them in series.
    for task_tag in tags:
        task = asyncio.create_task(
            unlikely_to_return(tag=task_tag, likelihood=likelihood, blocking=blocking)
        )
        tasks.append(task)

    # asyncio.gather() would do as well. The tasks are all running now; each await below waits for one
    # result, in this order, whether or not a later task is already done.
    print("Awaiting results...")
    for (tag, task) in zip(tags, tasks):
        result = await task
        print(f"The result of task={tag} was {result}.")


def main() -> None:
    run_main("async_await_example", __doc__, async_main)


if __name__ == "__main__":
    main()
