// Every file failwatch reads (the config, the web config, *_file secrets,
// Kafka properties_files) goes through here: regular files only, and at
// most a given size, so /dev/zero, a FIFO or a directory is a clear error
// instead of a hang, an empty secret or unbounded memory.
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"

namespace failwatch {

// The config file and the web config file.
inline constexpr std::size_t kMaxConfigFileBytes = 16 << 20;  // 16 MiB
// A *_file secret or a properties_files entry (room for a PEM CA bundle).
inline constexpr std::size_t kMaxSecretFileBytes = 1 << 20;  // 1 MiB

// The whole content of `path` (symlinks followed). Errors, code "file",
// the message without the path: "is a directory", "is not a regular file
// (a character device)", "exceeds 16777216 bytes", or strerror(errno).
// Reads at most max_bytes + 1 bytes whatever the file claims its size is.
Result<std::string> ReadBoundedFile(const std::string& path,
                                    std::size_t max_bytes);

}  // namespace failwatch
