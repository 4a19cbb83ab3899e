// Blocking frame I/O on the daemon <-> admin worker socket, each call bounded
// by a deadline (poll), never raising SIGPIPE (send with MSG_NOSIGNAL).
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/admin_wire.h"

namespace failwatch {

Status WriteFrame(int fd, std::string_view payload, SteadyTime deadline);
// kUnavailable "eof" when the peer closed the socket, kTimeout at the
// deadline, kInvalid for a bad frame.
Result<std::string> ReadFrame(int fd, FrameDecoder& decoder,
                              SteadyTime deadline);

}  // namespace failwatch
