#include "kafka/admin_socket.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "kafka/rdkafka_handle.h"

namespace failwatch {
namespace {

// Waits for `events` on fd until the deadline; false on timeout.
Result<bool> WaitFd(int fd, short events, SteadyTime deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, RemainingMs(deadline, 0));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) {
      return MakeError(ErrorKind::kInternal, "poll", std::strerror(errno));
    }
  }
}

}  // namespace

Status WriteFrame(int fd, std::string_view payload, SteadyTime deadline) {
  const std::string frame = EncodeFrame(payload);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd, frame.data() + sent, frame.size() - sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = WaitFd(fd, POLLOUT, deadline);
      if (!ready.ok()) return ready.error();
      if (!ready.value()) {
        return MakeError(ErrorKind::kTimeout, "timeout",
                         "kafka admin worker: write deadline passed");
      }
      continue;
    }
    return MakeError(
        ErrorKind::kUnavailable, "eof",
        std::string("kafka admin worker: send: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> ReadFrame(int fd, FrameDecoder& decoder,
                              SteadyTime deadline) {
  char buf[64 * 1024];
  for (;;) {
    if (auto frame = decoder.Next()) return std::move(*frame);
    if (Status s = decoder.Feed({}); !s.ok()) return s.error();
    auto ready = WaitFd(fd, POLLIN, deadline);
    if (!ready.ok()) return ready.error();
    if (!ready.value()) {
      return MakeError(ErrorKind::kTimeout, "timeout",
                       "kafka admin worker: no answer by the deadline");
    }
    const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      return MakeError(ErrorKind::kUnavailable, "eof",
                       decoder.buffered() > 0
                           ? "kafka admin worker: closed mid-frame"
                           : "kafka admin worker: closed the connection");
    }
    if (Status s = decoder.Feed({buf, static_cast<std::size_t>(n)}); !s.ok()) {
      return s.error();
    }
  }
}

}  // namespace failwatch
