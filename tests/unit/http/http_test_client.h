// A tiny blocking HTTP/1.1 client for the server tests: one request per
// call, a receive timeout so a broken server fails the test instead of
// hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "../gunzip.h"

namespace failwatch::http::testing {

// Decompresses a gzip body (to compare a gzip /metrics with the plain one).
using failwatch::test_support::Gunzip;

struct ClientResponse {
  int status = 0;                              // 0 = no (parsable) response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpTestClient {
 public:
  explicit HttpTestClient(int port) : port_(port) {}
  ~HttpTestClient() { Close(); }

  // Sends one request on the current connection (opening one if needed)
  // and reads the response. `extra_headers` are "Name: value\r\n" lines.
  ClientResponse Send(const std::string& method, const std::string& path,
                      const std::string& extra_headers = "") {
    if (fd_ < 0 && !Connect()) return {};
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                      extra_headers + "\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(req.size())) {
      return {};
    }
    ClientResponse r;
    auto end = ReadUntil("\r\n\r\n");
    if (end == std::string::npos) return {};
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    if (head.compare(0, 9, "HTTP/1.1 ") != 0) return {};
    r.status = std::stoi(head.substr(9, 3));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos
                                                         : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
          return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
      }
      pos = next;
    }
    std::size_t length = r.headers.count("content-length")
                             ? std::stoul(r.headers["content-length"])
                             : 0;
    if (method == "HEAD") length = 0;
    while (buffer_.size() < length && Fill()) {
    }
    if (buffer_.size() < length) return {};
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // A fresh connection per request, closed by the server afterwards.
  static ClientResponse Fetch(int port, const std::string& method,
                              const std::string& path,
                              const std::string& extra_headers = "") {
    HttpTestClient c(port);
    return c.Send(method, path, "Connection: close\r\n" + extra_headers);
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    return true;
  }

  bool Fill() {
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  std::size_t ReadUntil(const std::string& marker) {
    for (;;) {
      auto pos = buffer_.find(marker);
      if (pos != std::string::npos) return pos;
      if (!Fill()) return std::string::npos;
    }
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace failwatch::http::testing
