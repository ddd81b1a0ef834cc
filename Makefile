# SPDX-License-Identifier: GPL-2.0
# leakmon: kernel module, CLI, tests.
#
#   make                 module for the running kernel (or KDIR=...) and CLI
#   make module | cli
#   make check           selftests in QEMU on Debian kernels (KERNELS="6.1 5.10
#                        6.12 7.2") and on the debug kernel (DEBUG_KERNELS=
#                        "6.1-debug", empty for none), in two lanes side by side
#   make check-debug     the debug kernel alone: Debian's 6.1 source built with
#                        KASAN, kmemleak, lockdep, DEBUG_OBJECTS, UBSAN and
#                        failslab (selftests/qemu/debug-kernel.sh; built once,
#                        cached)
#   make demo            boot a VM and show the apache2 leak being found
#   make install         module (modules_install) and CLI (PREFIX=/usr/local)
#   make dkms-source     module source and dkms.conf into
#                        $(DESTDIR)/usr/src/leakmon-<version>, for dkms add
#   make deb             Debian packages leakmon-dkms and leakmon (and the
#                        source package) in build/deb/, from the files git
#                        knows (committed or not) plus user/debian/
#   make kcheck          W=1, sparse (C=2) and checkpatch --strict on the module
#   make bench           leakmon's cost against no module, a bare-probe floor,
#                        bpftrace and bcc memleak, one boot per kernel
#                        (BENCH_ROUNDS=5); table, and JSON in build/bench/;
#                        BENCH_CLOCK=icount counts guest instructions
#                        instead of time (build/bench-icount/)
#   make profile         where the floor's and leakmon's time goes, function
#                        by function, under emulation (perf on QEMU;
#                        PROFILE_KERNELS=7.2, PROFILE_WORKLOAD=sock);
#                        report and JSON in build/profile/

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
KERNELS ?= 6.1 5.10 6.12 7.2
DEBUG_KERNELS ?= 6.1-debug
TOP := $(CURDIR)
VERSION := $(shell sed -n 's/^\#define LEAKMON_VERSION "\(.*\)"/\1/p' \
	     $(TOP)/include/leakmon-version.h)
DKMS_DIR ?= /usr/src/leakmon-$(VERSION)
DEB_OUT := $(TOP)/build/deb

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

cli:
	$(MAKE) -C user

check:
	KERNELS="$(strip $(KERNELS) $(DEBUG_KERNELS))" selftests/check.sh

check-debug:
	KERNELS="$(DEBUG_KERNELS)" selftests/check.sh

demo:
	selftests/demo.sh $(firstword $(KERNELS))

kcheck:
	selftests/kcheck.sh

BENCH_ROUNDS ?= 5
BENCH_CLOCK ?= wall
bench:
	KERNELS="$(KERNELS)" selftests/bench/bench.sh --rounds $(BENCH_ROUNDS) \
		--clock $(BENCH_CLOCK)

PROFILE_KERNELS ?= 7.2
PROFILE_WORKLOAD ?= sock
profile:
	selftests/bench/profile.sh --workload $(PROFILE_WORKLOAD) $(PROFILE_KERNELS)

install: all
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	$(MAKE) -C user install PREFIX=$(PREFIX)

# What DKMS builds from: Kbuild, the module's sources and headers.
dkms-source:
	install -d $(DESTDIR)$(DKMS_DIR)/kmod $(DESTDIR)$(DKMS_DIR)/include/uapi/linux
	install -m 0644 $(TOP)/Kbuild $(DESTDIR)$(DKMS_DIR)/
	install -m 0644 $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h $(TOP)/kmod/*.mk) $(DESTDIR)$(DKMS_DIR)/kmod/
	install -m 0644 $(TOP)/include/leakmon-version.h $(DESTDIR)$(DKMS_DIR)/include/
	install -m 0644 $(TOP)/include/uapi/linux/leakmon.h \
		$(DESTDIR)$(DKMS_DIR)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' $(TOP)/kmod/dkms.conf \
		>$(DESTDIR)$(DKMS_DIR)/dkms.conf

deb:
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/leakmon-$(VERSION)
	cd $(TOP) && git ls-files -z --cached --others --exclude-standard | \
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | \
		tar -xf - -C $(DEB_OUT)/leakmon-$(VERSION)
	rm -rf $(DEB_OUT)/leakmon-$(VERSION)/debian
	cp -r $(TOP)/user/debian $(DEB_OUT)/leakmon-$(VERSION)/debian
	cd $(DEB_OUT)/leakmon-$(VERSION) && dpkg-buildpackage --no-sign
	@ls $(DEB_OUT)/*.deb

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C user clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module cli check check-debug demo kcheck bench profile install dkms-source deb clean
