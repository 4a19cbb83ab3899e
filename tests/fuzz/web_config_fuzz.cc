// --web.config.file parsing on arbitrary YAML: an error value or a config
// that passed validation, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/web_config_file.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto r = failwatch::ParseWebConfig(text, "web.yml");
  if (r.ok()) {
    FUZZ_CHECK(failwatch::http::ValidateWebConfig(*r).ok());
  } else {
    FUZZ_CHECK(!r.error().message.empty());
  }
  return 0;
}
