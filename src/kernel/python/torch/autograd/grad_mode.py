# SPDX-License-Identifier: GPL-3.0-or-later
"""no_grad / enable_grad / set_grad_enabled: context managers and decorators."""

import functools

import _gradlab as _C


class _GradMode:
    mode = True

    def __enter__(self):
        self.prev = _C._set_grad_enabled(self.mode)
        return None

    def __exit__(self, exc_type, exc_value, traceback):
        _C._set_grad_enabled(self.prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    mode = False


class enable_grad(_GradMode):
    mode = True


class set_grad_enabled:
    def __init__(self, mode):
        self.prev = _C._set_grad_enabled(mode)

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc_value, traceback):
        _C._set_grad_enabled(self.prev)
        return False
