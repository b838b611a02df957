"""The quadrature grid for theta ~ N(0, 1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from profdiag._irt.models import FloatArray


@dataclass(frozen=True)
class Quadrature:
    """Nodes on the theta scale and their prior weights (summing to 1)."""

    nodes: FloatArray
    weights: FloatArray

    @property
    def log_weights(self) -> FloatArray:
        logs: FloatArray = np.log(self.weights)
        return logs


def normal_quadrature(points: int = 61, bound: float = 6.0) -> Quadrature:
    """Equally spaced nodes on [-bound, bound] weighted by the N(0, 1) density (as mirt's
    default for one dimension: 61 points on [-6, 6])."""
    nodes = np.linspace(-bound, bound, points)
    density = np.exp(-0.5 * nodes**2)
    return Quadrature(nodes, density / density.sum())
