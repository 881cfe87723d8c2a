/* ge-print.c - (to be written) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-tensor-private.h"
