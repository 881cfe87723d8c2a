/* gradlab.h - the public API of libgradlab, the Gradlab tensor engine */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-types.h"
#include "ge-tensor.h"
#include "ge-random.h"
#include "ge-print.h"
#include "ge-autograd.h"
#include "ge-graph.h"
#include "ge-nn.h"
#include "ge-optim.h"
#include "ge-device.h"
