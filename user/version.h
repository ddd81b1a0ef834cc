/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LEAKMON_CLI_VERSION_H
#define LEAKMON_CLI_VERSION_H

/* The release string is shared with the module. */
#include "../include/leakmon-version.h"

#endif
