"""Clean spark and clean dark spreads (EUR/MWh of electricity).

clean spark = P - gas / eta_gas - carbon * ef_gas / eta_gas
clean dark  = P - coal_eur_mwh_th / eta_coal - carbon * ef_coal / eta_coal
with gas in EUR/MWh(thermal), carbon in EUR/t CO2, emission factors in t CO2/MWh(thermal), and coal
converted from USD/t with the USD/EUR rate and the energy content of API2 coal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class SpreadParameters:
    gas_efficiency: float = 0.50
    gas_emission_factor_t_per_mwh_th: float = 0.202
    coal_efficiency: float = 0.36
    coal_emission_factor_t_per_mwh_th: float = 0.341
    coal_mwh_th_per_tonne: float = 6.978  # 6,000 kcal/kg (API2) = 25.12 GJ/t
    usd_per_eur_default: float = 1.08  # used only when the lake holds no USD/EUR rate

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def clean_spark(price: np.ndarray, gas: np.ndarray, carbon: np.ndarray, p: SpreadParameters) -> np.ndarray:
    return price - gas / p.gas_efficiency - carbon * p.gas_emission_factor_t_per_mwh_th / p.gas_efficiency


def coal_eur_per_mwh_th(coal_usd_t: np.ndarray, usd_per_eur: np.ndarray, p: SpreadParameters) -> np.ndarray:
    return coal_usd_t / usd_per_eur / p.coal_mwh_th_per_tonne


def clean_dark(
    price: np.ndarray, coal_eur_mwh_th: np.ndarray, carbon: np.ndarray, p: SpreadParameters
) -> np.ndarray:
    return (
        price
        - coal_eur_mwh_th / p.coal_efficiency
        - carbon * p.coal_emission_factor_t_per_mwh_th / p.coal_efficiency
    )
