#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

#include "eal_fixture.h"

const char *eal_fixture_name = "rsemu-test";

int eal_fixture_setup(void **state)
{
	char prefix[96];
	char *argv[] = {(char *)eal_fixture_name, "--no-huge", "-m", "600",
			"--no-pci", "--no-shconf", "--no-telemetry", "-l", "0",
			"--log-level=lib.*:error", prefix};

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s-%d",
		 eal_fixture_name, (int)getpid());
	return rte_eal_init(sizeof(argv) / sizeof(argv[0]), argv) < 0 ? -1 : 0;
}

int eal_fixture_teardown(void **state)
{
	char dir[256];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
	return 0;
}
