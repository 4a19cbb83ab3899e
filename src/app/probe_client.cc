#include "app/probe_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "core/host_port.h"
#include "core/io_clock.h"

namespace failwatch {
namespace {

Error ProbeError(ErrorKind kind, const std::string& msg) {
  return MakeError(kind, "probe", msg);
}

// Waits for `events` on fd until the deadline.
bool WaitFd(int fd, short events, SteadyTime deadline) {
  while (true) {
    const int left = RemainingMs(IoClock(), deadline);
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, left);
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

struct SockAddr {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// Numeric hosts only (no resolver in a health check): localhost maps to
// the loopback address.
Result<SockAddr> NumericAddress(const ProbeUrl& url) {
  SockAddr out;
  std::string host = url.host == "localhost" ? "127.0.0.1" : url.host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(url.port));
    out.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(url.port));
    out.len = sizeof(sockaddr_in6);
  } else {
    return ProbeError(ErrorKind::kInvalid,
                      "host must be an IP address or localhost");
  }
  return out;
}

Status ConnectBy(int fd, const SockAddr& to, SteadyTime deadline) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to.addr), to.len) != 0 &&
      errno != EINPROGRESS) {
    return ProbeError(ErrorKind::kUnavailable,
                      std::string("connect: ") + std::strerror(errno));
  }
  if (!WaitFd(fd, POLLOUT, deadline)) {
    return ProbeError(ErrorKind::kTimeout, "connect timed out");
  }
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
  if (soerr != 0) {
    return ProbeError(ErrorKind::kUnavailable,
                      std::string("connect: ") + std::strerror(soerr));
  }
  return Status();
}

Status SendAll(int fd, const std::string& req, SteadyTime deadline) {
  std::size_t sent = 0;
  while (sent < req.size()) {
    if (!WaitFd(fd, POLLOUT, deadline)) {
      return ProbeError(ErrorKind::kTimeout, "send timed out");
    }
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return ProbeError(ErrorKind::kUnavailable, std::strerror(errno));
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  return Status();
}

// Up to the first CRLF (at most 4 KiB).
Result<std::string> ReadHead(int fd, SteadyTime deadline) {
  std::string head;
  char buf[512];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    if (!WaitFd(fd, POLLIN, deadline)) {
      return ProbeError(ErrorKind::kTimeout, "no reply before the deadline");
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return ProbeError(ErrorKind::kUnavailable, std::strerror(errno));
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

// "HTTP/1.x NNN reason"
Result<int> StatusCode(const std::string& head) {
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
    return ProbeError(ErrorKind::kInvalid, "not an HTTP reply");
  }
  int code = std::atoi(head.substr(9, 3).c_str());
  if (code < 100 || code > 599) {
    return ProbeError(ErrorKind::kInvalid, "bad HTTP status line");
  }
  return code;
}

}  // namespace

Result<ProbeUrl> ParseProbeUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return ProbeError(ErrorKind::kInvalid, "only http:// URLs are supported");
  }
  std::string rest = url.substr(scheme.size());
  ProbeUrl out;
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.path = rest.substr(slash);
  auto hp = ParseHostPort(authority, 80);
  if (!hp.ok()) return hp.error();
  out.host = hp->host;
  out.port = hp->port;
  return out;
}

Result<int> HttpGetStatus(const ProbeUrl& url, Millis timeout) {
  const SteadyTime deadline = IoClock().Steady() + timeout;
  auto to = NumericAddress(url);
  if (!to.ok()) return to.error();
  int fd = ::socket(to->addr.ss_family,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ProbeError(ErrorKind::kInternal, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (Status s = ConnectBy(fd, *to, deadline); !s.ok()) return s.error();
  const std::string req = "GET " + url.path + " HTTP/1.0\r\nHost: " + url.host +
                          "\r\nConnection: close\r\n\r\n";
  if (Status s = SendAll(fd, req, deadline); !s.ok()) return s.error();
  auto head = ReadHead(fd, deadline);
  if (!head.ok()) return head.error();
  return StatusCode(*head);
}

int RunProbe(const std::string& url) {
  auto parsed = ParseProbeUrl(url);
  if (!parsed.ok()) {
    std::cerr << "failwatch --probe: " << parsed.error().message << "\n";
    return 1;
  }
  auto code = HttpGetStatus(*parsed, Millis(3000));
  if (!code.ok()) {
    std::cerr << "failwatch --probe: " << code.error().message << "\n";
    return 1;
  }
  if (*code < 200 || *code > 299) {
    std::cerr << "failwatch --probe: HTTP " << *code << "\n";
    return 1;
  }
  return 0;
}

}  // namespace failwatch
