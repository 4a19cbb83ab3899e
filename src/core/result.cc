#include "core/result.h"

namespace failwatch {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kRejected:
      return "rejected";
    case ErrorKind::kInvalid:
      return "invalid";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out = ErrorKindName(kind);
  if (!code.empty()) out += "(" + code + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace failwatch
