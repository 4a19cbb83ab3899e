#include "config/config_loader.h"

namespace failwatch {

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  return out + ": " + message;
}

}  // namespace failwatch
