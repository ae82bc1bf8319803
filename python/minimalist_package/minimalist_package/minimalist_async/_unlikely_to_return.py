import asyncio
import random
import time


async def unlikely_to_return(tag: str, likelihood: float = 0.1, blocking: bool = False) -> float:
    """
    Rolls a random number until one falls below ``likelihood``, printing a line for every roll and
    sleeping 100 ms after each miss: a stand-in for waiting on something external.

    :param tag: names the task in the lines it prints.
    :param likelihood: the chance that one roll succeeds, in (0, 1].
    :param blocking: sleep with ``time.sleep`` instead of ``await asyncio.sleep``: the mistake the
        tutorial warns about. The event loop is then stuck inside this call, so no other task runs
        while this one sleeps.
    :return: the successful roll.
    """
    while True:
        a = random.uniform(0.0, 1.0)
        if a < likelihood:
            print(f"{tag} Done.")
            return a
        else:
            print(f"{tag} retry needed (roll = {a} > {likelihood})")
            if blocking:
                time.sleep(0.1)
            else:
                await asyncio.sleep(0.1)
