// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the config.json parser (ctr-oci-config.h): any byte
 * string is either refused with a message or parsed into a config that
 * frees cleanly. ASan catches the rest. Built with -Dfuzz=true (clang).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctr-oci-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_error err = { 0 };
	struct ctr_oci_config *c = NULL;

	if (ctr_oci_config_parse((const char *)data, size, &c, &err) == 0) {
		/* Touch what the runtime reads first. */
		if (!c->process.args || !c->process.args[0] || !c->root_path)
			__builtin_trap();
		ctr_oci_config_free(c);
	} else if (!err.msg[0] || c) {
		__builtin_trap();
	}
	return 0;
}
