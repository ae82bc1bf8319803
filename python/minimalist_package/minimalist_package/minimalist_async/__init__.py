"""The tutorial's ``minimalist_async`` package: the coroutine ``unlikely_to_return``, and the command
line and ``main()`` that its two demos, ``async_await_example`` and ``async_callback_example``, share.

The command line is the one of minimalist-async's Rust examples, flag for flag, so that the two can be
run side by side and print the same bytes for the same flags:

  --seed N        seed of Python's global RNG, any integer (``random.seed(N)``); without it one is
                  drawn and printed on stderr, with the command that replays the run
  --tasks A,B,C   the task tags, each one non-blank and unique (default: task1,task2)
  --likelihood P  the chance that one roll succeeds, a number in (0, 1] (default: 0.1)
  --blocking      sleep with time.sleep instead of await asyncio.sleep: the blocking mistake
  -V, --version   print "minimalist-async VERSION", the crate's version, and exit

A value given with ``=`` is the value (``--tasks=--`` is the tag ``--``); the word after a flag is its
value, except ``--`` and, after --tasks, a word that reads as a flag (``-x``), as the Rust examples
read them.

A bad flag gets one line on stderr and exit status 2. Only the tutorial's lines go to stdout; the
wall time goes to stderr. When the reader of stdout goes away (``... | head -3``), the run ends
quietly with exit status 0, as the Rust examples do, instead of a traceback per task.
"""
import argparse
import asyncio
import os
import random
import re
import shlex
import sys
import time
from typing import Awaitable, Callable, List, Optional, Tuple

from minimalist_package.minimalist_async._unlikely_to_return import unlikely_to_return

__all__ = ["unlikely_to_return", "command_line", "run_main", "__version__"]

# The version of minimalist-async, the crate these programs are ported to: --version prints
# "minimalist-async <this>", as the Rust examples do (tests/cli_parity_edges.rs checks the two).
__version__ = "0.1.0"

# Python 3.11's int() refuses longer digit strings (sys.get_int_max_str_digits()). The Rust examples
# refuse them whatever the Python version, so this does too.
MAX_SEED_DIGITS = 4300


# What int() and float() skip around a number: ASCII's six whitespace characters and the rest of
# Unicode's (str.isspace), the set Rust's str::trim strips too. str.strip() alone would also take
# the separators U+001C..U+001F, which int() and float() refuse.
_SPACE = " \t\n\v\f\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


# The characters that do not show as themselves, first and last of each range: Unicode 14's
# controls (Cc), format characters (Cf), spaces other than " " (Zs), line and paragraph separators
# (Zl, Zp), surrogates (Cs) and private-use characters (Co), which is what str.isprintable() refuses
# except the unassigned code points. A fixed list, not str.isprintable(), so that the Rust examples,
# which carry the same one (HIDDEN in src/demo/py_text.rs), escape the same characters whatever
# Unicode version this Python has.
_HIDDEN = [
    (0x0000, 0x001F), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x1680, 0x1680),
    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F),
    (0x3000, 0x3000), (0xD800, 0xF8FF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD),
]


def _escaped(c: str) -> str:
    """``c`` as repr() writes a character it does not print: \\t, \\n, \\r, else \\xNN, \\uNNNN or
    \\UNNNNNNNN."""
    code = ord(c)
    if c in "\t\n\r":
        return repr(c)[1:-1]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _shown(text: str) -> str:
    """The text with the characters of _HIDDEN escaped as repr() escapes them, so that an error
    message stays on one line and shows what was typed. A word of the command line that is not
    UTF-8 reaches Python with each bad byte as a lone surrogate (U+DC80 to U+DCFF), shown \\udcNN."""
    return "".join(
        _escaped(c) if any(first <= ord(c) <= last for first, last in _HIDDEN) else c for c in text
    )


def _is_digit_part(text: str) -> bool:
    """One or more ASCII digits with single underscores between them (PEP 515), as int() reads."""
    return text.isascii() and all(group.isdigit() for group in text.split("_"))


def _seed(text: str) -> int:
    """``--seed``: a whole number as ``int(text)`` reads it (ASCII digits only)."""
    body = text.strip(_SPACE)
    sign, unsigned = (body[:1], body[1:]) if body[:1] in ("+", "-") else ("", body)
    if not _is_digit_part(unsigned):
        raise argparse.ArgumentTypeError(
            f"invalid seed '{_shown(text)}': expected a whole number such as 7 or -12"
        )
    digits = unsigned.replace("_", "")
    if len(digits) > MAX_SEED_DIGITS:
        raise argparse.ArgumentTypeError(
            f"invalid seed: {len(digits)} digits is more than the {MAX_SEED_DIGITS} Python's int() accepts"
        )
    return int(sign + digits)


def _likelihood(text: str) -> float:
    """``--likelihood``: a number as ``float(text)`` reads it (ASCII only), in (0, 1]."""
    body = text.strip(_SPACE)
    try:
        p = float(body) if body.isascii() else None
    except ValueError:
        p = None
    if p is None or not 0.0 < p <= 1.0:
        got = f"'{_shown(text)}'" if p is None else repr(p)
        raise argparse.ArgumentTypeError(
            f"likelihood must be a number greater than 0 and at most 1, got {got}"
        )
    return p


def _tags(text: str) -> List[str]:
    """``--tasks``: comma-separated tags, none of them empty or blank, no two the same."""
    tags = text.split(",")
    if any(tag.strip(_SPACE) == "" for tag in tags):
        raise argparse.ArgumentTypeError(
            f"'{_shown(text)}' has an empty or blank tag; write tags like a,b,c"
        )
    for i, tag in enumerate(tags):
        if tag in tags[:i]:
            raise argparse.ArgumentTypeError(
                f"tag '{_shown(tag)}' appears twice; tags name tasks and must be unique"
            )
    return tags


class _Parser(argparse.ArgumentParser):
    """argparse, except that a usage error is one line on stderr, then exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        # argparse quotes an unknown argument as typed: escaped, a newline in it cannot add a line.
        self.exit(2, f"error: {_shown(message)}\n")


class _Once(argparse.Action):
    """Stores the flag's value, and refuses the flag a second time (argparse would keep the last)."""

    used = False

    def __call__(self, parser, namespace, values, option_string=None):
        if self.used:
            parser.error(f"the argument '{option_string}' cannot be used multiple times")
        self.used = True
        if values == [] and self.nargs is None:
            # A value `--` given with `=` (`--tasks=--`): argparse before 3.13 drops it, as the `--`
            # that ends the flags, and hands on no value at all. The value is `--`, as in Rust.
            try:
                values = self.type("--")
            except argparse.ArgumentTypeError as error:
                raise argparse.ArgumentError(self, str(error)) from None
        setattr(namespace, self.dest, True if self.nargs == 0 else values)


# Flags whose value may start with a hyphen: argparse would read `--likelihood -1e3` as two options.
_HYPHEN_VALUES = ("--seed", "--likelihood")


def _looks_like_a_flag(word: str, flags: List[str]) -> bool:
    """Whether argparse reads ``word`` as a flag, known or not, rather than as a value: it starts
    with a hyphen and is not ``-`` alone, a negative number (``-1``, ``-2.5``, ``-.5``, in ASCII
    digits) or a word with a space in it, unless it is one of ``flags``, one with a value after
    ``=``, or a short flag with a value stuck to it (``-h2``). ``--`` is a flag here: it ends the
    flags. The Rust examples apply the same rule (``looks_like_a_flag``, examples/common/mod.rs)."""
    if not word.startswith("-"):
        return False
    if word == "--" or word in flags:
        return True
    if word == "-":
        return False
    if word.split("=", 1)[0] in flags or (word[1] != "-" and word[:2] in flags):
        return True
    negative_number = re.fullmatch(r"-[0-9]+|-[0-9]*\.[0-9]+", word) is not None
    return not negative_number and " " not in word


def _stuck_values(argv: List[str], actions: List[argparse.Action]) -> Tuple[List[str], Optional[str]]:
    """Writes each value that follows its flag stuck to it (``--seed -5`` as ``--seed=-5``), so that
    argparse takes it as the value whatever it looks like, as the Rust examples do; up to the first
    flag that takes a value and has none after it. Returns the words, and that flag's names, or None.

    The word after ``--seed`` or ``--likelihood`` is their value, except ``--``, which ends the flags;
    the word after ``--tasks`` is its value unless it looks like a flag (``_looks_like_a_flag``).
    No word after ``--`` is a flag."""
    flags = [name for action in actions for name in action.option_strings]
    takes_a_value = {name: action for action in actions if action.nargs != 0 for name in action.option_strings}
    joined: List[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            return joined + [word] + list(words), None
        action = takes_a_value.get(word)
        if action is None:
            joined.append(word)
            continue
        value = next(words, None)
        if value is None or value == "--" or (word not in _HYPHEN_VALUES and _looks_like_a_flag(value, flags)):
            return joined, "/".join(action.option_strings)
        joined.append(f"{word}={value}")
    return joined, None


def _flag(name: str, value: str) -> str:
    """``--name value``, shell-quoted; ``--name=value`` if the value starts with a hyphen."""
    return f"{name}={shlex.quote(value)}" if value.startswith("-") else f"{name} {shlex.quote(value)}"


def command_line(program: str, description: str, argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parses the flags of ``program`` (``sys.argv`` unless ``argv`` is given) and seeds Python's
    global RNG with ``--seed``, or with a fresh seed that it prints on stderr with the command that
    replays the run. Exits with status 2 and one line on stderr when a flag is wrong."""
    module = f"minimalist_package.minimalist_async.{program}"
    parser = _Parser(
        prog=f"python3 -m {module}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
        add_help=False,
    )
    actions = [
        parser.add_argument("-h", "--help", action="help", help="show this help message and exit"),
        parser.add_argument(
            "-V", "--version", action="version", version=f"minimalist-async {__version__}",
            help="print the version, as the Rust examples do, and exit",
        ),
    ]
    actions += [parser.add_argument(
        "--seed", type=_seed, action=_Once, metavar="N",
        help="seed of the RNG, any integer, as random.seed takes it; without it a fresh seed is drawn "
        "and printed on stderr, with the command that replays the run",
    ), parser.add_argument(
        "--likelihood", type=_likelihood, action=_Once, metavar="P", default="0.1",
        help="chance that one roll succeeds, a number in (0, 1] (default: 0.1)",
    ), parser.add_argument(
        "--tasks", type=_tags, action=_Once, metavar="A,B,C", default="task1,task2", dest="tags",
        help="comma-separated task tags, each non-blank and unique (default: task1,task2)",
    ), parser.add_argument(
        "--blocking", action=_Once, nargs=0, default=False,
        help="wait with time.sleep instead of await asyncio.sleep: the blocking mistake; the tasks "
        "then run one after the other",
    )]
    argv = sys.argv[1:] if argv is None else argv
    # Python reads a word that is not UTF-8 with a lone surrogate for each bad byte; refused here, as
    # the Rust examples refuse it, before a tag that cannot be printed gets to run.
    for word in argv:
        if any("\ud800" <= c <= "\udfff" for c in word):
            parser.error(f"argument '{_shown(word)}' is not valid UTF-8")
    words, missing = _stuck_values(argv, actions)
    if missing is not None:
        # An earlier word's error, or --help, comes first: argparse reads the words in order. An
        # unknown argument comes last, as argparse reports those once it has read every word.
        parser.parse_known_args(words)
        parser.error(f"argument {missing}: expected one argument")
    args = parser.parse_args(words)
    if args.seed is None:
        args.seed = random.SystemRandom().getrandbits(64)
        replay = [
            f"python3 -m {module}",
            f"--seed {args.seed}",
            f"--likelihood {args.likelihood!r}",
            _flag("--tasks", ",".join(args.tags)),
        ] + (["--blocking"] if args.blocking else [])
        print(f"seed {args.seed}; replay this run with: {' '.join(replay)}", file=sys.stderr)
    random.seed(args.seed)
    return args


class _QuietOnBrokenPipe:
    """Standard output that ends the process quietly, with exit status 0, when its reader has gone:
    a Unix filter's behaviour, and the Rust examples'. Without it, every task's next print raises
    BrokenPipeError inside asyncio, which logs a traceback for each, and the exit status is 1. Any
    other failure to write (a full disk) ends it with one line and status 1, as the Rust examples'
    "error: cannot write to stdout: ..." does, not with a traceback per task."""

    def __init__(self, stream):
        self._stream = stream

    def _quit(self, status: int) -> None:
        # Nothing more can reach the reader; the interpreter's own flush at exit must not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        os._exit(status)

    def _fail(self, error: OSError) -> None:
        if isinstance(error, BrokenPipeError):
            self._quit(0)
        reason = f"{error.strerror} (os error {error.errno})"
        print(f"error: cannot write to stdout: {reason}", file=sys.stderr)
        sys.stderr.flush()
        self._quit(1)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            self._fail(error)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self._fail(error)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def run_main(
    program: str, description: str, async_main: Callable[[List[str], float, bool], Awaitable[None]]
) -> None:
    """The tutorial's ``main()``, which both demos share: ``asyncio.run(async_main(...))``, an
    exception that escapes it printed, Ctrl-C ending the run quietly. Around it, the flags of
    ``program`` (see ``command_line``) and, on stderr, how long the run took."""
    args = command_line(program, description)
    sys.stdout = _QuietOnBrokenPipe(sys.stdout)
    started = time.monotonic()
    try:
        asyncio.run(async_main(args.tags, args.likelihood, args.blocking))
    except KeyboardInterrupt:
        pass
    except Exception as e:
        print(e)
    print(f"wall {time.monotonic() - started:.3f} s", file=sys.stderr)
