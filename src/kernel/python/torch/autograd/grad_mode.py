# SPDX-License-Identifier: GPL-3.0-or-later
"""no_grad / enable_grad / set_grad_enabled: context managers (entered and
exited in C) and decorators."""

import functools

import _gradlab as _C


def _decorate(mode_class, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with mode_class():
            return func(*args, **kwargs)
    return wrapper


class no_grad(_C._NoGrad):
    """with torch.no_grad(): ... / @torch.no_grad()"""

    __slots__ = ()

    def __call__(self, func):
        return _decorate(type(self), func)

    def clone(self):
        return type(self)()


class enable_grad(_C._EnableGrad):
    """with torch.enable_grad(): ... / @torch.enable_grad()"""

    __slots__ = ()

    def __call__(self, func):
        return _decorate(type(self), func)

    def clone(self):
        return type(self)()


class set_grad_enabled:
    """torch.set_grad_enabled(mode): takes effect at once; as a context
    manager, restores the previous mode on exit."""

    def __init__(self, mode):
        self.prev = _C._set_grad_enabled(bool(mode))
        self.mode = bool(mode)

    def __call__(self, func):
        mode = self.mode
        _C._set_grad_enabled(self.prev)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc_value, traceback):
        _C._set_grad_enabled(self.prev)
        return False

    def clone(self):
        return type(self)(self.mode)


for _cls in (no_grad, enable_grad, set_grad_enabled):
    _cls.__module__ = "torch.autograd.grad_mode"
