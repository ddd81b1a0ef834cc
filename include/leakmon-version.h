/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the leakmon release string is defined (module and CLI). */
#ifndef _LEAKMON_VERSION_H
#define _LEAKMON_VERSION_H

#define LEAKMON_VERSION "0.1.0"

#endif /* _LEAKMON_VERSION_H */
