/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LEAKMON_CLI_VERSION_H
#define LEAKMON_CLI_VERSION_H

/* The one place the CLI's version is set; `make VERSION=x.y.z` overrides */
#ifndef LEAKMON_VERSION
#define LEAKMON_VERSION "0.1.0"
#endif

#endif
