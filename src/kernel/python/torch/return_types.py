# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.return_types: (values, indices) results that print like PyTorch's."""


def _make(name):
    class ReturnType(tuple):
        __slots__ = ()

        def __new__(cls, values, indices):
            return tuple.__new__(cls, (values, indices))

        @property
        def values(self):
            return self[0]

        @property
        def indices(self):
            return self[1]

        def __repr__(self):
            return "torch.return_types.%s(\nvalues=%r,\nindices=%r)" % (name, self[0], self[1])

    ReturnType.__name__ = ReturnType.__qualname__ = name
    ReturnType.__module__ = "torch.return_types"
    return ReturnType


max = _make("max")
min = _make("min")
sort = _make("sort")
