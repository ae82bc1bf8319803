"""The asyncio tutorial's package, as far as minimalist-async needs it: its ``minimalist_async``
subpackage holds the coroutine and the two demos that the Rust crate ports.

Run the demos from ``python/minimalist_package``, as the tutorial does::

    python3 -m minimalist_package.minimalist_async.async_await_example --seed 7
    python3 -m minimalist_package.minimalist_async.async_callback_example --seed 3
"""
