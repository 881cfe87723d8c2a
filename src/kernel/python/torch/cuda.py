# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.cuda: Gradlab's CUDA backend is not built in this kernel."""


def is_available():
    return False


def device_count():
    return 0


def _lazy_init():
    raise AssertionError("Torch not compiled with CUDA enabled")


def get_device_name(device=None):
    _lazy_init()


def synchronize(device=None):
    _lazy_init()


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass
