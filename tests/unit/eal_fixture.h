/* A DPDK EAL for unit tests: no hugepages, no PCI, no shared config, one
 * lcore, a per-process file prefix; the teardown removes the runtime
 * directory EAL leaves behind. Use as cmocka group setup/teardown:
 *   cmocka_run_group_tests(tests, eal_fixture_setup, eal_fixture_teardown)
 * after setting eal_fixture_name (the program's name, for the prefix). */
#ifndef RSEMU_TEST_EAL_FIXTURE_H
#define RSEMU_TEST_EAL_FIXTURE_H

extern const char *eal_fixture_name;
int eal_fixture_setup(void **state);
int eal_fixture_teardown(void **state);

#endif
