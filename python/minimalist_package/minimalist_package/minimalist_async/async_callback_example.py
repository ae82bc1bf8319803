"""The tutorial's second demo: each task gets a done-callback that prints its result.

Each result prints AS SOON AS its task is done, in whatever order the tasks finish. Run it from
python/minimalist_package:

  python3 -m minimalist_package.minimalist_async.async_callback_example --seed 3

minimalist-async's Rust port prints the same bytes for the same flags:

  cargo run --example async_callback_example -- --seed 3
"""
import asyncio
from functools import partial
from typing import List

from minimalist_package.minimalist_async import run_main, unlikely_to_return


def handle_return_callback(tag: str, future: asyncio.Future) -> None:
    """
    Prints the result of the task that ``future`` is, once it is done.

    :param tag: the tag of the task; ``functools.partial`` binds it, since asyncio calls a
        done-callback with the future as its only argument.
    :param future: the finished task (an ``asyncio.Task`` is an ``asyncio.Future``).
    """
    if future is not None and future.done():
        print(f"The result of task={tag} was {future.result()}.")
    else:
        print(f"Problem with task={tag}.")


async def async_main(tags: List[str], likelihood: float = 0.1, blocking: bool = False) -> None:
    tasks: List[asyncio.Task] = []

    # Create every task and give it its callback before awaiting any.
    for task_tag in tags:
        task = asyncio.create_task(
            unlikely_to_return(tag=task_tag, likelihood=likelihood, blocking=blocking)
        )
        task.add_done_callback(partial(handle_return_callback, task_tag))
        tasks.append(task)

    # asyncio.gather() would do as well. The callbacks print the results AS "SOON" AS THEY ARE READY;
    # these awaits are only there so that this coroutine, and with it asyncio.run, does not return
    # before every task is done.
    print("Awaiting results...")
    for task in tasks:
        await task


def main() -> None:
    run_main("async_callback_example", __doc__, async_main)


if __name__ == "__main__":
    main()
