# SPDX-License-Identifier: GPL-2.0
# leakmon: kernel module, CLI, tests.
#
#   make                 module for the running kernel (or KDIR=...) and CLI
#   make module | cli
#   make check           selftests in QEMU on Debian kernels (KERNELS="6.1 5.10 6.12 7.2")
#   make demo            boot a VM and show the apache2 leak being found
#   make install         module (modules_install) and CLI (PREFIX=/usr/local)
#   make kcheck          W=1, sparse (C=2) and checkpatch --strict on the module

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
KERNELS ?= 6.1 5.10 6.12 7.2
TOP := $(CURDIR)

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

cli:
	$(MAKE) -C user

check:
	KERNELS="$(KERNELS)" selftests/check.sh

demo:
	selftests/demo.sh $(firstword $(KERNELS))

kcheck:
	selftests/kcheck.sh

install: all
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	$(MAKE) -C user install PREFIX=$(PREFIX)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C user clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module cli check demo kcheck install clean
