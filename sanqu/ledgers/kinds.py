"""The ledger kinds of DESIGN.md §6: their columns, in the order of the template, and their keys.

A `Column` says what a header means and how its cells are read: `name` is the header the template
writes; `synonyms` are other headers people use for it (身份证号码 for 身份证号); `kind` picks the
reading of its cells (sanqu.ledgers.reading); `required` columns must be present, and their cells
filled. A `LedgerKind` is one ledger: its code (the command line's KIND), its title and its columns,
and the columns that make its natural key (a re-import updates the record they name).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str  # the field's name in code
    name: str  # the template's header
    required: bool = False
    # text | date | id_number | region | choice | decimal | integer | boolean | multi | phone | credit_code
    kind: str = "text"
    choices: tuple[str, ...] = ()  # for choice and multi: the accepted values, as the template writes them
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerKind:
    code: str  # dispatch, trainee, organisation, certificate, beneficiary, service, incentive
    title: str  # 选派社工台账 …
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...] = field(default=())  # column keys

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)
