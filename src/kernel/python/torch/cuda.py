# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.cuda over the engine's CUDA backend (libgradlab's ge-device.h).

Whether CUDA can be used is the engine's answer: the backend may be left
out of the build (then, as in a CPU-only PyTorch, anything that needs CUDA
raises AssertionError("Torch not compiled with CUDA enabled")), or built in
on a machine without a driver or a GPU (then is_available() is False and
anything that needs CUDA raises PyTorch's RuntimeError, "Found no NVIDIA
driver on your system. ..." or "No CUDA GPUs are available").  The engine
uses one device, cuda:0.  Seeding, memory queries and empty_cache() never
fail, as in PyTorch before CUDA is initialised.

A front end that offers to run on the GPU (the playgrounds' "Run on GPU")
asks is_available()."""

import builtins as _builtins

import _gradlab as _C


def _is_compiled():
    return _C._cuda_is_built()


def is_available():
    return _C._cuda_is_available()


def device_count():
    return _C._cuda_device_count()


def is_initialized():
    return _C._cuda_is_available()


def _lazy_init():
    _C._cuda_lazy_init()


init = _lazy_init


def _device_index(device, optional=True):
    """torch.cuda._utils._get_device_index for what the engine knows."""
    import torch
    if device is None:
        return 0
    if isinstance(device, _builtins.str):
        device = torch.device(device)
    if isinstance(device, torch.device):
        if device.type != "cuda":
            raise ValueError("Expected a cuda device, but got: {}".format(device))
        return 0 if device.index is None else device.index
    if isinstance(device, _builtins.int) and not isinstance(device, _builtins.bool):
        return device
    raise ValueError("Expected a torch.device with a specified index or an integer, but got:{}".format(device))


def current_device():
    _lazy_init()
    return 0


def get_device_name(device=None):
    _lazy_init()
    index = _device_index(device)
    if index < 0 or index >= device_count():
        raise AssertionError("Invalid device id")
    return _C._cuda_get_device_name(index)


def synchronize(device=None):
    _lazy_init()
    index = _device_index(device)
    if index < 0 or index >= device_count():
        raise ValueError("Expected a cuda device with a valid index")
    _C._cuda_synchronize()


def manual_seed(seed):
    _C._cuda_manual_seed(_builtins.int(seed))


def manual_seed_all(seed):
    _C._cuda_manual_seed(_builtins.int(seed))


def initial_seed():
    _lazy_init()
    return _C._cuda_initial_seed()


def memory_allocated(device=None):
    return _C._cuda_memory_allocated()


def memory_reserved(device=None):
    return _C._cuda_memory_reserved()


def empty_cache():
    _C._cuda_empty_cache()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch.cuda' has no attribute '%s'" % name)
    raise AttributeError("torch.cuda.%s is not available in Gradlab yet" % name)
