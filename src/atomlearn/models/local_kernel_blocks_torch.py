"""The local structure kernels of ``local_kernels`` as PyTorch matrix products, for a GPU.

Same sums, same chunking by structure boundaries; the atom-pair blocks are computed on the
device in the environments' precision, each structure's atoms summed there, and the
structure sums accumulated in float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from atomlearn.models.local_kernel_blocks import (
    CHUNK_BYTES,
    LOCAL_KERNELS,
    NORMALIZATIONS,
    Environments,
    _boundaries,
    _row_chunks,
    finish_kernels,
)


def local_kernels_torch(
    A: Environments,
    B: Environments | None = None,
    *,
    gammas: Sequence[float],
    kernel: str = "rbf",
    normalization: str = "sum",
    device: str = "cuda",
) -> np.ndarray:
    """As ``local_kernels.local_kernels``, computed with PyTorch on ``device`` ("auto": a GPU when there is one).

    Returns
    -------
    list of ndarray of shape (A.n_structures, B.n_structures), float64
    """
    import torch

    from atomlearn.models.nn.training import resolve_device

    if kernel not in LOCAL_KERNELS or normalization not in NORMALIZATIONS:
        raise ValueError(f"kernel must be one of {LOCAL_KERNELS} and normalization one of {NORMALIZATIONS}")
    device = resolve_device(device)
    symmetric = B is None
    B = A if B is None else B
    out = torch.zeros((len(gammas), A.n_structures, B.n_structures), dtype=torch.float64, device=device)
    for z in np.intersect1d(np.unique(A.numbers), np.unique(B.numbers)):
        a_np, a_owner = A.element(int(z))
        b_np, b_owner = (a_np, a_owner) if symmetric else B.element(int(z))
        centre = b_np.mean(axis=0, dtype=np.float64).astype(b_np.dtype)  # as local_kernels: less cancellation
        a = torch.as_tensor(a_np - centre, device=device)
        b = a if symmetric else torch.as_tensor(b_np - centre, device=device)
        b_owner_t = torch.as_tensor(b_owner, device=device)
        a_starts, _ = _boundaries(a_owner)
        rows = max(1, CHUNK_BYTES // max(1, len(b_np) * a_np.itemsize))
        for first, stop in _row_chunks(a_starts, len(a_np), rows):
            column = first if symmetric else 0
            p = 1.0 if kernel == "laplacian" else 2.0
            d = torch.cdist(a[first:stop], b[column:], p=p, compute_mode="use_mm_for_euclid_dist")
            if kernel == "rbf":
                d = d * d
            row_owner = torch.as_tensor(a_owner[first:stop], device=device)
            col_owner = b_owner_t[column:]
            for w, gamma in enumerate(gammas):
                values = torch.exp(-float(gamma) * d)
                by_column = torch.zeros((len(values), B.n_structures), dtype=values.dtype, device=device)
                by_column.index_add_(1, col_owner, values)
                out[w].index_add_(0, row_owner, by_column.double())
    return finish_kernels(list(out.cpu().numpy()), A, B, symmetric, normalization)
