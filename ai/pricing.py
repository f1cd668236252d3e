"""What the assistant costs: units -> OGC, priced by settings (docs/ai.md, "Costs").

``cost = OGC_AI_PRICE_PER_REQUEST + input_units * OGC_AI_PRICE_PER_1K_INPUT_UNITS / 1000
+ output_units * OGC_AI_PRICE_PER_1K_OUTPUT_UNITS / 1000``, rounded UP to 0.0001 OGC.
The estimate prices the input the provider will read and the most output it may write
(``OGC_AI_MAX_OUTPUT_UNITS``); the charge prices what the provider reported, capped at
the estimate. Units are words for the local algorithms and tokens for an HTTP model
(estimated as one per four characters, plus the fixed instructions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal

from django.conf import settings

from ai.providers.text import words

PRICE_QUANTUM = Decimal("0.0001")
#: The fixed instructions an HTTP model reads besides the member's text (tokens).
HTTP_PROMPT_OVERHEAD_UNITS = 100
HTTP_PROVIDERS = frozenset({"openai_compatible"})


def input_units_estimate(provider: str, inputs: Mapping[str, str]) -> int:
    """The units the provider will count for ``inputs``."""
    if provider in HTTP_PROVIDERS:
        return HTTP_PROMPT_OVERHEAD_UNITS + sum(math.ceil(len(value) / 4) for value in inputs.values())
    return sum(len(words(value)) for value in inputs.values())


def price(*, input_units: int, output_units: int) -> Decimal:
    per_unit_in = Decimal(settings.OGC_AI_PRICE_PER_1K_INPUT_UNITS) / 1000
    per_unit_out = Decimal(settings.OGC_AI_PRICE_PER_1K_OUTPUT_UNITS) / 1000
    total = Decimal(settings.OGC_AI_PRICE_PER_REQUEST) + input_units * per_unit_in + output_units * per_unit_out
    return total.quantize(PRICE_QUANTUM, rounding=ROUND_CEILING)


def estimate(provider: str, inputs: Mapping[str, str]) -> tuple[int, int, Decimal]:
    """``(input units, most output units, estimated cost)``."""
    units_in = input_units_estimate(provider, inputs)
    units_out = int(settings.OGC_AI_MAX_OUTPUT_UNITS)
    return units_in, units_out, price(input_units=units_in, output_units=units_out)


def actual_cost(*, input_units: int, output_units: int, estimated: Decimal) -> Decimal:
    """The charge for what the provider used: never more than the estimate."""
    return min(price(input_units=input_units, output_units=output_units), estimated)
