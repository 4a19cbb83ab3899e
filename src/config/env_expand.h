// ${VAR} expansion for config scalars. "$${" is a literal "${"; any other
// "$" is kept as is. Error messages name the variable but never the text
// around it, because that text may be a password.
#pragma once

#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "core/result.h"

namespace failwatch {

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env);

}  // namespace failwatch
