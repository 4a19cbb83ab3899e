#include "app/process_defaults.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace failwatch {
namespace {

// ChooseProcessDefaults takes a plain function pointer, so the fake
// environment is a static the lookup reads.
std::map<std::string, std::string>* g_env = nullptr;

const char* FakeGetenv(const char* name) {
  auto it = g_env->find(name);
  return it == g_env->end() ? nullptr : it->second.c_str();
}

struct EnvCase {
  const char* name;
  std::map<std::string, std::string> env;
  int want_arena_max;
  bool want_fixed_mmap_threshold = true;
};

class ProcessDefaultsTest : public ::testing::TestWithParam<EnvCase> {};

TEST_P(ProcessDefaultsTest, YieldsToTheOperatorsEnvironment) {
  std::map<std::string, std::string> env = GetParam().env;
  g_env = &env;
  const ProcessDefaults d = ChooseProcessDefaults(&FakeGetenv);
  g_env = nullptr;
  EXPECT_EQ(d.malloc_arena_max, GetParam().want_arena_max);
  EXPECT_EQ(d.fixed_mmap_threshold, GetParam().want_fixed_mmap_threshold);
}

INSTANTIATE_TEST_SUITE_P(
    Env, ProcessDefaultsTest,
    ::testing::Values(
        EnvCase{"empty", {}, 2},
        EnvCase{"arena_env", {{"MALLOC_ARENA_MAX", "8"}}, 0},
        EnvCase{"arena_env_empty", {{"MALLOC_ARENA_MAX", ""}}, 0},
        EnvCase{"arena_tunable",
                {{"GLIBC_TUNABLES", "glibc.malloc.arena_max=4"}},
                0},
        EnvCase{"other_tunable",
                {{"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0"}},
                2},
        EnvCase{"unrelated", {{"OPENSSL_CONF", "/etc/ssl/openssl.cnf"}}, 2},
        EnvCase{"mmap_env", {{"MALLOC_MMAP_THRESHOLD_", "65536"}}, 2, false},
        EnvCase{"mmap_tunable",
                {{"GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536"}},
                2,
                false},
        EnvCase{"both_tunables",
                {{"GLIBC_TUNABLES",
                  "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=1"}},
                0,
                false}),
    [](const ::testing::TestParamInfo<EnvCase>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace failwatch
