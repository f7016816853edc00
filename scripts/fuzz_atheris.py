"""Coverage-guided fuzzing with atheris (libFuzzer) of what people type or upload.

`make fuzz` runs hypothesis's properties for longer (sanqu/lib/tests/test_fuzz.py) and then each
target here for FUZZ_SECONDS (default 60). Hypothesis draws inputs from strategies; atheris mutates
bytes towards the branches not yet taken, which is what finds the damaged workbook or the odd
Unicode that no strategy thought of. Each target asserts the parser's contract: a value, or a
refusal with a reason — never another exception.

    python scripts/fuzz_atheris.py TARGET [SECONDS]     # idnumber, creditcode, guard, ledger

A failing input is written to var/fuzz/<target>/crash-…; run the target with that file as its only
argument to replay it. The corpus grown by each run is kept in var/fuzz/<target>/corpus, so the
next run starts where this one stopped.
"""

from __future__ import annotations

import inspect
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import atheris

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("idnumber", "creditcode", "guard", "ledger")
# The reasons the ID-number and credit-code parsers give (shown to people by the forms and ledgers).
REASONS = {"length", "characters", "region", "birth_date", "check"}


def require(holds: bool, shown: object) -> None:
    """The parser's contract; a breach is the failure libFuzzer reports (with the input kept)."""
    if not holds:
        raise AssertionError(shown)


def set_up_django(*, database: bool) -> None:
    """The test settings (fixed test keys); for the ledger, a throwaway migrated SQLite database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanqu.test_settings")
    if database:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='sanqu-fuzz-')}/fuzz.sqlite3"
    import django

    django.setup()
    if database:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def instrument(*modules: ModuleType) -> None:
    """Coverage feedback for the modules' functions and methods. Django's set-up has imported them
    already, so `atheris.instrument_imports` would come too late: their code objects are rewritten
    in place instead."""
    for module in modules:
        for value in vars(module).values():
            members = vars(value).values() if isinstance(value, type) else [value]
            for member in members:
                function = getattr(member, "__func__", member)  # static and class methods too
                if inspect.isfunction(function) and function.__module__ == module.__name__:
                    atheris.instrument_func(function)


def idnumber_target() -> tuple[Callable[[bytes], None], list[bytes]]:
    from sanqu.lib import idnumber

    instrument(idnumber)

    def one_input(data: bytes) -> None:
        raw = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(40)
        try:
            number = idnumber.validate(raw)
        except idnumber.InvalidIdNumber as refused:
            require(str(refused) in REASONS, refused)
            return
        require(len(number) == 18 and number[17] == idnumber.check_character(number[:17]), number)

    return one_input, [b"\x01500229199001011234", b"\x01110101199003078515"]


def creditcode_target() -> tuple[Callable[[bytes], None], list[bytes]]:
    from sanqu.lib import creditcode

    instrument(creditcode)

    def one_input(data: bytes) -> None:
        raw = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(40)
        try:
            code = creditcode.validate(raw)
        except creditcode.InvalidCreditCode as refused:
            require(str(refused) in REASONS, refused)
            return
        require(creditcode.is_valid(code) and len(code) == 18, code)

    return one_input, [b"\x0191500000MA5U0XYZ12"]


def guard_target() -> tuple[Callable[[bytes], None], list[bytes]]:
    from sanqu.publicity import guard

    instrument(guard)

    def one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        html = provider.ConsumeBool()
        text = provider.ConsumeUnicodeNoSurrogates(4000)
        reasons = guard.review(text, html=html)
        require(all(isinstance(reason, str) and reason for reason in reasons), reasons)
        cleaned = guard.sanitise(text).lower()
        require("<script" not in cleaned and "<iframe" not in cleaned and "onerror" not in cleaned, cleaned)

    seeds = ['<p>澳门皇冠<a href="http://spam.example.com/">ｂｅｔ</a></p>', "<script>alert(1)</script>"]
    return one_input, [b"\x01\x01" + seed.encode() for seed in seeds]


def ledger_target() -> tuple[Callable[[bytes], None], list[bytes]]:
    from sanqu.ledgers import normalise, reading
    from sanqu.ledgers.kinds import KINDS
    from sanqu.ledgers.reading import LedgerFileError, read_ledger
    from sanqu.ledgers.tests.test_importing import GOOD, ledger

    instrument(reading, normalise)

    kind = KINDS["organisation"]

    def one_input(data: bytes) -> None:
        # The first byte picks how the file is named (and so which reader is asked first).
        name = ("台账.xlsx", "台账.xls", "台账.csv", "台账.ods")[data[0] % 4] if data else "台账.xlsx"
        try:
            table = read_ledger(data[1:], filename=name, kind=kind)
        except LedgerFileError as refused:
            require(bool(str(refused)), refused)
        else:
            require(table.header_row >= 1 and bool(table.columns), name)

    workbook = ledger(*GOOD)
    return one_input, [b"\x00" + workbook, b"\x02" + "名称,统一社会信用代码\n".encode()]


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        print(f"usage: python scripts/fuzz_atheris.py {{{','.join(TARGETS)}}} [SECONDS | CRASH-FILE]")
        return 2
    target, rest = sys.argv[1], sys.argv[2:]
    set_up_django(database=target == "ledger")
    one_input, seeds = {
        "idnumber": idnumber_target,
        "creditcode": creditcode_target,
        "guard": guard_target,
        "ledger": ledger_target,
    }[target]()
    place = ROOT / "var" / "fuzz" / target
    corpus = place / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for number, seed in enumerate(seeds):
        (corpus / f"seed-{number}").write_bytes(seed)
    if rest and Path(rest[0]).is_file():  # replay one input
        one_input(Path(rest[0]).read_bytes())
        print("no failure")
        return 0
    seconds = int(rest[0]) if rest else int(os.environ.get("FUZZ_SECONDS", "60"))
    arguments = [sys.argv[0], f"-max_total_time={seconds}", f"-artifact_prefix={place}/"]
    atheris.Setup([*arguments, str(corpus)], one_input)
    atheris.Fuzz()  # exits the process: 0 when the time is up, non-zero on a failure
    return 0


if __name__ == "__main__":
    sys.exit(main())
