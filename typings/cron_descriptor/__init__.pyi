# What this project uses of cron-descriptor (it ships no type information).
from enum import IntEnum

class CasingTypeEnum(IntEnum):
    Title = 1
    Sentence = 2
    LowerCase = 3

class FormatException(Exception): ...
class MissingFieldException(Exception): ...

class Options:
    casing_type: CasingTypeEnum
    def __init__(
        self,
        casing_type: CasingTypeEnum = ...,
        *,
        verbose: bool = ...,
        day_of_week_start_index_zero: bool = ...,
        use_24hour_time_format: bool | None = ...,
        locale_code: str | None = ...,
        locale_location: str | None = ...,
    ) -> None: ...

class ExpressionDescriptor:
    def __init__(self, expression: str, options: Options | None = ...) -> None: ...
    def get_description(self) -> str: ...
